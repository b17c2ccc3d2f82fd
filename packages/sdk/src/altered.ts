/**
 * Altered data, flagged the same way by every connector: a field sent in a type its format does
 * not allow is listed in the record's `invalidFields` and named in the `firefront.altered` header
 * (`HEADERS.altered`) as `type:<field>`, so consumers can filter on one convention.
 * @packageDocumentation
 */
import type { JsonValue } from './record'

/** A field sent in a type its format does not allow. */
export interface InvalidField {
  /** Where it is in the input, e.g. `areaDesc`, `uplink_message.rx_metadata[0].rssi`. */
  readonly field: string
  /** What is wrong, e.g. `a string, expected a number`. */
  readonly problem: string
  /** The field as sent. */
  readonly value: JsonValue
}

/** `an object`, `an array`, `a number`…: the JSON type of `value`, for messages. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  const t = typeof value
  return t === 'object' ? 'an object' : `a ${t}`
}

/** A field path with array indices folded (`rx_metadata[0].rssi` → `rx_metadata[].rssi`), for headers and metric labels. */
export const foldField = (field: string): string => field.replace(/\[\d+\]/g, '[]')

/**
 * The `firefront.altered` header value, or undefined when nothing was altered: `tokens` first
 * (e.g. `utf8-replaced`), then `type:<field>` per invalid field (indices folded), comma-separated
 * without repeats; `%` and `,` in a field name are percent-encoded so the list stays readable.
 */
export function alteredHeaderValue(
  invalidFields: readonly InvalidField[] | undefined,
  tokens: readonly string[] = [],
): string | undefined {
  const all = new Set(tokens)
  for (const f of invalidFields ?? []) all.add(`type:${foldField(f.field).replace(/[%,]/g, encodeURIComponent)}`)
  return all.size > 0 ? [...all].join(',') : undefined
}
