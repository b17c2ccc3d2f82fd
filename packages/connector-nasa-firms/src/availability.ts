/**
 * `/api/data_availability/csv/{MAP_KEY}/ALL`: which days each FIRMS dataset covers. Historical
 * reads need it because standard processing (SP) replaces near-real-time (NRT) data after a few
 * months and the two ranges do not overlap; a day is read from whichever covers it.
 */
import { addDays } from './dates'
import { type DayWindow, dateWindows } from './windows'

/** Days a dataset covers (inclusive, `YYYY-MM-DD`). */
export interface DateRange {
  readonly min: string
  readonly max: string
}

/** Coverage by FIRMS `data_id` (e.g. `VIIRS_SNPP_SP`). */
export type Availability = ReadonlyMap<string, DateRange>

const DAY = /^\d{4}-\d{2}-\d{2}$/

/**
 * Parses the `data_id,min_date,max_date` table (columns found by name). Rows with other shapes
 * are skipped. Throws when the header lacks those columns.
 */
export function parseAvailability(text: string): Availability {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase())
  const id = header.indexOf('data_id')
  const min = header.indexOf('min_date')
  const max = header.indexOf('max_date')
  if (id < 0 || min < 0 || max < 0) {
    throw new Error(`data_availability: expected data_id,min_date,max_date, got ${JSON.stringify(lines[0] ?? '')}`)
  }
  const out = new Map<string, DateRange>()
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.trim())
    const range = { min: cells[min] ?? '', max: cells[max] ?? '' }
    if (cells[id] && DAY.test(range.min) && DAY.test(range.max)) out.set(cells[id]!.toUpperCase(), range)
  }
  return out
}

/** The NRT/SP pair a source belongs to: `VIIRS_SNPP_NRT` → [`VIIRS_SNPP_NRT`, `VIIRS_SNPP_SP`]. */
export function siblings(source: string): string[] {
  const m = /^(.*)_(NRT|SP)$/.exec(source)
  if (!m) return [source]
  return [source, `${m[1]}_${m[2] === 'NRT' ? 'SP' : 'NRT'}`]
}

/** One historical request: the dataset to ask and its days. */
export interface HistoricalRequest {
  readonly source: string
  readonly window: DayWindow
}

/**
 * Plans the reads of `first` … `last` for a configured source: each day goes to the configured
 * dataset if it covers the day, else to its NRT/SP sibling; consecutive days of one dataset are
 * read in DATE windows of at most `maxDays`. Days no dataset covers are returned in `uncovered`.
 */
export function planHistorical(
  source: string,
  first: string,
  last: string,
  availability: Availability,
  maxDays?: number,
): { requests: HistoricalRequest[]; uncovered: string[] } {
  const candidates = siblings(source)
  const requests: HistoricalRequest[] = []
  const uncovered: string[] = []
  let runSource: string | undefined
  let runFirst = first
  const flush = (end: string): void => {
    if (runSource !== undefined) {
      for (const window of dateWindows(runFirst, end, maxDays)) requests.push({ source: runSource, window })
    }
  }
  for (let day = first; day <= last; day = addDays(day, 1)) {
    const pick = candidates.find((c) => {
      const range = availability.get(c)
      return range !== undefined && range.min <= day && day <= range.max
    })
    if (pick !== runSource) {
      flush(addDays(day, -1))
      runSource = pick
      runFirst = day
    }
    if (pick === undefined) uncovered.push(day)
  }
  flush(last)
  return { requests, uncovered }
}
