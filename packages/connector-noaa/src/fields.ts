/**
 * Typed reads of NWS fields that never coerce quietly: a field of the wrong type (an object for
 * `areaDesc`, an array for `severity`, a string for a number) reads as null, as an absent field
 * does, but is noted with what it held. The connector keeps the record, lists the field in the
 * record's `invalidFields` and in its `firefront.altered` header, and counts it.
 */
import { type InvalidField, type JsonValue, jsonType } from '@firefront/sdk'

export type { InvalidField } from '@firefront/sdk'
export { jsonType } from '@firefront/sdk'

const asJson = (value: unknown): JsonValue => {
  try {
    return JSON.parse(JSON.stringify(value ?? null)) as JsonValue
  } catch {
    return String(value)
  }
}

/** Reads the fields of one feature and collects the ones that are not of their type. */
export class FieldReader {
  readonly invalid: InvalidField[] = []

  /** Notes `field` as not readable, keeping what it held. */
  note(field: string, problem: string, value: unknown): void {
    this.invalid.push({ field, problem, value: asJson(value) })
  }

  /** A string; absent, null or blank read as null; any other type is noted and reads as null. */
  string(field: string, value: unknown): string | null {
    if (value === undefined || value === null) return null
    if (typeof value === 'string') return value.trim() === '' ? null : value
    this.note(field, `${jsonType(value)}, expected a string`, value)
    return null
  }

  /** A finite number; absent or null read as null; any other value is noted and reads as null. */
  number(field: string, value: unknown): number | null {
    if (value === undefined || value === null) return null
    if (typeof value === 'number' && Number.isFinite(value)) return value
    this.note(
      field,
      typeof value === 'number' ? `${value}, expected a finite number` : `${jsonType(value)}, expected a number`,
      value,
    )
    return null
  }

  /**
   * A number that NWS may also print as a decimal string (raw gridpoints send `"gridX": "58"`):
   * the string is read as the number it spells; anything else is handled as {@link number}.
   */
  numeric(field: string, value: unknown): number | null {
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value)
    return this.number(field, value)
  }

  /** An array of strings; absent or null read as []; a non-array or a non-string item is noted and left out. */
  strings(field: string, value: unknown): string[] {
    if (value === undefined || value === null) return []
    if (!Array.isArray(value)) {
      this.note(field, `${jsonType(value)}, expected an array of strings`, value)
      return []
    }
    const out: string[] = []
    for (const [i, item] of value.entries()) {
      if (typeof item === 'string') out.push(item)
      else this.note(`${field}[${i}]`, `${jsonType(item)}, expected a string`, item)
    }
    return out
  }

  /** An object; absent or null read as {}; any other type is noted and reads as {}. */
  object(field: string, value: unknown): Record<string, unknown> {
    if (value === undefined || value === null) return {}
    if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
    this.note(field, `${jsonType(value)}, expected an object`, value)
    return {}
  }

  /** `{ invalidFields }` when something was noted, else `{}`: spread into the record's value. */
  result(): { invalidFields?: readonly InvalidField[] } {
    return this.invalid.length > 0 ? { invalidFields: this.invalid } : {}
  }
}
