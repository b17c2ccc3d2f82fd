/**
 * NWS quantitative values (`{unitCode, value, qualityControl}`) converted to one SI-style unit per
 * measure. Both unit prefixes (`wmoUnit:` now, `unit:` in older answers) and both QC spellings
 * (`V`, `qc:V`) are read. `null` stays `null`.
 */
import { type FieldReader, jsonType } from './fields'

/** The unit each measure is converted to. */
export type Measure = 'celsius' | 'kmh' | 'pascal' | 'metre' | 'millimetre' | 'percent' | 'degree'

type Convert = (value: number) => number

const CONVERSIONS: Record<Measure, Record<string, Convert>> = {
  celsius: { degC: (v) => v, degF: (v) => ((v - 32) * 5) / 9, K: (v) => v - 273.15 },
  kmh: {
    'km_h-1': (v) => v,
    'm_s-1': (v) => v * 3.6,
    kt: (v) => v * 1.852,
    kn: (v) => v * 1.852,
    '[kn_i]': (v) => v * 1.852,
    'mi_h-1': (v) => v * 1.609344,
    '[mi_i]/h': (v) => v * 1.609344,
  },
  pascal: { Pa: (v) => v, hPa: (v) => v * 100, kPa: (v) => v * 1000, mbar: (v) => v * 100 },
  metre: { m: (v) => v, km: (v) => v * 1000, mm: (v) => v / 1000, cm: (v) => v / 100, mi: (v) => v * 1609.344 },
  millimetre: { mm: (v) => v, m: (v) => v * 1000, cm: (v) => v * 10, in: (v) => v * 25.4, '[in_i]': (v) => v * 25.4 },
  percent: { percent: (v) => v, '%': (v) => v },
  degree: { 'degree_(angle)': (v) => v, deg: (v) => v },
}

/** The unit code (`wmoUnit:` vocabulary, as NWS writes it) of each measure's converted values. */
export const MEASURE_UNIT: Readonly<Record<Measure, string>> = {
  celsius: 'wmoUnit:degC',
  kmh: 'wmoUnit:km_h-1',
  pascal: 'wmoUnit:Pa',
  metre: 'wmoUnit:m',
  millimetre: 'wmoUnit:mm',
  percent: 'wmoUnit:percent',
  degree: 'wmoUnit:degree_(angle)',
}

/** A converted quantity. */
export interface Quantity {
  /** The value in the measure's unit, rounded to 4 decimals; `null` when absent or unconvertible. */
  readonly value: number | null
  /** The unit code as NWS sent it (`wmoUnit:km_h-1`, `unit:m_s-1`), or null. */
  readonly unitCode: string | null
  /** The QC flag without its `qc:` prefix (`V`, `C`, `Z`, `S`…), or null when absent. */
  readonly qc: string | null
  /** True when a number came with a unit this connector cannot convert. */
  readonly unknownUnit: boolean
}

/** `wmoUnit:degC`, `unit:degC` → `degC`. */
export function bareUnit(unitCode: string): string {
  return unitCode.replace(/^(?:wmoUnit|unit|wmo|uom):/, '')
}

/** `qc:V` → `V`. */
export function bareQc(flag: unknown): string | null {
  return typeof flag === 'string' && flag !== '' ? flag.replace(/^qc:/, '') : null
}

const round = (n: number): number => Math.round(n * 10_000) / 10_000

/**
 * Reads one quantitative value into `measure`. Absent or null reads as null. With a `reader`,
 * anything else that is not a quantity (a bare number, a string value, a non-string unit) is
 * noted there under `field` instead of reading as null quietly.
 */
export function quantity(raw: unknown, measure: Measure, reader?: FieldReader, field = 'value'): Quantity {
  const none = { value: null, unitCode: null, qc: null, unknownUnit: false }
  if (raw === undefined || raw === null) return none
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    reader?.note(field, `${jsonType(raw)}, expected a quantitative value {unitCode, value}`, raw)
    return none
  }
  const q = raw as { unitCode?: unknown; value?: unknown; qualityControl?: unknown }
  const unitCode = reader
    ? reader.string(`${field}.unitCode`, q.unitCode)
    : typeof q.unitCode === 'string'
      ? q.unitCode
      : null
  if (reader && q.qualityControl !== undefined && q.qualityControl !== null && typeof q.qualityControl !== 'string') {
    reader.note(`${field}.qualityControl`, `${jsonType(q.qualityControl)}, expected a string`, q.qualityControl)
  }
  const qc = bareQc(q.qualityControl)
  const value = reader
    ? reader.number(`${field}.value`, q.value)
    : typeof q.value === 'number' && Number.isFinite(q.value)
      ? q.value
      : null
  if (value === null) return { value: null, unitCode, qc, unknownUnit: false }
  const convert = unitCode === null ? undefined : CONVERSIONS[measure][bareUnit(unitCode)]
  if (convert === undefined) return { value: null, unitCode, qc, unknownUnit: true }
  return { value: round(convert(value)), unitCode, qc, unknownUnit: false }
}
