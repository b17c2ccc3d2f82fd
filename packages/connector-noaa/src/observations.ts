/**
 * `/stations/{id}/observations` features → normalised observations: every number in one unit
 * (°C, km/h, Pa, m, mm, %, degrees), null kept null, the unit codes and QC flags as sent.
 */
import { FieldReader, type InvalidField, jsonType } from './fields'
import { MEASURE_UNIT, type Measure, type Quantity, quantity } from './quantities'
import { isoUtc, shown } from './times'

/** The measures read from an observation: output field → [NWS property, unit]. */
export const OBSERVATION_FIELDS = {
  temperatureC: ['temperature', 'celsius'],
  dewpointC: ['dewpoint', 'celsius'],
  relativeHumidityPct: ['relativeHumidity', 'percent'],
  windSpeedKmh: ['windSpeed', 'kmh'],
  windGustKmh: ['windGust', 'kmh'],
  windDirectionDeg: ['windDirection', 'degree'],
  barometricPressurePa: ['barometricPressure', 'pascal'],
  seaLevelPressurePa: ['seaLevelPressure', 'pascal'],
  visibilityM: ['visibility', 'metre'],
  precipitationLastHourMm: ['precipitationLastHour', 'millimetre'],
  precipitationLast3HoursMm: ['precipitationLast3Hours', 'millimetre'],
  precipitationLast6HoursMm: ['precipitationLast6Hours', 'millimetre'],
  maxTemperatureLast24HoursC: ['maxTemperatureLast24Hours', 'celsius'],
  minTemperatureLast24HoursC: ['minTemperatureLast24Hours', 'celsius'],
  windChillC: ['windChill', 'celsius'],
  heatIndexC: ['heatIndex', 'celsius'],
  elevationM: ['elevation', 'metre'],
} as const satisfies Record<string, readonly [string, Measure]>

/** An output field of {@link OBSERVATION_FIELDS}. */
export type ObservationField = keyof typeof OBSERVATION_FIELDS

/** One observation as emitted (`value` of the record). */
export type Observation = {
  readonly kind: 'observation'
  /** Station id, upper case (e.g. `KCNK`). */
  readonly station: string
  /** UTC ISO-8601. */
  readonly timestamp: string
  readonly latitude: number | null
  readonly longitude: number | null
  /** The station's name (`stationName`, or from the station's metadata), when known. */
  readonly stationName: string | null
  readonly textDescription: string | null
  readonly rawMessage: string | null
  /** Present weather (METAR groups read by NWS): intensity, modifier, weather, the raw group. */
  readonly presentWeather: readonly PresentWeather[]
  /** Cloud layers, lowest first: base height in metres and amount (`FEW`, `SCT`, `BKN`, `OVC`, `CLR`...). */
  readonly cloudLayers: readonly CloudLayer[]
} & { readonly [F in ObservationField]: number | null } & {
  /** Per field: the unit the value above is in (`wmoUnit:km_h-1` for `windSpeedKmh`), when it has one. */
  readonly units: { readonly [F in ObservationField]?: string }
  /** Per field: the unit code NWS sent (either prefix, `unit:m_s-1`), before conversion. */
  readonly sourceUnits: { readonly [F in ObservationField]?: string }
  /** Per field: the QC flag without `qc:` (`V`, `C`, `Z`, `S`…), when sent. */
  readonly qualityControl: { readonly [F in ObservationField]?: string }
  /** Fields whose number came with a unit that could not be converted (their value is null). */
  readonly unknownUnits?: readonly ObservationField[]
  /** Fields NWS sent in a shape this record cannot hold (their value above is null). */
  readonly invalidFields?: readonly InvalidField[]
}

/** One present-weather group. */
export interface PresentWeather {
  readonly intensity: string | null
  readonly modifier: string | null
  readonly weather: string | null
  readonly rawString: string | null
  readonly inVicinity: boolean | null
}

/** One cloud layer. */
export interface CloudLayer {
  /** Base height in metres; null when NWS gives none (`CLR`). */
  readonly baseM: number | null
  readonly amount: string | null
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null)

/** The station id of an observation (from `station`, or the feature's URL), upper case. */
function stationOf(p: Record<string, unknown>, fallback: string): string {
  const url = str(p.station)
  const id = url?.split('/').filter(Boolean).pop()
  return (id ?? fallback).toUpperCase()
}

/** Reads one observation feature; returns the reason when it cannot be read. */
export function parseObservation(feature: unknown, station: string): Observation | { problem: string } {
  const f = (typeof feature === 'object' && feature !== null ? feature : {}) as Record<string, unknown>
  const p = (typeof f.properties === 'object' && f.properties !== null ? f.properties : undefined) as
    | Record<string, unknown>
    | undefined
  if (p === undefined) return { problem: 'observation has no properties' }
  const timestamp = isoUtc(p.timestamp)
  if (timestamp === undefined) {
    return { problem: `observation timestamp ${shown(p.timestamp)} is not an ISO-8601 date-time` }
  }
  const r = new FieldReader()
  const values: Partial<Record<ObservationField, number | null>> = {}
  const units: Partial<Record<ObservationField, string>> = {}
  const sourceUnits: Partial<Record<ObservationField, string>> = {}
  const qualityControl: Partial<Record<ObservationField, string>> = {}
  const unknownUnits: ObservationField[] = []
  for (const [field, [prop, measure]] of Object.entries(OBSERVATION_FIELDS) as [
    ObservationField,
    readonly [string, Measure],
  ][]) {
    const q: Quantity = quantity(p[prop], measure, r, prop)
    values[field] = q.value
    if (q.value !== null) units[field] = MEASURE_UNIT[measure]
    if (q.unitCode !== null) sourceUnits[field] = q.unitCode
    if (q.qc !== null) qualityControl[field] = q.qc
    if (q.unknownUnit) unknownUnits.push(field)
  }
  let latitude: number | null = null
  let longitude: number | null = null
  if (f.geometry !== undefined && f.geometry !== null) {
    const g = f.geometry as { type?: unknown; coordinates?: unknown }
    if (typeof g === 'object' && g.type === 'Point' && Array.isArray(g.coordinates)) {
      longitude = r.number('geometry.coordinates[0]', g.coordinates[0])
      latitude = r.number('geometry.coordinates[1]', g.coordinates[1])
    } else r.note('geometry', `${jsonType(g)} that is not a GeoJSON Point`, g)
  }
  return {
    kind: 'observation',
    station: stationOf(p, station),
    timestamp,
    latitude,
    longitude,
    stationName: r.string('stationName', p.stationName),
    textDescription: r.string('textDescription', p.textDescription),
    rawMessage: r.string('rawMessage', p.rawMessage),
    presentWeather: readPresentWeather(p.presentWeather, r),
    cloudLayers: readCloudLayers(p.cloudLayers, r),
    ...(values as Record<ObservationField, number | null>),
    units,
    sourceUnits,
    qualityControl,
    ...(unknownUnits.length > 0 ? { unknownUnits } : {}),
    ...r.result(),
  }
}

function readPresentWeather(raw: unknown, r: FieldReader): PresentWeather[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    r.note('presentWeather', `${jsonType(raw)}, expected an array`, raw)
    return []
  }
  return raw.map((item, i) => {
    const w = r.object(`presentWeather[${i}]`, item)
    const near = w.inVicinity
    if (near !== undefined && near !== null && typeof near !== 'boolean') {
      r.note(`presentWeather[${i}].inVicinity`, `${jsonType(near)}, expected a boolean`, near)
    }
    return {
      intensity: r.string(`presentWeather[${i}].intensity`, w.intensity),
      modifier: r.string(`presentWeather[${i}].modifier`, w.modifier),
      weather: r.string(`presentWeather[${i}].weather`, w.weather),
      rawString: r.string(`presentWeather[${i}].rawString`, w.rawString),
      inVicinity: typeof near === 'boolean' ? near : null,
    }
  })
}

function readCloudLayers(raw: unknown, r: FieldReader): CloudLayer[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    r.note('cloudLayers', `${jsonType(raw)}, expected an array`, raw)
    return []
  }
  return raw.map((item, i) => {
    const layer = r.object(`cloudLayers[${i}]`, item)
    return {
      baseM: quantity(layer.base, 'metre', r, `cloudLayers[${i}].base`).value,
      amount: r.string(`cloudLayers[${i}].amount`, layer.amount),
    }
  })
}

/** The record key of an observation: station and UTC timestamp. */
export const observationKey = (o: Observation): string => `${o.station}:${o.timestamp}`

/** Reads every feature of a station's observations; unreadable ones come back as rejected. */
export function parseObservations(
  features: readonly unknown[],
  station: string,
  url: string,
): { observations: Observation[]; rejected: { reason: string; input: unknown; location: string }[] } {
  const observations: Observation[] = []
  const rejected: { reason: string; input: unknown; location: string }[] = []
  for (const [i, feature] of features.entries()) {
    const parsed = parseObservation(feature, station)
    if ('problem' in parsed)
      rejected.push({ reason: parsed.problem, input: feature, location: `features[${i}] of ${url}` })
    else observations.push(parsed)
  }
  return { observations, rejected }
}
