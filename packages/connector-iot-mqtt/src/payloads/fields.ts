/**
 * Typed reads of payload fields that never coerce quietly. A field of the wrong type either
 * rejects the payload (the normaliser decides, when the record means nothing without it) or reads
 * as null and is noted with what it held: the record lists it in `invalidFields`, carries the
 * `firefront.altered` header and is counted.
 */
import { type InvalidField, type JsonValue, jsonType } from '@firefront/sdk'

export { foldField, type InvalidField, jsonType } from '@firefront/sdk'

/** `a number (42)`: the JSON type and the value, cut short, for rejection reasons. */
export function described(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return `${jsonType(value)} (${text.length > 60 ? `${text.slice(0, 57)}...` : text})`
}

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
