/**
 * One running stream: a source's connector, behind the API client (pull) or as a subscription
 * (push), driven by its ingestion mode, feeding the shared queue; and the bookkeeping that commits
 * its cursor once everything fetched before it is acknowledged.
 */
import {
  type ConnectorInstance,
  type Cursor,
  errorCode,
  FirefrontError,
  type IngestionModeInstance,
  type JsonValue,
  type Logger,
  type ModeSource,
  type PollResult,
  type Priority,
  type RejectedInput,
  type SourceInfo,
  type SourceRecord,
  linkSignals,
} from '@firefront/sdk'
import { ApiClient } from '../api/api-client'
import { retryPoll } from '../api/retry'
import type { SourceConfig } from '../config/schema'
import type { CursorStore } from '../cursors/file-cursor-store'
import { CheckpointTracker } from './checkpoints'
import type { RuntimeEmitter } from './events'
import type { QueuedRecord } from './queued-record'

/** Per-stream record accounting. In = sent + dead-lettered + spooled + dropped + failed + in flight. */
export interface StreamCounts {
  fetched: number
  rejected: number
  enqueued: number
  dropped: number
  sent: number
  dead_lettered: number
  spooled: number
  failed: number
  polls_failed: number
  cursor_commits: number
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
  readonly clock: import('@firefront/sdk').Clock
  /** Puts records into the shared queue (waits under `block`). */
  readonly enqueue: (items: QueuedRecord[], signal: AbortSignal) => Promise<void>
  /** The dead-letter topic for rejected inputs, or undefined when the DLQ is disabled. */
  readonly dlqTopic?: string
  /** Called when the stream ends by itself (a configuration error from the remote). */
  readonly onFatal: (error: Error) => void
}

/** One stream; see the module comment. */
export class Stream {
  readonly d: StreamDeps
  readonly counts: StreamCounts = {
    fetched: 0,
    rejected: 0,
    enqueued: 0,
    dropped: 0,
    sent: 0,
    dead_lettered: 0,
    spooled: 0,
    failed: 0,
    polls_failed: 0,
    cursor_commits: 0,
  }
  readonly api?: ApiClient
  readonly startedAt = new Date()
  status: 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' = 'starting'
  lastError?: Error
  readonly #abort = new AbortController()
  readonly #checkpoints = new CheckpointTracker()
  #pollCursor: Cursor | undefined
  #committing: Promise<void> = Promise.resolve()
  #writing = false
  #nextCommit: { cursor: Cursor; records: number } | undefined

  constructor(deps: StreamDeps) {
    this.d = deps
    this.#pollCursor = deps.cursorStore.get(deps.sourceId)?.cursor
    if (deps.connector.mode === 'pull') {
      this.api = new ApiClient({
        sourceId: deps.sourceId,
        connector: deps.connector,
        rateLimitPerMinute: deps.source.rate_limit_per_minute,
        timeoutSeconds: deps.source.timeout_seconds,
        cacheTtlSeconds: deps.source.cache_ttl_seconds,
        clock: deps.clock,
      })
    }
  }

  /** The AbortSignal handed to the connector's context: aborted when the stream stops. */
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  /** The cursor the next poll starts from. */
  get pollCursor(): Cursor | undefined {
    return this.#pollCursor
  }

  /** What the ingestion mode fetches from. */
  modeSource(): ModeSource {
    const { connector } = this.d
    if (connector.mode === 'push') {
      return {
        kind: 'push',
        subscribe: (emit, signal) => connector.subscribe(emit, signal),
      }
    }
    return { kind: 'pull', fetch: (signal) => this.#fetch(signal) }
  }

  async #fetch(signal: AbortSignal): Promise<PollResult> {
    const api = this.api!
    // one poll's signal, released after the poll (AbortSignal.any would tie it to the stream's)
    const linked = linkSignals([signal, this.#abort.signal])
    const combined = linked.signal
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
      this.counts.fetched += result.records.length
      if (result.cursor !== undefined) this.#pollCursor = result.cursor
      return result
    } catch (err) {
      this.counts.polls_failed++
      const error = err instanceof Error ? err : new Error(String(err))
      this.lastError = error
      if (errorCode(err) === 'ERR_CONNECTOR_CONFIG') {
        this.d.logger.error(
          { err: error, source: this.d.sourceId },
          'the remote refused the source configuration; stopping this stream',
        )
        this.d.onFatal(error)
      }
      throw err
    } finally {
      linked.dispose()
    }
  }

  /** The mode's `process`: records (and the cursor after them) into the queue. */
  readonly process = async (records: readonly SourceRecord[], cursor?: Cursor): Promise<void> => {
    const checkpoint = this.d.connector.mode === 'pull' ? this.#checkpoints.open(records.length, cursor) : undefined
    if (records.length > 0) {
      const ingestedAt = new Date(this.d.clock.now()).toISOString()
      const { streamId, sourceId, priority } = this.d
      const sourceType = this.d.source.source_type
      const items: QueuedRecord[] = new Array(records.length)
      // One fixed object shape per record (no spread): this runs for every record fetched.
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!
        items[i] = {
          streamId,
          checkpoint,
          record: {
            key: r.key,
            value: r.value,
            eventTime: r.eventTime,
            headers: r.headers,
            topic: r.topic,
            sourceId,
            sourceType,
            priority: r.priority ?? priority,
            ingestedAt,
          },
        }
      }
      if (this.d.connector.mode === 'push') this.counts.fetched += records.length
      await this.d.enqueue(items, this.#abort.signal)
    }
    this.#maybeCommit()
  }

  /** The context's `reject`: the input becomes a dead-letter record with its reason. */
  readonly reject = (input: RejectedInput): void => {
    this.counts.rejected++
    const reason = input.reason
    this.d.logger.warn({ source: this.d.sourceId, reason, location: input.location }, 'input rejected by the connector')
    if (!this.d.dlqTopic) {
      this.counts.dropped++
      this.d.events.emit('record:dropped', {
        sourceId: this.d.sourceId,
        reason: 'rejected_input_dlq_disabled',
        count: 1,
      })
      return
    }
    let raw: JsonValue
    try {
      raw =
        typeof input.input === 'string' ? input.input : (JSON.parse(JSON.stringify(input.input ?? null)) as JsonValue)
    } catch {
      raw = String(input.input)
    }
    const item: QueuedRecord = {
      streamId: this.d.streamId,
      record: {
        value: { reason, location: input.location ?? null, input: raw },
        topic: this.d.dlqTopic,
        headers: {
          'firefront.error': reason,
          'firefront.error.code': 'ERR_INPUT_REJECTED',
          'firefront.rejected': 'true',
          ...(input.location ? { 'firefront.location': input.location } : {}),
        },
        sourceId: this.d.sourceId,
        sourceType: this.d.source.source_type,
        priority: this.d.priority,
        ingestedAt: new Date(this.d.clock.now()).toISOString(),
      },
    }
    this.d.events.emit('dlq:written', { sourceId: this.d.sourceId, topic: this.d.dlqTopic, count: 1, reason })
    void this.d.enqueue([item], this.#abort.signal).catch((err: unknown) => {
      this.counts.failed++
      this.d.logger.error(
        { err, source: this.d.sourceId },
        'a rejected input could not be queued for the dead-letter topic',
      )
    })
  }

  /** Accounts for records the sink acknowledged (or the queue dropped) and commits the cursor when it can. */
  settle(items: readonly QueuedRecord[]): void {
    for (const item of items) if (item.checkpoint) this.#checkpoints.settle(item.checkpoint)
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
          this.counts.cursor_commits++
          this.d.events.emit('cursor:committed', { sourceId: this.d.sourceId, cursor, records })
        } catch (err) {
          this.d.logger.error({ err, source: this.d.sourceId }, 'the cursor could not be committed')
          this.d.events.emit('error', err as Error, { sourceId: this.d.sourceId, component: 'cursor-store' })
        }
      }
    } finally {
      this.#writing = false
    }
  }

  /** Resolves once pending cursor writes are on disk. */
  async flushCommits(): Promise<void> {
    await this.#committing
  }

  /** Starts the connector, then the mode's loop in the background. */
  async start(): Promise<void> {
    await this.prepare()
    await this.d.mode.start(this.modeSource(), this.process)
  }

  /** Starts the connector only (for `--once`, which runs single cycles). */
  async prepare(): Promise<void> {
    try {
      await this.d.connector.start?.()
    } catch (err) {
      throw new FirefrontError(
        'ERR_PLUGIN_START',
        `connector:${this.d.connectorName} for source ${this.d.sourceId} failed to start: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
    this.status = 'running'
  }

  /** One cycle of the mode (every page), for `--once`. */
  async runOnce(): Promise<void> {
    await this.d.mode.runOnce(this.modeSource(), this.process)
  }

  /** Stops fetching: the mode finishes its cycle in flight, then the connector is closed. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.status === 'stopped' || this.status === 'stopping') return
    this.status = 'stopping'
    // The cycle in flight may finish and queue its records (the queue still drains meanwhile);
    // only past the grace period is it aborted.
    const abort = () => this.#abort.abort(new FirefrontError('ERR_STOPPED', `stream ${this.d.streamId} is stopping`))
    const timer = setTimeout(abort, graceMs)
    try {
      await this.d.mode.stop()
    } finally {
      clearTimeout(timer)
      abort()
      try {
        await this.d.connector.close?.()
      } catch (err) {
        this.d.logger.warn({ err, source: this.d.sourceId }, 'connector close failed')
      }
      this.status = this.lastError && errorCode(this.lastError) === 'ERR_CONNECTOR_CONFIG' ? 'failed' : 'stopped'
    }
  }

  /** The seed's per-stream metrics (`mode`, `api`) plus Firefront's record accounting. */
  getMetrics(): Record<string, JsonValue> {
    return {
      stream_id: this.d.streamId,
      source_id: this.d.sourceId,
      source_type: this.d.source.source_type,
      connector: this.d.connectorName,
      status: this.status,
      started_at: this.startedAt.toISOString(),
      last_error: this.lastError?.message ?? null,
      records: { ...this.counts },
      pending_checkpoints: this.#checkpoints.pending(),
      mode: this.d.mode.metrics() as unknown as JsonValue,
      api: (this.api?.getMetrics() ?? null) as unknown as JsonValue,
    }
  }
}
