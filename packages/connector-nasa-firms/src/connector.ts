/**
 * The NASA FIRMS pull connector: reads the area or country CSV API for each configured source,
 * within the MAP_KEY's transaction budget, and emits each detection once.
 */
import {
  type PluginContext,
  type PollRequest,
  type PollResult,
  type PullConnector,
  RetryableError,
  type SourceRecord,
  defineConnector,
  errorCode,
} from '@firefront/sdk'
import pkg from '../package.json'
import { type Availability, parseAvailability, planHistorical } from './availability'
import { type TransactionBudget, budgetForKey } from './budget'
import { FirmsBodyTooLargeError, type FirmsResponse, FirmsClient } from './client'
import { FirmsConfig, type FirmsSettings, type FirmsSource, resolveSettings, settingsIssues } from './config'
import { type BackfillCursor, type FirmsCursor, type SourceCursor, admit, cursorJson, readCursor } from './cursor'
import { addDays, minDay, utcDay } from './dates'
import { type InvalidLine, findInvalidLines, invalidLineReason } from './invalid-lines'
import { type FirmsDetection, detectionKey, parseFirmsCsv } from './parse'
import { linkSignals } from '@firefront/sdk'
import { type DayWindow, dateWindows, recentWindows } from './windows'

const AVAILABILITY_TTL_MS = 3_600_000

/** The longest transaction window believed from mapkey_status (FIRMS documents 10 minutes). */
const MAX_TRANSACTION_WINDOW_MS = 3_600_000

/** One request of a poll: a configured source (its cursor slot), the dataset asked and its days. */
interface Request {
  readonly slot: FirmsSource
  readonly source: string
  readonly window: DayWindow
}

/** The NASA FIRMS connector (`source_type: nasa_firms`). */
export const nasaFirmsConnector = defineConnector({
  name: 'nasa-firms',
  version: pkg.version,
  description: 'NASA FIRMS satellite fire detections (area and country CSV APIs)',
  sourceTypes: ['nasa_firms'],
  defaultTopic: 'wildfire-nasa-firms',
  configSchema: FirmsConfig,
  create: (config, ctx) => createFirmsPoller(resolveSettings(config, process.env), ctx),
  // the same checks as create, without connecting, so `firefront validate` refuses what `run` would
  checkConfig: (config, { env }) => settingsIssues(config, env),
})

/** Builds the pull connector instance for resolved settings. */
export function createFirmsPoller(settings: FirmsSettings, ctx: PluginContext): PullConnector {
  const client = new FirmsClient({
    baseUrl: settings.baseUrl,
    mapKey: settings.mapKey,
    fetch: ctx.fetch,
    timeoutMs: settings.requestTimeoutMs,
    maxBodyBytes: settings.maxBodyBytes,
    now: () => ctx.clock.now(),
  })
  const budget: TransactionBudget = budgetForKey(settings.mapKey, settings.transactionLimit)
  const log = ctx.logger
  const m = {
    requests: ctx.metrics.counter('firms_requests_total', 'FIRMS HTTP requests'),
    transactions: ctx.metrics.counter('firms_transactions_total', 'FIRMS transactions spent (one per day of range)'),
    rows: ctx.metrics.counter('firms_rows_total', 'CSV rows read'),
    rejected: ctx.metrics.counter('firms_rows_rejected_total', 'CSV rows rejected as malformed'),
    invalidUtf8: ctx.metrics.counter('firms_rows_invalid_utf8_total', 'CSV rows rejected for bytes that are not UTF-8'),
    oversize: ctx.metrics.counter('firms_bodies_oversize_total', 'answers over max_body_bytes, dead-lettered unread'),
    emitted: ctx.metrics.counter('firms_detections_emitted_total', 'detections emitted'),
    duplicates: ctx.metrics.counter('firms_duplicates_total', 'rows skipped as already emitted'),
    stale: ctx.metrics.counter('firms_stale_rows_total', 'rows older than the dedupe window, skipped'),
    budgetWait: ctx.metrics.histogram('firms_budget_wait_seconds', 'time waited for the transaction budget'),
  }
  let availability: { at: number; table: Availability | undefined } | undefined

  const spend = async (cost: number, signal: AbortSignal): Promise<void> => {
    // Said before the wait, so a quiet process is explained; the wait is at most one window.
    const ahead = budget.waitFor(cost, ctx.clock.now())
    if (ahead > 0) {
      log.info(
        { waitMs: ahead, cost, limit: budget.limit, windowMs: budget.windowMs },
        'waiting for the FIRMS transaction budget (bounded by the source timeout_seconds)',
      )
    }
    const waited = await budget.acquire(cost, ctx.clock, signal)
    if (waited > 0) {
      m.budgetWait.observe(waited / 1000)
      log.info({ waitedMs: waited, cost }, 'waited for the FIRMS transaction budget')
    }
    m.transactions.inc(cost)
  }

  /** Reads one window of one dataset; malformed rows go to the dead-letter path. */
  const fetchRows = async (request: Request, signal: AbortSignal): Promise<FirmsDetection[]> => {
    const { window, source } = request
    await spend(window.dayRange, signal)
    const url = client.detectionsUrl(settings.target, source, window.dayRange, window.date)
    m.requests.inc(1, { source })
    let res: FirmsResponse
    try {
      res = await client.csv(url, signal)
    } catch (err) {
      if (!(err instanceof FirmsBodyTooLargeError)) throw err
      // Not retried: the same request brings the same body. The window stays unread (the
      // cursor does not pass it) and the dead letter says how large the answer was.
      m.oversize.inc(1, { source })
      log.warn(
        { url: err.url, size: err.size, bytesRead: err.bytesRead },
        'FIRMS answer over max_body_bytes dead-lettered',
      )
      ctx.reject({
        reason: err.message,
        input: {
          size: err.size,
          max_body_bytes: err.maxBytes,
          preview: err.preview,
        },
        location: err.url,
      })
      return []
    }
    const invalid = res.invalid && res.bytes ? findInvalidLines(res.bytes) : undefined
    const altered = (line: string): InvalidLine | undefined => invalid?.get(line)?.[0]
    let parsed: ReturnType<typeof parseFirmsCsv>
    try {
      parsed = parseFirmsCsv(res.text, {
        source,
        ...(invalid ? { checkLine: (line: string) => mapDefined(altered(line), invalidLineReason) } : {}),
      })
    } catch (err) {
      throw new RetryableError(`${client.redact((err as Error).message)} (${res.url})`)
    }
    let invalidRows = 0
    for (const row of parsed.rejected) {
      const bad = invalid?.get(row.input)?.shift()
      if (bad) invalidRows++
      ctx.reject({
        reason: row.reason,
        // The bytes as received, beside the text with U+FFFD in place of the bad ones.
        input: bad ? { text: client.redact(row.input), base64: bad.base64 } : row.input,
        location: `row ${row.row} of ${res.url}`,
      })
    }
    m.rows.inc(parsed.detections.length + parsed.rejected.length, { source })
    if (parsed.rejected.length > 0) m.rejected.inc(parsed.rejected.length, { source })
    if (invalidRows > 0) m.invalidUtf8.inc(invalidRows, { source })
    log.debug(
      {
        url: res.url,
        status: res.status,
        ms: res.ms,
        rows: parsed.detections.length,
        rejected: parsed.rejected.length,
      },
      'FIRMS window read',
    )
    return parsed.detections
  }

  const getAvailability = async (signal: AbortSignal): Promise<Availability | undefined> => {
    const now = ctx.clock.now()
    if (availability && now - availability.at < AVAILABILITY_TTL_MS) return availability.table
    await spend(1, signal)
    const res = await client.availability(signal)
    let table: Availability | undefined
    try {
      if (res.invalid) {
        throw new Error(`the table holds bytes that are not valid UTF-8 (the first at byte ${res.invalid.firstOffset})`)
      }
      table = parseAvailability(res.text)
    } catch (err) {
      log.warn(
        { url: res.url, error: client.redact((err as Error).message) },
        'data_availability unreadable; reading the configured sources as they are',
      )
    }
    availability = { at: now, table }
    return table
  }

  /** Turns each slot's rows into records, advancing its cursor. */
  const emit = (
    cursor: FirmsCursor,
    rowsBySlot: ReadonlyMap<FirmsSource, FirmsDetection[]>,
  ): { records: SourceRecord<FirmsDetection>[]; sources: Record<string, SourceCursor> } => {
    const records: SourceRecord<FirmsDetection>[] = []
    const sources: Record<string, SourceCursor> = { ...cursor.sources }
    for (const [slot, rows] of rowsBySlot) {
      const admitted = admit(cursor.sources[slot], rows, settings.dedupeWindowMs)
      if (admitted.cursor) sources[slot] = admitted.cursor
      for (const row of admitted.fresh)
        records.push({ key: detectionKey(row), value: row, eventTime: row.acq_datetime })
      m.emitted.inc(admitted.fresh.length, { source: slot })
      if (admitted.duplicates > 0) m.duplicates.inc(admitted.duplicates, { source: slot })
      if (admitted.stale > 0) m.stale.inc(admitted.stale, { source: slot })
      log.debug(
        {
          firms_source: slot,
          rows: rows.length,
          emitted: admitted.fresh.length,
          duplicates: admitted.duplicates,
          stale: admitted.stale,
        },
        'FIRMS source polled',
      )
    }
    return { records, sources }
  }

  /** Live polling: each source from its cursor (less the dedupe window) up to today. */
  const pollRecent = async (cursor: FirmsCursor, signal: AbortSignal): Promise<PollResult> => {
    const today = utcDay(ctx.clock.now())
    const oldest = addDays(today, -(settings.maxCatchUpDays - 1))
    const rowsBySlot = new Map<FirmsSource, FirmsDetection[]>()
    let firstError: unknown
    for (const slot of settings.sources) {
      const previous = cursor.sources[slot]
      let from = previous
        ? utcDay(Date.parse(previous.newest) - settings.dedupeWindowMs)
        : addDays(today, -(settings.initialDayRange - 1))
      if (previous && from < oldest) {
        log.warn(
          { firms_source: slot, from, oldest },
          'cursor is older than max_catch_up_days; days before are skipped',
        )
        from = oldest
      }
      try {
        const rows: FirmsDetection[] = []
        for (const window of recentWindows(from, today)) {
          // A loop, not push(...): a world-wide window can hold more rows than a call has arguments.
          for (const row of await fetchRows({ slot, source: slot, window }, signal)) rows.push(row)
        }
        rowsBySlot.set(slot, rows)
      } catch (err) {
        // A refused configuration or a stop ends the poll; a transient failure of one source
        // leaves its cursor where it was and lets the others through.
        if (errorCode(err) !== 'ERR_RETRYABLE' || signal.aborted) throw err
        firstError ??= err
        const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs
        log.warn(
          {
            // the logger already names the config's source; this is the FIRMS dataset
            firms_source: slot,
            error: (err as Error).message,
            ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
          },
          'FIRMS source failed in this poll; its cursor stays where it was, so a later poll (a retry, the next cycle, or with --once the next run) reads it again',
        )
      }
    }
    if (rowsBySlot.size === 0 && firstError !== undefined) throw firstError
    const { records, sources } = emit(cursor, rowsBySlot)
    const next: FirmsCursor = cursor.backfill ? { v: 1, sources, backfill: cursor.backfill } : { v: 1, sources }
    return { records, cursor: cursorJson(next) }
  }

  /** Historical backfill: one window of days per poll, each day from the dataset that covers it. */
  const pollBackfill = async (
    cursor: FirmsCursor,
    progress: BackfillCursor,
    signal: AbortSignal,
  ): Promise<PollResult> => {
    const today = utcDay(ctx.clock.now())
    const end = settings.endDate === undefined ? today : minDay(settings.endDate, today)
    const last = minDay(addDays(progress.next, settings.backfillDaysPerPoll - 1), end)
    const table = await getAvailability(signal)
    const rowsBySlot = new Map<FirmsSource, FirmsDetection[]>()
    for (const slot of settings.sources) {
      const plan = table
        ? planHistorical(slot, progress.next, last, table)
        : { requests: dateWindows(progress.next, last).map((window) => ({ source: slot, window })), uncovered: [] }
      if (plan.uncovered.length > 0) {
        log.info({ firms_source: slot, days: plan.uncovered }, 'no FIRMS dataset covers these days; skipped')
      }
      const rows: FirmsDetection[] = []
      for (const request of plan.requests) {
        for (const row of await fetchRows({ slot, ...request }, signal)) rows.push(row)
      }
      rowsBySlot.set(slot, rows)
    }
    const { records, sources } = emit(cursor, rowsBySlot)
    const next = addDays(last, 1)
    const done = next > end
    if (done) log.info({ start: progress.start, end }, 'FIRMS backfill complete')
    const backfill: BackfillCursor = { start: progress.start, next, done }
    return { records, cursor: cursorJson({ v: 1, sources, backfill }), hasMore: !done }
  }

  return {
    mode: 'pull',
    async start() {
      if (!settings.checkKeyStatus) return
      await spend(1, ctx.signal)
      const status = await client.keyStatus(ctx.signal)
      if (status.transactionLimit !== undefined && status.transactionLimit < budget.limit) {
        budget.limit = status.transactionLimit
      }
      if (status.intervalMs !== undefined && status.intervalMs > budget.windowMs) {
        // Believed up to an hour: a budget wait is at most one window, and must stay bounded.
        budget.windowMs = Math.min(status.intervalMs, MAX_TRANSACTION_WINDOW_MS)
      }
      // Transactions already spent elsewhere with this key count from now on: conservative.
      if (status.currentTransactions !== undefined) budget.record(status.currentTransactions, ctx.clock.now())
      log.info(
        {
          transactionLimit: status.transactionLimit,
          currentTransactions: status.currentTransactions,
          transactionInterval: status.interval,
        },
        'FIRMS MAP_KEY accepted',
      )
    },
    async poll(request: PollRequest): Promise<PollResult> {
      request.signal.throwIfAborted()
      const linked = linkSignals([request.signal, ctx.signal])
      try {
        const read = readCursor(request.cursor)
        if (read.problem) log.warn({ problem: read.problem }, 'ignoring the stored cursor; starting afresh')
        const cursor = read.cursor
        if (settings.startDate !== undefined) {
          if (cursor.backfill?.start !== settings.startDate) {
            // A new start_date starts a new backfill from an empty cursor: what was read live before
            // must not make the older rows look stale. Records may be emitted again, with the same keys.
            const progress = { start: settings.startDate, next: settings.startDate, done: false }
            return await pollBackfill({ v: 1, sources: {} }, progress, linked.signal)
          }
          if (!cursor.backfill.done) return await pollBackfill(cursor, cursor.backfill, linked.signal)
          // A bounded backfill ends the source: nothing more to read.
          if (settings.endDate !== undefined) return { records: [], cursor: cursorJson(cursor) }
        }
        return await pollRecent(cursor, linked.signal)
      } finally {
        linked.dispose()
      }
    },
    async close() {},
  }
}

const mapDefined = <T, R>(value: T | undefined, f: (v: T) => R): R | undefined =>
  value === undefined ? undefined : f(value)
