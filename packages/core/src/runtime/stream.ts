/**
 * One running stream: a source's connector, behind the API client (pull) or as a subscription
 * (push), driven by its ingestion mode, feeding the pipeline; and the bookkeeping that commits its
 * cursor once everything fetched before it is accounted for. The stream owns its counts and its
 * status: they change only through its methods, and the pipeline reports back through the
 * {@link StreamPort} it implements.
 */
import {
  type Clock,
  type ConnectorInstance,
  type Cursor,
  type Emit,
  errorCode,
  FirefrontError,
  HEADERS,
  type IngestionModeInstance,
  type JsonValue,
  type Logger,
  linkSignals,
  type ModeMetrics,
  type ModeSource,
  type PollResult,
  type Priority,
  type RejectedInput,
  type SinkRecord,
  type SinkResult,
  type SourceInfo,
  type SourceRecord,
} from '@firefront/sdk'
import { isDeepStrictEqual } from 'node:util'
import { ApiClient, type ApiClientMetrics } from '../api/api-client'
import { retryPoll } from '../api/retry'
import type { SourceConfig } from '../config/schema'
import type { CursorStore } from '../cursors/file-cursor-store'
import type { IntakeJournal, JournalStats } from '../journal/intake-journal'
import { CheckpointTracker } from './checkpoints'
import { DropLog } from './drop-log'
import type { DropReason, RuntimeEmitter } from './events'
import type { Pipeline, StreamPort } from './pipeline'
import type { QueuedRecord } from './queued-record'
import type { RejectMemory } from './reject-memory'
import { Supervisor } from './supervisor'

/**
 * Per-stream record accounting. fetched + rejected (first time) = sent + dead-lettered + spooled +
 * dropped + failed + in flight, where rejected inputs are dead-lettered (or dropped when the DLQ is
 * off).
 */
export interface StreamCounts {
  readonly fetched: number
  /** Inputs the connector rejected (each dead-lettered once). */
  readonly rejected: number
  /** Rejected inputs seen again in a later poll and not dead-lettered a second time. */
  readonly rejected_repeats: number
  /** Inputs the connector left out on purpose (`ctx.skip`: redelivered duplicates, skipped kinds). */
  readonly skipped: number
  /** Records and dead letters sent again from the intake journal at start (also in fetched / rejected). */
  readonly replayed: number
  readonly enqueued: number
  readonly dropped: number
  readonly sent: number
  readonly dead_lettered: number
  readonly spooled: number
  readonly failed: number
  readonly polls_failed: number
  readonly cursor_commits: number
}

type MutableCounts = { -readonly [K in keyof StreamCounts]: number }

/** Where a stream is in its life. */
export type StreamStatus = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed'

/** A stream's figures in `getMetrics()` (the seed's per-stream `mode` and `api`, plus accounting). */
export interface StreamMetrics {
  readonly stream_id: string
  readonly source_id: string
  readonly source_type: string
  readonly connector: string
  readonly status: StreamStatus
  readonly started_at: string
  /** The priority its records are queued with. */
  readonly priority: Priority
  readonly last_error: string | null
  /** When the last error was met (ISO 8601), or null. */
  readonly last_error_at: string | null
  readonly records: StreamCounts
  /** {@link StreamCounts.skipped} by the connector's reason. */
  readonly skipped_by_reason: Readonly<Record<string, number>>
  readonly pending_checkpoints: number
  /** The push source's intake journal, or null (pull sources, `journal.enabled: false`). */
  readonly journal: JournalStats | null
  readonly mode: ModeMetrics
  readonly api: ApiClientMetrics | null
}

/** What a stream needs from the manager. */
export interface StreamDeps {
  readonly streamId: string
  readonly sourceId: string
  readonly source: SourceConfig
  readonly info: SourceInfo
  readonly connectorName: string
  readonly connector: ConnectorInstance
  readonly mode: IngestionModeInstance
  readonly modeName: string
  readonly priority: Priority
  readonly cursorStore: CursorStore
  readonly events: RuntimeEmitter
  readonly logger: Logger
  readonly clock: Clock
  readonly pipeline: Pick<Pipeline, 'enqueue' | 'transact' | 'transactional'>
  /** The dead-letter topic for rejected inputs, or undefined when the DLQ is disabled. */
  readonly dlqTopic?: string
  /** Called when the stream must end by itself (the remote refused the configuration). */
  readonly onFatal: (error: Error) => void
  /** The source's memory of rejected inputs (kept by the manager across the source's streams). */
  readonly rejects: RejectMemory
  /** A push source's intake journal (kept by the manager across the source's streams). */
  readonly journal?: IntakeJournal
}

/** A connector's record as the sink takes it. One fixed object shape (no spread): runs per record. */
function sinkRecord(
  r: SourceRecord,
  sourceId: string,
  sourceType: string,
  priority: Priority,
  ingestedAt: string,
): SinkRecord {
  return {
    key: r.key,
    value: r.value,
    eventTime: r.eventTime,
    headers: r.headers,
    topic: r.topic,
    sourceId,
    sourceType,
    priority: r.priority ?? priority,
    ingestedAt,
  }
}

/** One stream; see the module comment. */
export class Stream implements StreamPort {
  readonly d: StreamDeps
  readonly api?: ApiClient
  readonly startedAt: Date
  readonly #counts: MutableCounts = {
    fetched: 0,
    rejected: 0,
    rejected_repeats: 0,
    skipped: 0,
    replayed: 0,
    enqueued: 0,
    dropped: 0,
    sent: 0,
    dead_lettered: 0,
    spooled: 0,
    failed: 0,
    polls_failed: 0,
    cursor_commits: 0,
  }
  readonly #skipped = new Map<string, number>()
  #status: StreamStatus = 'starting'
  #lastError: Error | undefined
  #lastErrorAt: number | undefined
  readonly #abort = new AbortController()
  readonly #checkpoints = new CheckpointTracker()
  readonly #parts = new Supervisor()
  /** Rejected inputs of the poll in flight: they join its checkpoint, so the cursor waits for them. */
  #pollRejects: QueuedRecord[] | undefined
  #pollCursor: Cursor | undefined
  #committing: Promise<void> = Promise.resolve()
  #writing = false
  #nextCommit: { cursor: Cursor; records: number } | undefined
  #stopGraceMs = 10_000
  #rejectLog: DropLog
  /** Journal entries of records emitted by a push connector, until the mode hands them on. */
  readonly #journalSeqs = new WeakMap<SourceRecord, number>()

  constructor(deps: StreamDeps) {
    this.d = deps
    this.#rejectLog = new DropLog(
      deps.logger,
      deps.clock,
      10_000,
      (count) =>
        `${count} input(s) rejected by the connector and dead-lettered with their reasons (the latest as example); counted as rejected inputs`,
      true,
    )
    this.startedAt = new Date(deps.clock.now())
    this.#pollCursor = deps.cursorStore.get(deps.sourceId)?.cursor
    if (deps.connector.mode === 'pull') {
      this.api = new ApiClient({
        sourceId: deps.sourceId,
        connector: deps.connector,
        rateLimitPerMinute: deps.source.rate_limit_per_minute,
        timeoutSeconds: deps.source.timeout_seconds,
        cacheTtlSeconds: deps.source.cache_ttl_seconds,
        clock: deps.clock,
        onCallEnded: (call) => deps.events.emit('poll:ended', { sourceId: deps.sourceId, ...call }),
      })
    }
  }

  /** Where the stream is in its life. */
  get status(): StreamStatus {
    return this.#status
  }

  /** The last error the stream met, if any. */
  get lastError(): Error | undefined {
    return this.#lastError
  }

  /** A snapshot of the stream's record accounting. */
  get counts(): StreamCounts {
    return { ...this.#counts }
  }

  /** True for a pull source (polled on a schedule), false for a push subscription. */
  get pulls(): boolean {
    return this.d.connector.mode === 'pull'
  }

  /** The AbortSignal handed to the connector's context: aborted when the stream stops. */
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  /** The cursor the next poll starts from. */
  get pollCursor(): Cursor | undefined {
    return this.#pollCursor
  }

  /** Marks the stream failed with `error` (kept as its last error). */
  fail(error: Error): void {
    this.#lastError = error
    this.#lastErrorAt = this.d.clock.now()
    this.#status = 'failed'
  }

  /** What the ingestion mode fetches from. */
  modeSource(): ModeSource {
    const { connector } = this.d
    if (connector.mode === 'push') {
      return { kind: 'push', subscribe: (emit, signal) => connector.subscribe(this.#journaled(emit), signal) }
    }
    return { kind: 'pull', fetch: (signal) => this.#fetch(signal) }
  }

  /**
   * The push connector's `emit`, writing its records to the intake journal first: when the
   * connector acknowledges a message upstream (after `emit` resolved), its records are on disk.
   * Records the mode refuses (it stopped) are settled at once: the connector does not acknowledge
   * them, so the upstream sends them again.
   */
  #journaled(emit: Emit): Emit {
    const journal = this.d.journal
    if (!journal) return emit
    return async (input) => {
      const records: readonly SourceRecord[] = Array.isArray(input) ? input : [input as SourceRecord]
      const seqs = journal.appendRecords(records, new Date(this.d.clock.now()).toISOString())
      for (let i = 0; i < records.length; i++) this.#journalSeqs.set(records[i]!, seqs[i]!)
      try {
        await emit(records)
      } catch (err) {
        journal.settle(seqs)
        throw err
      }
    }
  }

  /**
   * Sends again what the intake journal held unsettled at open (the records a killed process had
   * acknowledged upstream and not delivered), before the subscription starts.
   */
  async #replayJournal(): Promise<void> {
    const journal = this.d.journal
    const entries = journal?.takeRecovered() ?? []
    if (!journal || entries.length === 0) return
    const { streamId, sourceId, priority } = this.d
    const sourceType = this.d.source.source_type
    let records = 0
    const items: QueuedRecord[] = entries.map((e) => {
      if (e.kind === 'dead-letter') return { streamId, evictable: true, record: e.record, journalSeq: e.seq }
      records++
      return {
        streamId,
        evictable: true,
        journalSeq: e.seq,
        record: sinkRecord(e.record, sourceId, sourceType, priority, e.at),
      }
    })
    this.#counts.fetched += records
    this.#counts.rejected += entries.length - records
    this.#counts.replayed += entries.length
    this.d.logger.info(
      { records, dead_letters: entries.length - records, file: journal.file },
      'sending what the intake journal held from the last run (acknowledged upstream, not yet delivered)',
    )
    this.#counts.enqueued += await this.d.pipeline.enqueue(items, { wait: true, signal: this.#abort.signal })
  }

  async #fetch(signal: AbortSignal): Promise<PollResult> {
    const api = this.api!
    // one poll's signal, released after the poll (AbortSignal.any would tie it to the stream's)
    const linked = linkSignals([signal, this.#abort.signal])
    const combined = linked.signal
    // Rejects of polls whose records a buffering mode has not handed on yet are kept together.
    this.#pollRejects ??= []
    try {
      const { result, cached } = await retryPoll(
        () => api.pollDetailed({ cursor: this.#pollCursor, signal: combined }),
        {
          maxRetries: this.d.source.max_poll_retries,
          baseMs: 1000,
          maxMs: 30_000,
          maxRetryAfterMs: (this.d.source.max_retry_after_seconds ?? 300) * 1000,
          signal: combined,
          clock: this.d.clock,
        },
      )
      // A cached answer repeats records already emitted for this cursor: emit none of them again.
      if (cached) return { records: [], ...(result.cursor !== undefined ? { cursor: result.cursor } : {}) }
      this.#counts.fetched += result.records.length
      if (result.cursor !== undefined) this.#pollCursor = result.cursor
      // Nothing will be handed on for this poll: its rejects are dead-lettered on their own.
      if (result.records.length === 0 && result.cursor === undefined) this.#flushPollRejects()
      return result
    } catch (err) {
      this.#counts.polls_failed++
      const error = err instanceof Error ? err : new Error(String(err))
      this.#lastError = error
      this.#lastErrorAt = this.d.clock.now()
      // What the failed poll rejected is still dead-lettered.
      this.#flushPollRejects()
      if (errorCode(err) === 'ERR_CONNECTOR_CONFIG') {
        this.d.logger.error({ err: error }, 'the remote refused the source configuration; stopping this stream')
        this.d.onFatal(error)
      }
      throw err
    } finally {
      linked.dispose()
    }
  }

  #flushPollRejects(): void {
    const rejects = this.#pollRejects
    this.#pollRejects = undefined
    if (rejects && rejects.length > 0) this.#enqueueLoose(rejects)
  }

  /** The mode's `process`: records (and the cursor after them) into the pipeline. */
  readonly process = async (records: readonly SourceRecord[], cursor?: Cursor): Promise<void> => {
    const pull = this.pulls
    const rejects = this.#pollRejects ?? []
    this.#pollRejects = undefined
    const total = records.length + rejects.length
    if (pull && this.d.pipeline.transactional) return this.#transact(records, rejects, cursor)
    const checkpoint = pull ? this.#checkpoints.open(total, cursor) : undefined
    if (total > 0) {
      const ingestedAt = new Date(this.d.clock.now()).toISOString()
      const { streamId, sourceId, priority } = this.d
      const sourceType = this.d.source.source_type
      const items: QueuedRecord[] = new Array(total)
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!
        items[i] = {
          streamId,
          checkpoint,
          evictable: !pull,
          journalSeq: pull ? undefined : this.#journalSeqs.get(r),
          record: sinkRecord(r, sourceId, sourceType, priority, ingestedAt),
        }
      }
      for (let i = 0; i < rejects.length; i++) items[records.length + i] = { ...rejects[i]!, checkpoint }
      if (!pull) this.#counts.fetched += records.length
      try {
        this.#counts.enqueued += await this.d.pipeline.enqueue(items, { wait: pull, signal: this.#abort.signal })
      } catch (err) {
        const accepted = (err as { accepted?: number }).accepted ?? 0
        this.#counts.enqueued += accepted
        this.#counts.failed += total - accepted
        throw err
      }
    }
    this.#maybeCommit()
  }

  /**
   * `delivery: exactly_once`: the poll's records, its rejected inputs' dead letters and its cursor
   * in one Kafka transaction. Polls are written one after the other, so no checkpoint waits.
   */
  async #transact(records: readonly SourceRecord[], rejects: readonly QueuedRecord[], cursor?: Cursor): Promise<void> {
    const ingestedAt = new Date(this.d.clock.now()).toISOString()
    const { streamId, sourceId, priority } = this.d
    const sourceType = this.d.source.source_type
    const items: QueuedRecord[] = records.map((r) => ({
      streamId,
      evictable: false,
      record: sinkRecord(r, sourceId, sourceType, priority, ingestedAt),
    }))
    items.push(...rejects)
    const total = items.length
    // an empty poll that leaves the cursor where it is committed has nothing to write
    const unchanged = cursor !== undefined && isDeepStrictEqual(cursor, this.d.cursorStore.get(this.d.sourceId)?.cursor)
    if (total === 0 && (cursor === undefined || unchanged)) return
    const commit = cursor !== undefined ? { cursor, records: total } : undefined
    this.#counts.enqueued += total
    try {
      await this.d.pipeline.transact({ sourceId, sourceType, signal: this.#abort.signal }, items, commit)
    } catch (err) {
      this.#counts.failed += total
      const error = err instanceof Error ? err : new Error(String(err))
      this.#lastError = error
      this.#lastErrorAt = this.d.clock.now()
      if (errorCode(err) === 'ERR_FENCED') {
        this.d.logger.error({ err: error }, 'another worker writes for this source now; stopping this stream')
        this.d.onFatal(error)
      }
      throw err
    }
    if (commit) {
      this.#counts.cursor_commits++
      this.d.events.emit('cursor:committed', { sourceId, cursor: commit.cursor, records: commit.records })
    }
  }

  /** The context's `skip`: inputs the connector left out on purpose, counted by reason. */
  readonly skip = (reason: string, count = 1): void => {
    if (!(count > 0)) return
    this.#counts.skipped += count
    this.#skipped.set(reason, (this.#skipped.get(reason) ?? 0) + count)
  }

  /** The context's `reject`: the input becomes a dead-letter record with its reason, once. */
  readonly reject = (input: RejectedInput): void => {
    const reason = input.reason
    let raw: JsonValue
    try {
      raw =
        typeof input.input === 'string' ? input.input : (JSON.parse(JSON.stringify(input.input ?? null)) as JsonValue)
    } catch {
      raw = String(input.input)
    }
    // The same bad input fetched again (a real_time source re-reading a day's file) is not
    // dead-lettered again.
    if (!this.d.rejects.firstTime(reason, raw)) {
      this.#counts.rejected_repeats++
      return
    }
    this.#counts.rejected++
    // every input at debug; at warn, the first at once and then one line per 10 s with the count
    this.d.logger.debug({ reason, location: input.location }, 'input rejected by the connector')
    this.#rejectLog.note(this.d.sourceId, 'input_rejected', 1, { reason, location: input.location ?? null })
    if (!this.d.dlqTopic) {
      this.#counts.dropped++
      this.d.events.emit('record:dropped', {
        sourceId: this.d.sourceId,
        reason: 'rejected_input_dlq_disabled',
        count: 1,
      })
      return
    }
    const item: QueuedRecord = {
      streamId: this.d.streamId,
      evictable: !this.pulls,
      record: {
        value: { reason, location: input.location ?? null, input: raw },
        topic: this.d.dlqTopic,
        headers: {
          [HEADERS.error]: reason,
          [HEADERS.errorCode]: 'ERR_INPUT_REJECTED',
          [HEADERS.rejected]: 'true',
          ...(input.location ? { [HEADERS.location]: input.location } : {}),
        },
        sourceId: this.d.sourceId,
        sourceType: this.d.source.source_type,
        priority: this.d.priority,
        ingestedAt: new Date(this.d.clock.now()).toISOString(),
      },
    }
    this.d.events.emit('dlq:written', { sourceId: this.d.sourceId, topic: this.d.dlqTopic, count: 1, reason })
    if (this.#pollRejects) this.#pollRejects.push(item)
    else this.#enqueueLoose([this.#journalDeadLetter(item)])
  }

  /**
   * A push source's dead letter goes to the intake journal before the connector acknowledges the
   * input upstream. A journal that cannot be written is logged; the dead letter is still queued.
   */
  #journalDeadLetter(item: QueuedRecord): QueuedRecord {
    const journal = this.d.journal
    if (!journal || this.pulls) return item
    try {
      return { ...item, journalSeq: journal.appendDeadLetter(item.record) }
    } catch (err) {
      this.d.logger.error({ err }, 'a dead letter could not be written to the intake journal')
      return item
    }
  }

  /** Dead letters rejected outside a poll (push sources): queued on their own. */
  #enqueueLoose(items: QueuedRecord[]): void {
    this.d.pipeline
      .enqueue(items, { wait: this.pulls, signal: this.#abort.signal })
      .then((n) => {
        this.#counts.enqueued += n
      })
      .catch((err: unknown) => {
        this.#counts.failed += items.length
        this.d.logger.error({ err }, 'a rejected input could not be queued for the dead-letter topic')
      })
  }

  // --- StreamPort: what the pipeline reports back ---

  acknowledged(items: readonly QueuedRecord[], result: SinkResult): void {
    this.#counts.sent += result.delivered
    this.#counts.dead_lettered += result.deadLettered
    this.#counts.spooled += result.spooled
    this.#settle(items)
  }

  dropped(items: readonly QueuedRecord[], _reason: DropReason): void {
    this.#counts.dropped += items.length
    this.#settle(items)
  }

  abandoned(items: readonly QueuedRecord[]): void {
    this.#counts.failed += items.length
  }

  #settle(items: readonly QueuedRecord[]): void {
    const journaled: number[] = []
    for (const item of items) {
      if (item.checkpoint) this.#checkpoints.settle(item.checkpoint)
      if (item.journalSeq !== undefined) journaled.push(item.journalSeq)
    }
    if (journaled.length > 0) {
      const failed = this.d.journal?.settle(journaled)
      if (failed) this.d.logger.warn({ err: failed }, 'settled records may be sent again after a restart')
    }
    this.#maybeCommit()
  }

  #maybeCommit(): void {
    const next = this.#checkpoints.advance()
    if (!next) return
    // Commits coalesce: while one write is on its way to disk, later cursors replace each other
    // and only the newest is written next (one fsync per write, not per batch).
    this.#nextCommit = { cursor: next.cursor, records: (this.#nextCommit?.records ?? 0) + next.records }
    if (!this.#writing) this.#committing = this.#writeCommits()
  }

  async #writeCommits(): Promise<void> {
    this.#writing = true
    try {
      while (this.#nextCommit) {
        const { cursor, records } = this.#nextCommit
        this.#nextCommit = undefined
        try {
          await this.d.cursorStore.commit(this.d.sourceId, cursor, records)
          this.#counts.cursor_commits++
          this.d.events.emit('cursor:committed', { sourceId: this.d.sourceId, cursor, records })
        } catch (err) {
          this.d.logger.error({ err }, 'the cursor could not be committed')
          this.d.events.emit('error', err as Error, { sourceId: this.d.sourceId, component: 'cursor-store' })
        }
      }
    } finally {
      this.#writing = false
    }
  }

  /** Polls whose records are not all settled yet (delivered, dead-lettered, spooled or dropped). */
  get unsettled(): number {
    return this.#checkpoints.pending()
  }

  /** Resolves once pending cursor writes are on disk. */
  async flushCommits(): Promise<void> {
    await this.#committing
  }

  /**
   * Starts the connector, then (with `loop`) the mode's loop in the background; without it only
   * the connector, for `--once`, which runs single cycles. A part that fails to start leaves
   * nothing of the stream running.
   */
  async start(loop: boolean): Promise<void> {
    const { connector, mode, connectorName, sourceId } = this.d
    await this.#parts.add({
      name: `connector:${connectorName} for source ${sourceId}`,
      start: () => connector.start?.(),
      stop: () => connector.close?.(),
    })
    await this.#parts.add({
      name: `ingestion-mode:${this.d.modeName} for source ${sourceId}`,
      start: () => (loop ? mode.start(this.modeSource(), this.process) : undefined),
      stop: () => this.#stopMode(),
    })
    try {
      await this.#replayJournal()
      await this.#parts.start()
    } catch (err) {
      this.#abort.abort(err)
      this.fail(err as Error)
      throw err
    }
    this.#status = 'running'
  }

  /** One cycle of the mode (every page), for `--once`. */
  async runOnce(): Promise<void> {
    await this.d.mode.runOnce(this.modeSource(), this.process)
  }

  async #stopMode(): Promise<void> {
    // The cycle in flight may finish and queue its records (the queue still drains meanwhile);
    // only past the grace period is it aborted.
    const abort = () => this.#abort.abort(new FirefrontError('ERR_STOPPED', `stream ${this.d.streamId} is stopping`))
    // The grace period runs on the injected clock, like every other wait of the runtime.
    const grace = new AbortController()
    this.d.clock.sleep(this.#stopGraceMs, grace.signal).then(abort, () => undefined)
    try {
      await this.d.mode.stop()
    } finally {
      grace.abort()
      abort()
    }
  }

  /**
   * Stops fetching: the mode finishes its cycle in flight (within `graceMs`), then the connector
   * is closed. Errors on the way are collected in the returned list, never swallowed.
   */
  async stop(graceMs = 10_000, endedWith?: Error): Promise<Error[]> {
    if (this.#status === 'stopped' || this.#status === 'stopping') return []
    const failed = this.#status === 'failed'
    this.#status = 'stopping'
    this.#stopGraceMs = graceMs
    const report = await this.#parts.stop()
    this.#rejectLog.flush()
    this.#abort.abort(new FirefrontError('ERR_STOPPED', `stream ${this.d.streamId} stopped`))
    if (endedWith) {
      this.#lastError = endedWith
      this.#lastErrorAt = this.d.clock.now()
    }
    this.#status = failed || endedWith ? 'failed' : 'stopped'
    return report.failures.map((f) => f.error)
  }

  /** The seed's per-stream metrics (`mode`, `api`) plus Firefront's record accounting. */
  getMetrics(): StreamMetrics {
    return {
      stream_id: this.d.streamId,
      source_id: this.d.sourceId,
      source_type: this.d.source.source_type,
      connector: this.d.connectorName,
      status: this.#status,
      started_at: this.startedAt.toISOString(),
      priority: this.d.priority,
      last_error: this.#lastError?.message ?? null,
      last_error_at: this.#lastErrorAt === undefined ? null : new Date(this.#lastErrorAt).toISOString(),
      records: this.counts,
      skipped_by_reason: Object.fromEntries(this.#skipped),
      pending_checkpoints: this.#checkpoints.pending(),
      journal: this.d.journal?.stats ?? null,
      mode: this.d.mode.metrics(),
      api: this.api?.getMetrics() ?? null,
    }
  }
}
