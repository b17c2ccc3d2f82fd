/**
 * `/alerts/active` features → typed alert summaries. A feature whose `sent` (or another time
 * field) is not an ISO date-time is rejected with the reason; the others go on. A descriptive
 * field of the wrong type reads as null and is listed in `invalidFields` (see ./fields).
 */
import type { JsonValue } from '@firefront/sdk'
import { FieldReader, type InvalidField, jsonType } from './fields'
import {
  type AlertParameters,
  type AlertReference,
  type EventMotion,
  parametersJson,
  parseReferenceList,
  readParameters,
} from './alert-parameters'
import { isoUtc, shown } from './times'

/** A VTEC string read into its parts (`/O.CON.KSTO.FW.W.0005.000000T0000Z-180812T0600Z/`). */
export interface Vtec {
  readonly raw: string
  readonly productClass: string
  readonly action: string
  readonly office: string
  readonly phenomena: string
  readonly significance: string
  readonly eventNumber: number
  /** UTC start, or null for `000000T0000Z` (already in effect). */
  readonly begins: string | null
  /** UTC end, or null for `000000T0000Z` (until further notice). */
  readonly ends: string | null
}

/** One alert as emitted (`value` of the record). */
export interface AlertSummary {
  readonly kind: 'alert'
  readonly id: string
  readonly event: string
  readonly severity: string | null
  readonly urgency: string | null
  readonly certainty: string | null
  readonly status: string | null
  readonly messageType: string | null
  readonly category: string | null
  readonly areaDesc: string | null
  /** UTC ISO-8601 times; null when NWS gives none. */
  readonly sent: string
  readonly effective: string | null
  readonly onset: string | null
  readonly expires: string | null
  readonly ends: string | null
  readonly headline: string | null
  readonly nwsHeadline: string | null
  readonly description: string | null
  readonly instruction: string | null
  readonly response: string | null
  /**
   * The issuing office's name (`NWS Medford OR`): `senderName`, or in the older schema, which had
   * none, `sender` when that holds a name rather than an address.
   */
  readonly senderName: string | null
  /** `sender` as sent (an address, `w-nws.webmaster@noaa.gov`, in the current schema). */
  readonly sender: string | null
  readonly vtec: readonly Vtec[]
  readonly ugc: readonly string[]
  readonly same: readonly string[]
  readonly affectedZones: readonly string[]
  /** Ids of the alerts this one updates or cancels. */
  readonly references: readonly string[]
  /** The same, with each one's sender and time. */
  readonly referenceDetails: readonly AlertReference[]
  /** `parameters.expiredReferences`: earlier alerts of the event that have expired. */
  readonly expiredReferences: readonly AlertReference[]
  /** The alert that superseded this one (its URL), when NWS has replaced it. */
  readonly replacedBy: string | null
  /** When it was replaced, UTC. */
  readonly replacedAt: string | null
  /** True when `replacedBy` is set: a superseded warning, not the one in force. */
  readonly superseded: boolean
  /** Detections and threats, maximum wind gust and hail size, event motion and ending time. */
  readonly threats: AlertParameters['threats']
  readonly maxWindGust: string | null
  readonly maxHailSizeIn: number | null
  readonly eventEndingTime: string | null
  readonly eventMotion: EventMotion | null
  /** Every parameter as sent (`VTEC`, `NWSheadline`, `AWIPSidentifier`, `CMAMtext`...). */
  readonly parameters: { readonly [key: string]: JsonValue }
  /** GeoJSON geometry; null for zone-based alerts. */
  readonly geometry: JsonValue
  /** Fields NWS sent in a shape this record cannot hold (their value above is null or left out). */
  readonly invalidFields?: readonly InvalidField[]
}

/** An alert feature that could not be read. */
export interface RejectedAlert {
  readonly reason: string
  readonly input: unknown
  readonly location: string
}

const VTEC = /^\/([OTEX])\.([A-Z]{3})\.([A-Z]{4})\.([A-Z]{2})\.([A-Z])\.(\d{4})\.(\d{6}T\d{4}Z)-(\d{6}T\d{4}Z)\/$/

function vtecTime(t: string): string | null {
  if (t === '000000T0000Z') return null
  const iso = `20${t.slice(0, 2)}-${t.slice(2, 4)}-${t.slice(4, 6)}T${t.slice(7, 9)}:${t.slice(9, 11)}:00Z`
  return isoUtc(iso) ?? null
}

/** Reads a P-VTEC string; `undefined` when it is not one. */
export function parseVtec(raw: string): Vtec | undefined {
  const m = VTEC.exec(raw.trim())
  if (!m) return undefined
  return {
    raw: raw.trim(),
    productClass: m[1]!,
    action: m[2]!,
    office: m[3]!,
    phenomena: m[4]!,
    significance: m[5]!,
    eventNumber: Number(m[6]),
    begins: vtecTime(m[7]!),
    ends: vtecTime(m[8]!),
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null)
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}

const OPTIONAL_TIMES = ['effective', 'onset', 'expires', 'ends'] as const

/** The descriptive string fields of an alert, read as they are named. */
const TEXT_FIELDS = [
  'severity',
  'urgency',
  'certainty',
  'status',
  'messageType',
  'category',
  'areaDesc',
  'headline',
  'description',
  'instruction',
  'response',
  'senderName',
  'sender',
] as const

/** Reads one alert feature; returns the reason when it cannot be read. */
export function parseAlert(feature: unknown): AlertSummary | { problem: string } {
  const f = record(feature)
  const p = record(f.properties)
  const id = str(p.id) ?? str(f.id)
  if (id === null) {
    return { problem: p.id === undefined ? 'alert has no id' : `alert id is ${jsonType(p.id)}, expected a string` }
  }
  const event = str(p.event)
  if (event === null) {
    return {
      problem:
        p.event === undefined ? `alert ${id} has no event` : `alert ${id}: event ${shown(p.event)} is not a name`,
    }
  }
  const sent = isoUtc(p.sent)
  if (sent === undefined) return { problem: `alert ${id}: sent ${shown(p.sent)} is not an ISO-8601 date-time` }
  const times: Partial<Record<(typeof OPTIONAL_TIMES)[number], string | null>> = {}
  for (const key of OPTIONAL_TIMES) {
    const raw = p[key]
    if (raw === null || raw === undefined) {
      times[key] = null
      continue
    }
    const iso = isoUtc(raw)
    if (iso === undefined) return { problem: `alert ${id}: ${key} ${shown(raw)} is not an ISO-8601 date-time` }
    times[key] = iso
  }
  const r = new FieldReader()
  const text = Object.fromEntries(TEXT_FIELDS.map((k) => [k, r.string(k, p[k])])) as Record<
    (typeof TEXT_FIELDS)[number],
    string | null
  >
  const params = r.object('parameters', p.parameters)
  const geocode = r.object('geocode', p.geocode)
  const vtec: Vtec[] = []
  for (const [i, raw] of r.strings('parameters.VTEC', params.VTEC).entries()) {
    const parsed = parseVtec(raw)
    if (parsed) vtec.push(parsed)
    else r.note(`parameters.VTEC[${i}]`, 'not a P-VTEC string', raw)
  }
  const references: string[] = []
  const referenceDetails: AlertReference[] = []
  if (p.references !== undefined && p.references !== null) {
    if (!Array.isArray(p.references)) r.note('references', `${jsonType(p.references)}, expected an array`, p.references)
    else {
      for (const [i, ref] of p.references.entries()) {
        const ids = record(ref)
        const refId = str(ids.identifier) ?? str(ids['@id'])
        if (refId !== null) {
          references.push(refId)
          referenceDetails.push({ sender: str(ids.sender) ?? '', identifier: refId, sent: isoUtc(ids.sent) ?? null })
        } else r.note(`references[${i}]`, 'no identifier or @id string', ref)
      }
    }
  }
  const replacedAtRaw = p.replacedAt
  const replacedAt = replacedAtRaw === undefined || replacedAtRaw === null ? null : (isoUtc(replacedAtRaw) ?? null)
  if (replacedAtRaw !== undefined && replacedAtRaw !== null && replacedAt === null) {
    r.note('replacedAt', 'not an ISO-8601 date-time', replacedAtRaw)
  }
  const replacedBy = r.string('replacedBy', p.replacedBy)
  const typed = readParameters(params, r)
  const senderName = text.senderName ?? (text.sender !== null && !text.sender.includes('@') ? text.sender : null)
  let geometry: JsonValue = null
  if (f.geometry !== undefined && f.geometry !== null) {
    if (typeof f.geometry === 'object' && !Array.isArray(f.geometry)) geometry = f.geometry as JsonValue
    else r.note('geometry', `${jsonType(f.geometry)}, expected a GeoJSON geometry object`, f.geometry)
  }
  return {
    kind: 'alert',
    id,
    event,
    severity: text.severity,
    urgency: text.urgency,
    certainty: text.certainty,
    status: text.status,
    messageType: text.messageType,
    category: text.category,
    areaDesc: text.areaDesc,
    sent,
    effective: times.effective ?? null,
    onset: times.onset ?? null,
    expires: times.expires ?? null,
    ends: times.ends ?? null,
    headline: text.headline,
    nwsHeadline: r.strings('parameters.NWSheadline', params.NWSheadline)[0] ?? null,
    description: text.description,
    instruction: text.instruction,
    response: text.response,
    senderName,
    sender: text.sender,
    vtec,
    ugc: r.strings('geocode.UGC', geocode.UGC),
    same: r.strings('geocode.SAME', geocode.SAME),
    affectedZones: r.strings('affectedZones', p.affectedZones),
    references,
    referenceDetails,
    expiredReferences: parseReferenceList(r.strings('parameters.expiredReferences', params.expiredReferences)),
    replacedBy,
    replacedAt,
    superseded: replacedBy !== null,
    ...typed,
    parameters: parametersJson(params),
    geometry,
    ...r.result(),
  }
}

/**
 * Reads every feature of an alerts FeatureCollection. Features that cannot be read are returned
 * as rejected; an id seen twice keeps the latest `sent`.
 */
export function parseAlerts(
  features: readonly unknown[],
  url: string,
): { alerts: AlertSummary[]; rejected: RejectedAlert[] } {
  const byId = new Map<string, AlertSummary>()
  const rejected: RejectedAlert[] = []
  for (const [i, feature] of features.entries()) {
    const parsed = parseAlert(feature)
    if ('problem' in parsed) {
      rejected.push({ reason: parsed.problem, input: feature, location: `features[${i}] of ${url}` })
      continue
    }
    const seen = byId.get(parsed.id)
    if (seen === undefined || parsed.sent > seen.sent) byId.set(parsed.id, parsed)
  }
  return { alerts: [...byId.values()], rejected }
}
