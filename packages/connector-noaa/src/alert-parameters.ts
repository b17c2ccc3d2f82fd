/**
 * The parts of an alert that forecasters and emergency managers read first, beyond its text:
 * the typed `parameters` of NWS alerts (impact-based detections and threats, maximum gust and hail
 * size, event motion, event ending time) and the CAP reference lists (`expiredReferences`).
 * Every parameter is also kept as sent in `parameters`.
 */
import type { JsonValue } from '@firefront/sdk'
import type { FieldReader } from './fields'
import { isoUtc } from './times'

/** A CAP reference, `sender,identifier,sent` (entries separated by white space). */
export interface AlertReference {
  readonly sender: string
  readonly identifier: string
  /** UTC ISO-8601, or null when the text is not a date-time. */
  readonly sent: string | null
}

/** `eventMotionDescription`: `2026-07-15T20:00:00-00:00...storm...236DEG...10KT...41.9,-115.18`. */
export interface EventMotion {
  readonly time: string | null
  readonly description: string
  /** The direction the event moves from, degrees true. */
  readonly directionDeg: number | null
  readonly speedKt: number | null
  /** The event's positions as [latitude, longitude]. */
  readonly locations: readonly (readonly [number, number])[]
  readonly raw: string
}

/** Impact-based detections and threats (first value of each), e.g. `flashFloodDetection: RADAR INDICATED`. */
export const THREAT_PARAMETERS = [
  'flashFloodDetection',
  'flashFloodDamageThreat',
  'tornadoDetection',
  'tornadoDamageThreat',
  'thunderstormDamageThreat',
  'windThreat',
  'hailThreat',
  'waterspoutDetection',
] as const

/** The typed parameters of an alert. */
export interface AlertParameters {
  readonly threats: { readonly [K in (typeof THREAT_PARAMETERS)[number]]?: string }
  /** `maxWindGust` as sent, with its unit (`40 MPH`); older alerts' `windGust`. */
  readonly maxWindGust: string | null
  /** `maxHailSize` (older: `hailSize`), in inches as NWS gives it. */
  readonly maxHailSizeIn: number | null
  /** `eventEndingTime`, UTC. */
  readonly eventEndingTime: string | null
  readonly eventMotion: EventMotion | null
}

/** `references`/`expiredReferences` strings: white-space separated `sender,identifier,sent` triples. */
export function parseReferenceList(texts: readonly string[]): AlertReference[] {
  const out: AlertReference[] = []
  for (const text of texts) {
    for (const entry of text.trim().split(/\s+/)) {
      const [sender, identifier, sent] = entry.split(',')
      if (!sender || !identifier) continue
      out.push({ sender, identifier, sent: isoUtc(sent) ?? null })
    }
  }
  return out
}

/** Reads `eventMotionDescription` (`time...description...DDDDEG...SSKT...lat,lon lat,lon`). */
export function parseEventMotion(raw: string): EventMotion | null {
  const parts = raw.split('...')
  if (parts.length < 5) return null
  const [time, description, dir, speed, ...rest] = parts as [string, string, string, string, ...string[]]
  const locations = rest
    .join(' ')
    .trim()
    .split(/\s+/)
    .map((p) => p.split(',').map(Number))
    .filter((p): p is [number, number] => p.length === 2 && p.every(Number.isFinite))
  const d = /^(\d{1,3})DEG$/.exec(dir)
  const s = /^(\d+)KT$/.exec(speed)
  return {
    time: isoUtc(time.replace(/-00:00$/, 'Z')) ?? null,
    description,
    directionDeg: d ? Number(d[1]) : null,
    speedKt: s ? Number(s[1]) : null,
    locations,
    raw,
  }
}

/** Reads the typed parameters of `params` (its values are lists of strings, or numbers in older alerts). */
export function readParameters(params: Record<string, unknown>, r: FieldReader): AlertParameters {
  const first = (key: string): string | null => {
    const v = params[key]
    if (v === undefined || v === null) return null
    const item = Array.isArray(v) ? v[0] : v
    if (typeof item === 'string') return item
    if (typeof item === 'number') return String(item)
    r.note(`parameters.${key}`, 'expected a list of strings', v)
    return null
  }
  const threats: Record<string, string> = {}
  for (const key of THREAT_PARAMETERS) {
    const v = first(key)
    if (v !== null) threats[key] = v
  }
  const hail = first('maxHailSize') ?? first('hailSize')
  const hailIn = hail === null ? null : Number(hail)
  if (hail !== null && !Number.isFinite(hailIn)) r.note('parameters.maxHailSize', 'not a number of inches', hail)
  const ending = first('eventEndingTime')
  const endingUtc = ending === null ? null : (isoUtc(ending) ?? null)
  if (ending !== null && endingUtc === null) r.note('parameters.eventEndingTime', 'not an ISO-8601 date-time', ending)
  const motion = first('eventMotionDescription')
  const eventMotion = motion === null ? null : parseEventMotion(motion)
  if (motion !== null && eventMotion === null) {
    r.note('parameters.eventMotionDescription', 'not time...description...DEG...KT...positions', motion)
  }
  return {
    threats,
    maxWindGust: first('maxWindGust') ?? first('windGust'),
    maxHailSizeIn: hailIn !== null && Number.isFinite(hailIn) ? hailIn : null,
    eventEndingTime: endingUtc,
    eventMotion,
  }
}

/** `parameters` as sent, as JSON (every key kept). */
export function parametersJson(params: Record<string, unknown>): { [key: string]: JsonValue } {
  return JSON.parse(JSON.stringify(params)) as { [key: string]: JsonValue }
}
