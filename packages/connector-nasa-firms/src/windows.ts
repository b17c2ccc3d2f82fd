/**
 * Day windows of FIRMS requests. DAY_RANGE is 1–5: longer spans are split. Without DATE a
 * request reads the most recent DAY_RANGE days (today back to today−(DAY_RANGE−1)); with DATE it
 * reads DATE … DATE+DAY_RANGE−1, forward.
 */
import { addDays, daysBetween } from './dates'

/** The most days one FIRMS request may ask for. */
export const MAX_DAY_RANGE = 5

/** One request's days. */
export interface DayWindow {
  /** First and last UTC day read (inclusive). */
  readonly first: string
  readonly last: string
  /** DAY_RANGE of the request: days from `first` to `last`. */
  readonly dayRange: number
  /** DATE of the request, when it is historical (then `date === first`). */
  readonly date?: string
}

/** Windows of at most {@link MAX_DAY_RANGE} days covering `first` … `last`, each with a DATE. */
export function dateWindows(first: string, last: string, max = MAX_DAY_RANGE): DayWindow[] {
  const windows: DayWindow[] = []
  const total = daysBetween(first, last) + 1
  for (let offset = 0; offset < total; offset += max) {
    const start = addDays(first, offset)
    const dayRange = Math.min(max, total - offset)
    windows.push({ first: start, last: addDays(start, dayRange - 1), dayRange, date: start })
  }
  return windows
}

/**
 * The smallest set of requests covering `from` … `today`: one "most recent N days" request when
 * N ≤ 5, else DATE requests of at most 5 days. `from` after `today` is read as `today`.
 */
export function recentWindows(from: string, today: string): DayWindow[] {
  const first = from > today ? today : from
  const days = daysBetween(first, today) + 1
  if (days <= MAX_DAY_RANGE) return [{ first, last: today, dayRange: days }]
  return dateWindows(first, today)
}
