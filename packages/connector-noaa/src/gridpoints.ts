/**
 * Raw gridpoint forecasts (`/gridpoints/{wfo}/{x},{y}`) → one snapshot per forecast update, with
 * the chosen layers (fire-weather ones by default) and each value's ISO-8601 `validTime` interval
 * read into start, end and duration.
 */
import { FieldReader, type InvalidField, jsonType } from './fields'
import { isoUtc, shown } from './times'

/** Layers read when the config names none: the fire-weather ones and what drives them. */
export const FIRE_WEATHER_LAYERS = [
  'redFlagThreatIndex',
  'relativeHumidity',
  'temperature',
  'windSpeed',
  'windGust',
  'windDirection',
  'twentyFootWindSpeed',
  'twentyFootWindDirection',
  'transportWindSpeed',
  'transportWindDirection',
  'mixingHeight',
  'hainesIndex',
  'lightningActivityLevel',
  'dispersionIndex',
  'atmosphericDispersionIndex',
  'grasslandFireDangerIndex',
  'probabilityOfThunder',
] as const

/** One value of a layer over its interval. */
export interface LayerValue {
  /** UTC ISO-8601 start of the interval. */
  readonly start: string
  /** UTC ISO-8601 end of the interval. */
  readonly end: string
  readonly durationSeconds: number
  readonly value: number | null
}

/** One layer as emitted: values as NWS gives them, in `uom`. */
export interface Layer {
  /** The unit code as NWS sent it (`wmoUnit:percent`), or null for unitless indices. */
  readonly uom: string | null
  readonly values: readonly LayerValue[]
}

/** A gridpoint forecast snapshot (`value` of the record). */
export interface GridpointForecast {
  readonly kind: 'gridpoint'
  /** `WFO/x,y`, e.g. `TAE/58,65`. */
  readonly gridpoint: string
  readonly gridId: string | null
  readonly gridX: number | null
  readonly gridY: number | null
  /** UTC ISO-8601 time NWS last updated this forecast. */
  readonly updateTime: string
  /** The forecast's whole interval as NWS gives it (`2022-02-03T21:00:00+00:00/P7DT14H`). */
  readonly validTimes: string | null
  /** The chosen layers present in the answer; a layer absent from the answer is absent here. */
  readonly layers: Readonly<Record<string, Layer>>
  /** Fields NWS sent in a shape this record cannot hold (their value is null or left out). */
  readonly invalidFields?: readonly InvalidField[]
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/** Seconds of an ISO-8601 duration (weeks, days, hours, minutes, seconds); `undefined` otherwise. */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text)
  if (!m || text === 'P' || text.endsWith('T')) return undefined
  const [, w, d, h, min, s] = m
  return (
    Number(w ?? 0) * 604_800 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)
  )
}

/** Reads `start/duration` or `start/end` into UTC start, end and duration. */
export function parseInterval(text: unknown): Omit<LayerValue, 'value'> | undefined {
  if (typeof text !== 'string') return undefined
  const [from, to, extra] = text.split('/')
  if (from === undefined || to === undefined || extra !== undefined) return undefined
  const start = isoUtc(from)
  if (start === undefined) return undefined
  const seconds = to.startsWith('P') ? durationSeconds(to) : undefined
  if (seconds !== undefined) {
    return { start, end: new Date(Date.parse(start) + seconds * 1000).toISOString(), durationSeconds: seconds }
  }
  const end = isoUtc(to)
  if (end === undefined || end < start) return undefined
  return { start, end, durationSeconds: (Date.parse(end) - Date.parse(start)) / 1000 }
}

/**
 * Reads a gridpoint Feature's properties. A forecast without a valid `updateTime` cannot be read;
 * a single value whose `validTime` is not an interval is returned as rejected and left out.
 */
export function parseGridpoint(
  properties: Readonly<Record<string, unknown>>,
  gridpoint: string,
  layers: readonly string[],
):
  | { forecast: GridpointForecast; rejected: { reason: string; input: unknown; layer: string }[] }
  | { problem: string } {
  const updateTime = isoUtc(properties.updateTime)
  if (updateTime === undefined) {
    return {
      problem: `gridpoint ${gridpoint}: updateTime ${shown(properties.updateTime)} is not an ISO-8601 date-time`,
    }
  }
  const out: Record<string, Layer> = {}
  const rejected: { reason: string; input: unknown; layer: string }[] = []
  const r = new FieldReader()
  for (const name of layers) {
    const raw = properties[name] as { uom?: unknown; values?: unknown } | undefined
    if (raw === undefined || raw === null) continue
    if (typeof raw !== 'object' || !Array.isArray(raw.values)) {
      r.note(name, `${jsonType(raw)}, expected a layer {uom, values: [...]}`, raw)
      continue
    }
    const values: LayerValue[] = []
    for (const [i, v] of (raw.values as unknown[]).entries()) {
      const entry = (typeof v === 'object' && v !== null ? v : {}) as { validTime?: unknown; value?: unknown }
      const interval = parseInterval(entry.validTime)
      if (interval === undefined) {
        rejected.push({
          reason: `${name}: validTime ${shown(entry.validTime)} is not an ISO-8601 interval`,
          input: v,
          layer: name,
        })
        continue
      }
      values.push({ ...interval, value: r.number(`${name}.values[${i}].value`, entry.value) })
    }
    out[name] = { uom: r.string(`${name}.uom`, raw.uom), values }
  }
  return {
    forecast: {
      kind: 'gridpoint',
      gridpoint,
      gridId: r.string('gridId', properties.gridId),
      gridX: r.numeric('gridX', properties.gridX),
      gridY: r.numeric('gridY', properties.gridY),
      updateTime,
      validTimes: r.string('validTimes', properties.validTimes),
      layers: out,
      ...r.result(),
    },
    rejected,
  }
}
