/**
 * Text forecasts: `/points/{lat},{lon}` answers read into the office and grid they lead to, the
 * 12-hour and hourly forecasts of `/gridpoints/{wfo}/{x},{y}/forecast[/hourly]`, and the zone
 * forecasts of `/zones/fire/{zone}/forecast`. Values keep what NWS sent (`temperature` with its
 * `temperatureUnit`, `windSpeed` as text) beside converted ones whose names state their unit.
 */
import { FieldReader, type InvalidField, jsonType } from './fields'
import { quantity } from './quantities'
import { isoUtc, shown } from './times'

/** What a `/points` look-up leads to. */
export interface PointInfo {
  /** The point as asked (`lat,lon`, at most 4 decimals). */
  readonly point: string
  /** Forecast office (`gridId`, e.g. `TAE`). */
  readonly office: string
  readonly gridX: number
  readonly gridY: number
  /** The fire-weather zone id (`FLZ015`), when the point has one. */
  readonly fireWeatherZone: string | null
  /** The public forecast zone id. */
  readonly forecastZone: string | null
  readonly timeZone: string | null
  /** `City, ST` of the nearest place. */
  readonly relativeLocation: string | null
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined

const lastSegment = (url: unknown): string | null =>
  typeof url === 'string' && url !== '' ? (url.split('/').filter(Boolean).pop() ?? null) : null

/** Reads a `/points` answer; the reason when it leads to no grid. */
export function parsePoint(properties: unknown, point: string): PointInfo | { problem: string } {
  const p = obj(properties)
  if (!p) return { problem: `points ${point}: no properties` }
  const office = p.gridId
  // gridX/gridY are numbers (decimal strings in some answers).
  const gx = typeof p.gridX === 'string' ? Number(p.gridX) : p.gridX
  const gy = typeof p.gridY === 'string' ? Number(p.gridY) : p.gridY
  if (typeof office !== 'string' || !/^[A-Z]{3}$/.test(office)) {
    return { problem: `points ${point}: gridId ${shown(office)} is not a forecast office` }
  }
  if (!Number.isInteger(gx) || !Number.isInteger(gy)) {
    return { problem: `points ${point}: gridX/gridY ${shown(p.gridX)},${shown(p.gridY)} are not grid indices` }
  }
  const rel = obj(obj(p.relativeLocation)?.properties)
  return {
    point,
    office,
    gridX: gx as number,
    gridY: gy as number,
    fireWeatherZone: lastSegment(p.fireWeatherZone),
    forecastZone: lastSegment(p.forecastZone),
    timeZone: typeof p.timeZone === 'string' ? p.timeZone : null,
    relativeLocation:
      typeof rel?.city === 'string' && typeof rel.state === 'string' ? `${rel.city}, ${rel.state}` : null,
  }
}

/** One forecast period. */
export interface ForecastPeriod {
  readonly number: number | null
  readonly name: string | null
  readonly startTime: string | null
  readonly endTime: string | null
  readonly isDaytime: boolean | null
  /** As NWS sent it, in `temperatureUnit`. */
  readonly temperature: number | null
  readonly temperatureUnit: string | null
  readonly temperatureC: number | null
  readonly temperatureTrend: string | null
  readonly probabilityOfPrecipitationPct: number | null
  readonly dewpointC: number | null
  readonly relativeHumidityPct: number | null
  /** As NWS sent it (`10 mph`, `3 to 7 mph`). */
  readonly windSpeed: string | null
  /** `windSpeed` converted: the low and high end of its range (equal for one value). */
  readonly windSpeedMinKmh: number | null
  readonly windSpeedMaxKmh: number | null
  readonly windGust: string | null
  readonly windDirection: string | null
  readonly shortForecast: string | null
  readonly detailedForecast: string | null
  readonly icon: string | null
}

/** A gridpoint text forecast as emitted. */
export interface TextForecast {
  readonly kind: 'forecast'
  /** `periods` (12-hour) or `hourly`. */
  readonly forecastType: 'periods' | 'hourly'
  readonly point: string
  readonly office: string
  readonly gridX: number
  readonly gridY: number
  readonly relativeLocation: string | null
  readonly fireWeatherZone: string | null
  /** When the forecasters last changed it (`updateTime`, else `updated`), UTC. */
  readonly updateTime: string
  readonly generatedAt: string | null
  readonly validTimes: string | null
  /** `us` or `si`, as asked. */
  readonly units: string | null
  readonly elevationM: number | null
  readonly periods: readonly ForecastPeriod[]
  readonly invalidFields?: readonly InvalidField[]
}

const round = (n: number): number => Math.round(n * 10_000) / 10_000
const SPEED_TO_KMH: Record<string, number> = { mph: 1.609344, 'km/h': 1, kt: 1.852, 'm/s': 3.6 }

/** `10 mph`, `3 to 7 mph`, `20 km/h` → the range in km/h; undefined when it is not one. */
export function windSpeedRange(text: string): { min: number; max: number } | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)(?:\s*to\s*(\d+(?:\.\d+)?))?\s*(mph|km\/h|kt|m\/s)\s*$/i.exec(text)
  if (!m) return undefined
  const factor = SPEED_TO_KMH[m[3]!.toLowerCase()]!
  const lo = Number(m[1])
  const hi = m[2] === undefined ? lo : Number(m[2])
  return { min: round(lo * factor), max: round(hi * factor) }
}

function readPeriod(raw: unknown, i: number, r: FieldReader): ForecastPeriod {
  const at = `periods[${i}]`
  const p = r.object(at, raw)
  const time = (key: string): string | null => {
    const v = p[key]
    if (v === undefined || v === null) return null
    const iso = isoUtc(v)
    if (iso === undefined) r.note(`${at}.${key}`, 'not an ISO-8601 date-time', v)
    return iso ?? null
  }
  // With the forecast_temperature_qv flag, temperature is a quantitative value instead of a number.
  let temperature: number | null = null
  let temperatureUnit = r.string(`${at}.temperatureUnit`, p.temperatureUnit)
  let temperatureC: number | null = null
  if (obj(p.temperature)) {
    const q = quantity(p.temperature, 'celsius', r, `${at}.temperature`)
    temperatureC = q.value
    temperature =
      typeof (p.temperature as { value?: unknown }).value === 'number'
        ? (p.temperature as { value: number }).value
        : null
    temperatureUnit = q.unitCode
  } else {
    temperature = r.number(`${at}.temperature`, p.temperature)
    if (temperature !== null) {
      if (temperatureUnit === 'F') temperatureC = round(((temperature - 32) * 5) / 9)
      else if (temperatureUnit === 'C') temperatureC = temperature
    }
  }
  const windSpeed = r.string(`${at}.windSpeed`, p.windSpeed)
  const range = windSpeed === null ? undefined : windSpeedRange(windSpeed)
  if (windSpeed !== null && range === undefined) r.note(`${at}.windSpeed`, 'not "<n> [to <m>] mph|km/h|kt"', windSpeed)
  const number = r.number(`${at}.number`, p.number)
  const isDaytime = p.isDaytime
  if (isDaytime !== undefined && isDaytime !== null && typeof isDaytime !== 'boolean') {
    r.note(`${at}.isDaytime`, `${jsonType(isDaytime)}, expected a boolean`, isDaytime)
  }
  return {
    number,
    name: r.string(`${at}.name`, p.name),
    startTime: time('startTime'),
    endTime: time('endTime'),
    isDaytime: typeof isDaytime === 'boolean' ? isDaytime : null,
    temperature,
    temperatureUnit,
    temperatureC,
    temperatureTrend: r.string(`${at}.temperatureTrend`, p.temperatureTrend),
    probabilityOfPrecipitationPct: quantity(
      p.probabilityOfPrecipitation,
      'percent',
      r,
      `${at}.probabilityOfPrecipitation`,
    ).value,
    dewpointC: quantity(p.dewpoint, 'celsius', r, `${at}.dewpoint`).value,
    relativeHumidityPct: quantity(p.relativeHumidity, 'percent', r, `${at}.relativeHumidity`).value,
    windSpeed,
    windSpeedMinKmh: range?.min ?? null,
    windSpeedMaxKmh: range?.max ?? null,
    windGust: typeof p.windGust === 'string' ? p.windGust : null,
    windDirection: r.string(`${at}.windDirection`, p.windDirection),
    shortForecast: r.string(`${at}.shortForecast`, p.shortForecast),
    detailedForecast: r.string(`${at}.detailedForecast`, p.detailedForecast),
    icon: r.string(`${at}.icon`, p.icon),
  }
}

/** Reads a `/forecast` or `/forecast/hourly` answer; the reason when it has no usable time or periods. */
export function parseTextForecast(
  properties: unknown,
  point: PointInfo,
  forecastType: 'periods' | 'hourly',
): TextForecast | { problem: string } {
  const p = obj(properties)
  const where = `${point.office}/${point.gridX},${point.gridY} ${forecastType === 'hourly' ? 'hourly ' : ''}forecast`
  if (!p) return { problem: `${where}: no properties` }
  const updateTime = isoUtc(p.updateTime) ?? isoUtc(p.updated)
  if (updateTime === undefined) {
    return { problem: `${where}: updateTime ${shown(p.updateTime ?? p.updated)} is not an ISO-8601 date-time` }
  }
  if (!Array.isArray(p.periods)) return { problem: `${where}: periods is ${jsonType(p.periods)}, expected an array` }
  const r = new FieldReader()
  const periods = p.periods.map((x, i) => readPeriod(x, i, r))
  const generatedAt = p.generatedAt === undefined ? null : (isoUtc(p.generatedAt) ?? null)
  return {
    kind: 'forecast',
    forecastType,
    point: point.point,
    office: point.office,
    gridX: point.gridX,
    gridY: point.gridY,
    relativeLocation: point.relativeLocation,
    fireWeatherZone: point.fireWeatherZone,
    updateTime,
    generatedAt,
    validTimes: r.string('validTimes', p.validTimes),
    units: r.string('units', p.units),
    elevationM: quantity(p.elevation, 'metre', r, 'elevation').value,
    periods,
    ...r.result(),
  }
}

/** A fire-weather zone forecast as emitted. */
export interface ZoneForecast {
  readonly kind: 'fire-zone-forecast'
  readonly zone: string
  /** When it was issued (`updated`), UTC. */
  readonly updated: string
  readonly periods: readonly { number: number | null; name: string | null; detailedForecast: string | null }[]
  readonly invalidFields?: readonly InvalidField[]
}

/** Reads a `/zones/fire/{zone}/forecast` answer (its `properties`: `zone`, `updated`, `periods`). */
export function parseZoneForecast(properties: unknown, zone: string): ZoneForecast | { problem: string } {
  const p = obj(properties)
  if (!p) return { problem: `zone ${zone} forecast: no properties` }
  const updated = isoUtc(p.updated)
  if (updated === undefined) {
    return { problem: `zone ${zone} forecast: updated ${shown(p.updated)} is not an ISO-8601 date-time` }
  }
  if (!Array.isArray(p.periods)) {
    return { problem: `zone ${zone} forecast: periods is ${jsonType(p.periods)}, expected an array` }
  }
  const r = new FieldReader()
  const periods = p.periods.map((raw, i) => {
    const x = r.object(`periods[${i}]`, raw)
    return {
      number: r.number(`periods[${i}].number`, x.number),
      name: r.string(`periods[${i}].name`, x.name),
      detailedForecast: r.string(`periods[${i}].detailedForecast`, x.detailedForecast),
    }
  })
  return { kind: 'fire-zone-forecast', zone: lastSegment(p.zone) ?? zone, updated, periods, ...r.result() }
}
