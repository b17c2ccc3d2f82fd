/**
 * UTC calendar days as `YYYY-MM-DD` strings: FIRMS speaks in UTC dates (`acq_date`, `DATE`).
 */

const DAY_MS = 86_400_000
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Milliseconds at 00:00 UTC of `day`, or `undefined` when `day` is not a real calendar date. */
export function dayStartMs(day: string): number | undefined {
  const m = DAY.exec(day)
  if (!m) return undefined
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  const ms = Date.UTC(y, mo - 1, d)
  const back = new Date(ms)
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined
  return ms
}

/** The UTC day containing `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** `day` moved by `n` days (negative goes back). `day` must be valid. */
export function addDays(day: string, n: number): string {
  return utcDay((dayStartMs(day) ?? Number.NaN) + n * DAY_MS)
}

/** Whole days from `a` to `b` (`b - a`); both must be valid. */
export function daysBetween(a: string, b: string): number {
  return Math.round(((dayStartMs(b) ?? Number.NaN) - (dayStartMs(a) ?? Number.NaN)) / DAY_MS)
}

/** The earlier of two days. */
export function minDay(a: string, b: string): string {
  return a < b ? a : b
}
