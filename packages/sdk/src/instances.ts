/**
 * What each kind of plugin's `create` returns: the instance the runtime drives.
 * @packageDocumentation
 */
import type { Cursor, JsonValue, Priority, SourceInfo, SourceRecord } from './record'

/** Arguments of one `poll` call. */
export interface PollRequest {
  /** The last committed cursor, or `undefined` on the very first poll of a source. */
  readonly cursor: Cursor | undefined
  /** Aborted on timeout (`timeout_seconds`) or when the stream stops. */
  readonly signal: AbortSignal
}

/** What one `poll` returns. */
export interface PollResult {
  readonly records: readonly SourceRecord[]
  /** The cursor to commit once these records are acknowledged; omit to keep the previous one. */
  readonly cursor?: Cursor
  /** True when more pages are ready now: batch mode polls again before the cycle ends. */
  readonly hasMore?: boolean
}

/** Common lifecycle of instances. All methods are optional. */
export interface Lifecycle {
  /** Called once before any work; throwing fails the start of this stream, with the plugin named. */
  start?(): Promise<void>
  /** Called once when the stream stops, after work has ended; must be idempotent. */
  close?(): Promise<void>
  /** Optional send hooks (see {@link SendHooks}). */
  readonly hooks?: SendHooks
}

/**
 * A pull connector: the ingestion mode calls `poll` on its schedule, through the runtime's API
 * client (rate limit, timeout, cache). Throw {@link RetryableError} for transient failures and
 * {@link ConnectorConfigError} when the remote refused the configuration.
 */
export interface PullConnector extends Lifecycle {
  readonly mode: 'pull'
  poll(request: PollRequest): Promise<PollResult>
}

/**
 * Hands records to the runtime. Resolves once they are in the queue (with the `block` overflow
 * strategy it waits for room: backpressure). Rejects after the stream stopped.
 */
export type Emit = (records: SourceRecord | readonly SourceRecord[]) => Promise<void>

/** One message as a push source delivered it (an MQTT publish), recorded for replay. */
export interface RecordedMessage {
  /** Where it arrived, e.g. the MQTT topic. */
  readonly topic: string
  readonly payload: Uint8Array
  readonly retain?: boolean
  readonly qos?: 0 | 1 | 2
}

/**
 * A push connector: subscribes to its source and calls `emit` as data arrives. `subscribe`
 * resolves when the subscription ends (after `signal` aborts); throwing ends the stream.
 */
export interface PushConnector extends Lifecycle {
  readonly mode: 'push'
  subscribe(emit: Emit, signal: AbortSignal): Promise<void>
  /**
   * Optional: handles one recorded message exactly as one received by the subscription (decode,
   * validate, `ctx.reject`, `emit`), without connecting anywhere. `firefront test` replays
   * recorded messages through it.
   */
  replay?(message: RecordedMessage, emit: Emit): Promise<void>
}

/** A connector instance: pull or push. */
export type ConnectorInstance = PullConnector | PushConnector

/** What an ingestion mode fetches from: a pull connector behind the API client, or a push subscription. */
export type ModeSource =
  | { readonly kind: 'pull'; fetch(signal: AbortSignal): Promise<PollResult> }
  | { readonly kind: 'push'; subscribe(emit: Emit, signal: AbortSignal): Promise<void> }

/** Hands a batch of fetched records (and the cursor that follows them) to the queue. */
export type ModeProcess = (records: readonly SourceRecord[], cursor?: Cursor) => Promise<void>

/** Metrics every ingestion mode reports (the seed's mode metrics). */
export interface ModeMetrics {
  readonly mode: string
  readonly running: boolean
  readonly recordsProcessed: number
  readonly errors: number
  readonly cycles: number
  readonly runtimeSeconds: number
  readonly lastSuccess: string | null
  readonly lastError: string | null
  readonly [extra: string]: JsonValue
}

/** How a mode's background loop ended, as {@link IngestionModeInstance.done} reports it. */
export interface ModeExit {
  /**
   * `stopped`: `stop()` was called. `fatal`: an error the mode does not retry (a
   * `ConnectorConfigError`, a push subscription that threw) ended it; the stream then fails.
   * `ended`: the source came to its end by itself (a schedule that ran out, a subscription the
   * remote closed); the stream then ends normally.
   */
  readonly reason: 'stopped' | 'fatal' | 'ended'
  /** The error behind a `fatal` exit. */
  readonly error?: Error
}

/**
 * An ingestion mode decides when to fetch. `start` returns once the loop runs in the background;
 * `stop` waits for the cycle in flight, then resolves.
 */
export interface IngestionModeInstance {
  start(source: ModeSource, process: ModeProcess): Promise<void>
  /** Runs exactly one cycle (every page, for pull sources) and resolves when it is processed. */
  runOnce(source: ModeSource, process: ModeProcess): Promise<void>
  stop(): Promise<void>
  metrics(): ModeMetrics
  /**
   * Optional: resolves once the background loop has ended, never rejects. A mode that can end by
   * itself implements it, and the runtime ends the stream with the reason (failed on `fatal`).
   */
  done?(): Promise<ModeExit>
  /** Optional send hooks applied to this source's batches (see {@link SendHooks}). */
  readonly hooks?: SendHooks
}

/** What a throttle policy is asked before each batch is sent. */
export interface ThrottleRequest {
  readonly sourceId: string
  readonly topic: string
  readonly size: number
}

/** A throttle policy's answer. The runtime waits `delayMs`, then sends; it never reorders. */
export interface ThrottleDecision {
  readonly action: 'allow' | 'throttle_moderate' | 'throttle_critical'
  readonly delayMs: number
}

/** Decides the send rate, e.g. from consumer lag. */
export interface ThrottlePolicyInstance extends Lifecycle {
  check(request: ThrottleRequest): Promise<ThrottleDecision>
  metrics(): Record<string, JsonValue>
}

/** The record and the source a topic resolver is asked about. */
export interface TopicQuery {
  readonly record: SourceRecord
  readonly source: SourceInfo
}

/**
 * Picks a topic for a record. Resolvers form a chain: the first one that returns a string wins;
 * `undefined` passes to the next.
 */
export interface TopicResolverInstance extends Lifecycle {
  resolve(query: TopicQuery): string | undefined
}

/** A record as the sink receives it: the source record plus the runtime's bookkeeping. */
export interface SinkRecord extends SourceRecord {
  readonly sourceId: string
  readonly sourceType: string
  readonly priority: Priority
  /** When the runtime accepted the record, ISO-8601 UTC. */
  readonly ingestedAt: string
}

/** A batch for one topic from one source, in order. */
export interface SinkBatch {
  readonly topic: string
  readonly sourceId: string
  readonly sourceType: string
  readonly records: readonly SinkRecord[]
}

/** How every record of a batch was accounted for. `delivered + deadLettered + spooled` equals the batch size. */
export interface SinkResult {
  readonly delivered: number
  readonly deadLettered: number
  readonly spooled: number
}

/** Sink health, as `healthCheck()` reports it. */
export interface SinkHealth {
  readonly healthy: boolean
  readonly [detail: string]: JsonValue
}

/**
 * Where records land. `send` resolves once every record of the batch is durably delivered,
 * dead-lettered or spooled (the returned counts say which); it rejects only when it could do none
 * of these, and the runtime then keeps the batch's cursor uncommitted.
 */
export interface SinkInstance extends Lifecycle {
  send(batch: SinkBatch): Promise<SinkResult>
  /** Makes everything sent so far durable (fsync, producer flush). */
  flush?(): Promise<void>
  metrics?(): Record<string, JsonValue>
  health?(): Promise<SinkHealth>
  /**
   * Creates the topics the config names, when the sink has topics (called after `start`, before
   * any record flows); a sink also creates unknown topics lazily on first use.
   */
  ensureTopics?(topics: readonly string[]): Promise<void>
}

/**
 * Hooks around each send, which any plugin instance may carry in its `hooks` member (a sink's,
 * a throttle policy's or a topic resolver's apply to every batch; a connector's or an ingestion
 * mode's to its own source's batches), and which code embedding the runtime may add.
 * `beforeSend` runs in registration order and may return a batch whose records replace the
 * batch's, one for one (enrich or redact values); `afterSend` observes the batch and how the sink
 * accounted for it. A hook that throws is reported as an `error` event with its name: a failing
 * `beforeSend` leaves the batch as it was; `afterSend` errors never reach the pipeline.
 */
export interface SendHooks {
  readonly name: string
  beforeSend?(batch: SinkBatch): SinkBatch | undefined | Promise<SinkBatch | undefined>
  afterSend?(batch: SinkBatch, result: SinkResult): void | Promise<void>
}
