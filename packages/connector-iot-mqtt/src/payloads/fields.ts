/**
 * Typed reads of payload fields that never coerce quietly. A field of the wrong type either
 * rejects the payload (the normaliser decides, when the record means nothing without it) or reads
 * as null and is noted with what it held: the record lists it in `invalidFields`, carries the
 * `firefront.altered` header and is counted.
 */
import type { JsonValue } from '@firefront/sdk'

/** A field sent in a type its format does not allow. */
export interface InvalidField {
  /** Where it is in the payload, e.g. `siteId`, `BME280.Temperature`, `uplink_message.rx_metadata[0].rssi`. */
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

/** `a number (42)`: the JSON type and the value, cut short, for rejection reasons. */
export function described(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return `${jsonType(value)} (${text.length > 60 ? `${text.slice(0, 57)}...` : text})`
}

/** A field path with array indices folded (`rx_metadata[0].rssi` → `rx_metadata[].rssi`), for headers and metric labels. */
export const foldField = (field: string): string => field.replace(/\[\d+\]/g, '[]')

/** A JSON object. */
export type Obj = { [key: string]: JsonValue }
/** True for a JSON object (not null, not an array). */
export const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Notes the fields of one payload that are not of their type. */
export class FieldReader {
  readonly invalid: InvalidField[] = []

  /** Notes `field` as not readable, keeping what it held. */
  note(field: string, problem: string, value: JsonValue): void {
    this.invalid.push({ field, problem, value })
  }

  /** A string; absent or null read as null; any other type is noted and reads as null. */
  string(field: string, value: JsonValue | undefined): string | null {
    if (value === undefined || value === null) return null
    if (typeof value === 'string') return value
    this.note(field, `${jsonType(value)}, expected a string`, value)
    return null
  }

  /** A number; absent or null read as null; any other type is noted and reads as null. */
  number(field: string, value: JsonValue | undefined): number | null {
    if (value === undefined || value === null) return null
    if (typeof value === 'number') return value
    this.note(field, `${jsonType(value)}, expected a number`, value)
    return null
  }

  /** An object; absent or null read as undefined; any other type is noted and reads as undefined. */
  object(field: string, value: JsonValue | undefined): Obj | undefined {
    if (value === undefined || value === null) return undefined
    if (isObj(value)) return value
    this.note(field, `${jsonType(value)}, expected an object`, value)
    return undefined
  }

  /** The noted fields, or undefined when there are none. */
  result(): readonly InvalidField[] | undefined {
    return this.invalid.length > 0 ? this.invalid : undefined
  }
}

/** `invalidFields` as a JSON value, to put in a record's value. */
export const invalidFieldsJson = (fields: readonly InvalidField[]): JsonValue =>
  fields.map((f) => ({ field: f.field, problem: f.problem, value: f.value }))
