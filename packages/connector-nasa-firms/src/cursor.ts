/**
 * The connector's cursor and the dedupe that rides on it.
 *
 * Per FIRMS source the cursor keeps the newest acquisition time seen and the pixels seen in the
 * last `dedupe_window_hours` before it, grouped by acquisition minute. A row is emitted when it is
 * not older than that window and its pixel was not seen at its minute, so a re-read of the same
 * days (each poll re-reads from the cursor's day) emits nothing twice, while a late row (processed
 * after newer ones were read) still gets through. The cursor is the only state: a poll that is
 * retried from an older cursor re-emits what that cursor had not yet acknowledged.
 */
import type { JsonValue } from '@firefront/sdk'
import { dayStartMs } from './dates'
import { type FirmsDetection, pixelKey } from './parse'

/** Cursor state of one FIRMS source. */
export interface SourceCursor {
  /** Newest acquisition time seen, ISO-8601 UTC. */
  readonly newest: string
  /** Pixels seen, by acquisition minute (ISO-8601): `<satellite>:<latitude>:<longitude>`. */
  readonly seen: Readonly<Record<string, readonly string[]>>
}

/** Progress of a historical backfill. */
export interface BackfillCursor {
  /** The `start_date` this backfill began from (a new `start_date` starts a new backfill). */
  readonly start: string
  /** Next UTC day to read. */
  readonly next: string
  /** True once the backfill reached its end (or today). */
  readonly done: boolean
}

/** The whole cursor, as committed by the runtime (JSON). */
export interface FirmsCursor {
  readonly v: 1
  /** Keyed by the configured FIRMS source. */
  readonly sources: Readonly<Record<string, SourceCursor>>
  readonly backfill?: BackfillCursor
}

/** An empty cursor. */
export const EMPTY_CURSOR: FirmsCursor = { v: 1, sources: {} }

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Reads a cursor handed back by the runtime. Returns `undefined` for no cursor, and `problem` for
 * one this connector did not write (the caller starts afresh and says so).
 */
export function readCursor(value: unknown): { cursor: FirmsCursor; problem?: string } {
  if (value === undefined || value === null) return { cursor: EMPTY_CURSOR }
  if (!isRecord(value) || value.v !== 1 || !isRecord(value.sources)) {
    return { cursor: EMPTY_CURSOR, problem: 'not a nasa-firms cursor (version 1)' }
  }
  const sources: Record<string, SourceCursor> = {}
  for (const [name, raw] of Object.entries(value.sources)) {
    if (!isRecord(raw) || typeof raw.newest !== 'string' || !ISO.test(raw.newest) || !isRecord(raw.seen)) {
      return { cursor: EMPTY_CURSOR, problem: `cursor of ${name} is malformed` }
    }
    const seen: Record<string, string[]> = {}
    for (const [minute, pixels] of Object.entries(raw.seen)) {
      if (!Array.isArray(pixels) || !pixels.every((p) => typeof p === 'string')) {
        return { cursor: EMPTY_CURSOR, problem: `cursor of ${name} has a malformed seen list` }
      }
      seen[minute] = pixels as string[]
    }
    sources[name] = { newest: raw.newest, seen }
  }
  let backfill: BackfillCursor | undefined
  if (value.backfill !== undefined) {
    const b = value.backfill
    if (
      !isRecord(b) ||
      typeof b.start !== 'string' ||
      typeof b.next !== 'string' ||
      dayStartMs(b.start) === undefined ||
      dayStartMs(b.next) === undefined ||
      typeof b.done !== 'boolean'
    ) {
      return { cursor: EMPTY_CURSOR, problem: 'backfill progress is malformed' }
    }
    backfill = { start: b.start, next: b.next, done: b.done }
  }
  return { cursor: backfill ? { v: 1, sources, backfill } : { v: 1, sources } }
}

/** The cursor as JSON for the runtime. */
export function cursorJson(cursor: FirmsCursor): JsonValue {
  return cursor as unknown as JsonValue
}

/** What {@link admit} decided for one source's rows. */
export interface Admitted {
  /** Rows to emit, in the order read. */
  readonly fresh: FirmsDetection[]
  /** Rows already emitted (same pixel, same minute). */
  readonly duplicates: number
  /** Rows older than the dedupe window before the newest time seen: taken as already delivered. */
  readonly stale: number
  /** The source's next cursor state (the previous one when nothing was read). */
  readonly cursor: SourceCursor | undefined
}

/**
 * Decides which of `rows` (one source, one poll, any order) are new, and the source's next cursor.
 * `windowMs` is the dedupe window: how far before the newest time seen a row is still accepted.
 */
export function admit(previous: SourceCursor | undefined, rows: readonly FirmsDetection[], windowMs: number): Admitted {
  const prevNewest = previous ? Date.parse(previous.newest) : Number.NEGATIVE_INFINITY
  const floor = prevNewest - windowMs
  const seen = new Map<string, Set<string>>()
  for (const [minute, pixels] of Object.entries(previous?.seen ?? {})) seen.set(minute, new Set(pixels))
  const fresh: FirmsDetection[] = []
  let duplicates = 0
  let stale = 0
  let newest = prevNewest
  let minute = ''
  let minuteMs = 0
  let pixels: Set<string> | undefined
  for (const row of rows) {
    // Rows come grouped by acquisition minute: look the minute up only when it changes.
    if (row.acq_datetime !== minute) {
      minute = row.acq_datetime
      minuteMs = Date.parse(minute)
      pixels = seen.get(minute)
      if (pixels === undefined) {
        pixels = new Set()
        seen.set(minute, pixels)
      }
    }
    if (minuteMs < floor) {
      stale++
      continue
    }
    const pixel = pixelKey(row)
    if (pixels!.has(pixel)) {
      duplicates++
      continue
    }
    pixels!.add(pixel)
    fresh.push(row)
    if (minuteMs > newest) newest = minuteMs
  }
  if (newest === Number.NEGATIVE_INFINITY) return { fresh, duplicates, stale, cursor: previous }
  const keepFrom = newest - windowMs
  const kept: Record<string, string[]> = {}
  for (const at of [...seen.keys()].sort()) {
    const set = seen.get(at)!
    if (set.size > 0 && Date.parse(at) >= keepFrom) kept[at] = [...set]
  }
  return {
    fresh,
    duplicates,
    stale,
    cursor: { newest: new Date(newest).toISOString().replace('.000Z', 'Z'), seen: kept },
  }
}
