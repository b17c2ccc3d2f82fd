/**
 * Delivery of batches to Kafka (the seed's `ProducerWrapper`): sends with retries and exponential
 * backoff, dead-letters what Kafka refuses, spools what it cannot reach, and replays the spool in
 * order when Kafka returns. Every record of a batch ends up delivered, dead-lettered or spooled
 * before `send` resolves; it rejects only when none of these was possible (the spool is full), so
 * the caller keeps its cursor uncommitted.
 *
 * Where a batch goes is decided by one state (see `delivery-state.ts`); the modules around it do
 * the work: `batch-sender.ts` (the way of one batch), `produce.ts` (retries, halving), `dead-letters.ts`, `delivery-spool.ts`,
 * `spool-replay.ts` (the background loop), `delivery-metrics.ts`.
 *
 * Guarantees:
 * - order per topic: batches for one topic are handed to the client one after another, and
 *   while the spool holds batches for a topic, new batches for it are spooled behind them. With
 *   `kafka.max_in_flight_batches` above 1 (a client that keeps order across sends in flight) the
 *   next batch is handed over before the previous one is acknowledged; a failed batch is retried,
 *   dead-lettered or spooled only after the earlier ones are accounted for, but later batches
 *   already handed over may land before its retry;
 * - at least once overall; once per send in the normal case (idempotent producer, acks all). A
 *   batch whose acknowledgement was lost just before the spool took it may be delivered twice.
 */
import {
  type Clock,
  FirefrontError,
  type JsonValue,
  type Logger,
  type MetricsHandle,
  type SinkHealth,
  type SinkRecord,
} from '@firefront/sdk'
import type { SegmentSpool } from '../../spool/segment-spool'
import { brokerList, inFlightBatches, type KafkaSinkConfig } from '../config'
import type { Redactor } from '../redact'
import type { ProducerTransport } from '../transport'
import { BatchSender, type DeliveryResult } from './batch-sender'
import { DeadLetterWriter } from './dead-letters'
import { DeliveryLink } from './delivery-link'
import { DeliveryCounters, type ProducerMetrics } from './delivery-metrics'
import { DeliverySpool, type SpooledBatch } from './delivery-spool'
import type { DeliveryState } from './delivery-state'
import { DlqRateLimiter, FailureRateGuard } from './dlq-guards'
import type { BatchMeta } from './messages'
import { Producer } from './produce'
import { RetryController } from './retry-controller'
import { SpoolReplay } from './spool-replay'
import { TopicOrder } from './topic-order'

/** Where a batch goes and where it came from (the seed's `source_type`, `source_id`, `topic`). */
export type SendMeta = BatchMeta

export type { DeliveryResult } from './batch-sender'

/** What a {@link Delivery} is built from. */
export interface DeliveryOptions {
  readonly config: KafkaSinkConfig
  readonly transport: ProducerTransport
  readonly spool: SegmentSpool<SpooledBatch>
  /** Dead letters that no topic takes (DLQ disabled, or too large for it). */
  readonly localDeadLetters: SegmentSpool<SpooledBatch>
  readonly logger: Logger
  readonly redactor: Redactor
  readonly clock: Clock
  readonly metrics?: MetricsHandle
  /** Random numbers in [0, 1) for the jitter; tests pass a fixed one. */
  readonly random?: () => number
  /**
   * The plugin's stop signal: once aborted, a batch waiting to retry is spooled at once instead
   * of waiting out its backoff.
   */
  readonly signal?: AbortSignal
}

type Lifecycle = 'created' | 'started' | 'closing' | 'closed'

/** Batches into Kafka over a {@link ProducerTransport}. One per sink. */
export class Delivery {
  readonly #config: KafkaSinkConfig
  readonly #transport: ProducerTransport
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #counters: DeliveryCounters
  readonly #spool: DeliverySpool
  readonly #local: SegmentSpool<SpooledBatch>
  readonly #limiter: DlqRateLimiter
  readonly #guard: FailureRateGuard
  readonly #link: DeliveryLink
  readonly #producer: Producer
  readonly #deadLetters: DeadLetterWriter
  readonly #replay: SpoolReplay
  readonly #sender: BatchSender
  readonly #order: TopicOrder
  readonly #stopper = new AbortController()
  #lifecycle: Lifecycle = 'created'
  #closing: Promise<void> | undefined

  constructor(options: DeliveryOptions) {
    const config = options.config
    const k = config.kafka
    this.#config = config
    this.#transport = options.transport
    this.#order = new TopicOrder(inFlightBatches(k, options.transport))
    this.#logger = options.logger
    this.#clock = options.clock
    this.#counters = new DeliveryCounters(options.metrics)
    this.#spool = new DeliverySpool(options.spool, this.#counters, options.logger)
    this.#local = options.localDeadLetters
    const retry = new RetryController(
      { baseMs: k.retry_backoff_base * 1000, maxMs: Math.max(k.retry_backoff_base, k.retry_backoff_max) * 1000 },
      options.clock,
      options.random,
    )
    this.#limiter = new DlqRateLimiter(config.dlq.max_records_per_minute, options.clock)
    this.#guard = new FailureRateGuard(
      {
        threshold: config.dlq.failure_rate_threshold,
        windowMs: config.dlq.window_seconds * 1000,
        pauseMs: config.dlq.pause_seconds * 1000,
        minRecords: config.failure_rate_min_records,
      },
      options.clock,
    )
    this.#link = new DeliveryLink({
      config,
      transport: options.transport,
      retry,
      counters: this.#counters,
      logger: options.logger,
      redactor: options.redactor,
      clock: options.clock,
      backlog: () => this.#spool.size,
      spoolDirectory: this.#spool.directory,
    })
    // Backoff waits end on close, or when the runtime stops the plugin (the batch is then spooled).
    const waitSignal = options.signal ? AbortSignal.any([this.#stopper.signal, options.signal]) : this.#stopper.signal
    this.#producer = new Producer({
      config,
      transport: options.transport,
      link: this.#link,
      retry,
      logger: options.logger,
      signal: waitSignal,
    })
    this.#deadLetters = new DeadLetterWriter({
      config,
      producer: this.#producer,
      link: this.#link,
      spool: this.#spool,
      local: this.#local,
      limiter: this.#limiter,
      counters: this.#counters,
      logger: options.logger,
      redactor: options.redactor,
      clock: options.clock,
    })
    this.#replay = new SpoolReplay({
      transport: options.transport,
      link: this.#link,
      spool: this.#spool,
      producer: this.#producer,
      deadLetters: this.#deadLetters,
      limiter: this.#limiter,
      guard: this.#guard,
      retry,
      counters: this.#counters,
      logger: options.logger,
      redactor: options.redactor,
      clock: options.clock,
      observe: (delivered, failed) => this.#observe(delivered, failed),
    })
    this.#sender = new BatchSender({
      config,
      clock: options.clock,
      link: this.#link,
      spool: this.#spool,
      producer: this.#producer,
      deadLetters: this.#deadLetters,
      counters: this.#counters,
      observe: (delivered, failed) => this.#observe(delivered, failed),
    })
    this.#link.onWake = () => this.#replay.wake()
    this.#spool.onAppend = () => {
      this.#link.spooled()
      this.#replay.wake()
    }
  }

  /** The dead-letter topic. */
  get dlqTopic(): string {
    return this.#config.dlq.topic
  }

  /**
   * Batches of one topic in flight at once (`kafka.max_in_flight_batches`, as far as the
   * transport keeps their order); 1 means each waits for the previous one's acknowledgement.
   */
  get inFlightBatches(): number {
    return this.#order.depth
  }

  /** The delivery state (`delivering`, `retrying`, `spooling`, `replaying`, `paused`). */
  get state(): DeliveryState {
    return this.#link.state
  }

  /**
   * Opens the spool, connects, creates the dead-letter topic when missing, and replays what the
   * spool holds before resolving (when Kafka is reachable). An unreachable broker is not an
   * error here: it is logged and batches go to the spool until it answers. Throws when the broker
   * refuses the dead-letter topic.
   */
  async start(): Promise<void> {
    if (this.#lifecycle !== 'created') return
    this.#lifecycle = 'started'
    const recovery = await this.#spool.open()
    await this.#local.open()
    if (recovery.entries > 0) {
      this.#logger.info(
        { spool: this.#spool.directory, entries: recovery.entries, bytes: recovery.bytes },
        `spool holds ${recovery.entries} batch(es) from an earlier run; replaying them first`,
      )
    }
    try {
      await this.#transport.connect()
      this.#link.reachable(false)
      if (this.#config.enable_dlq) await this.ensureTopics([this.dlqTopic])
    } catch (err) {
      const failure = this.#link.classify(err)
      if (failure.kind === 'refused') {
        if ((err as { code?: unknown }).code === 'ERR_SINK_REFUSED') throw err
        throw new FirefrontError(
          'ERR_SINK_REFUSED',
          `kafka at ${brokerList(this.#config.kafka).join(',')} refused the sink: ${failure.message} (${failure.code})`,
          { cause: err },
        )
      }
      this.#link.gaveUp(failure)
    }
    this.#replay.start(this.#stopper.signal)
    if (this.#spool.size > 0 && !this.#link.away) await this.#replay.drained()
  }

  /**
   * Sends one batch for one topic: serialises each record (unserialisable or oversized ones are
   * dead-lettered), sends the rest as one produce request with up to `max_retries` retries
   * (backoff 1, 2, 4 s... with jitter, capped), dead-letters records the broker refuses, and
   * spools what it could not send. Resolves with the counts once all are accounted for.
   */
  send(records: readonly SinkRecord[], meta: SendMeta): Promise<DeliveryResult> {
    if (this.#lifecycle === 'closing' || this.#lifecycle === 'closed') {
      return Promise.reject(new FirefrontError('ERR_STOPPED', 'the kafka sink is closed; no more batches are accepted'))
    }
    if (this.#lifecycle !== 'started') {
      return Promise.reject(new FirefrontError('ERR_STOPPED', 'the kafka sink has not been started'))
    }
    return this.#order.run(meta.topic, (turn) => this.#sender.send(records, meta, turn))
  }

  /**
   * Creates the topics that are missing (`kafka.topics.auto_create`, with the configured
   * partitions and replication factor). Throws `ERR_SINK_REFUSED` naming the topic and the
   * broker's message when the broker refuses; when no broker answers it logs and returns, and the
   * topics are created before their first send instead.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    if (!this.#config.kafka.topics.auto_create) return
    const missing = this.#producer.unknown(topics)
    if (missing.length === 0) return
    try {
      const created = await this.#transport.createTopics(missing)
      this.#producer.known(missing)
      if (created.length > 0) {
        this.#logger.info(
          {
            topics: created,
            partitions: this.#config.kafka.topics.partitions,
            replication_factor: this.#config.kafka.topics.replication_factor,
          },
          `created topic(s) ${created.join(', ')}`,
        )
      }
    } catch (err) {
      const failure = this.#link.classify(err)
      if (failure.kind !== 'unavailable') throw err
      this.#link.noteError(failure)
      this.#logger.warn(
        { topics: missing, error: failure.message },
        `cannot reach Kafka to create topic(s) ${missing.join(', ')}; they will be created before their first send`,
      )
    }
  }

  /** Waits for every batch handed over so far to be accounted for (sent, dead-lettered or spooled, all fsync'd). */
  flush(): Promise<void> {
    return this.#order.settled()
  }

  /**
   * Stops taking batches, waits for those in flight, drains the spool for up to
   * `close_timeout_seconds` when Kafka is reachable (what is left stays on disk for the next
   * start), then disconnects. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    const started = this.#lifecycle === 'started'
    this.#lifecycle = 'closing'
    await this.flush()
    if (started && this.#spool.size > 0 && !this.#link.away && this.#config.close_timeout_seconds > 0) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((r) => {
        timer = setTimeout(r, this.#config.close_timeout_seconds * 1000)
      })
      await Promise.race([this.#replay.drained(), timeout])
      clearTimeout(timer)
    }
    this.#stopper.abort(new FirefrontError('ERR_STOPPED', 'the kafka sink is closing'))
    await this.#replay.stopped()
    if (this.#spool.size > 0) {
      this.#logger.info(
        { spool: this.#spool.directory, entries: this.#spool.size, bytes: this.#spool.bytes },
        `closing with ${this.#spool.size} batch(es) in the spool; the next start replays them`,
      )
    }
    try {
      await this.#transport.disconnect()
    } finally {
      // the spool is closed whatever the clients did, and a disconnect failure still reaches the caller
      if (started) {
        await this.#spool.close()
        await this.#local.close()
      }
      this.#lifecycle = 'closed'
    }
  }

  /** The producer's figures (the seed's `get_metrics()`), with the delivery state. */
  getMetrics(): ProducerMetrics {
    const started = this.#lifecycle !== 'created'
    // the spool's figures stay readable after close: the CLI's exit code reads what it holds then
    const spool = started ? this.#spool.stats() : undefined
    return {
      ...this.#counters.snapshot(),
      last_error: this.#link.lastError,
      connected: started && !this.#link.away,
      paused: this.#link.paused,
      pauses: this.#guard.pauses,
      dlq_capped: this.#limiter.cappedRecords,
      spool_entries: spool?.entries ?? 0,
      spool_bytes: spool?.bytes ?? 0,
      spool_torn_lines: spool?.tornLines ?? 0,
      failure_rate: this.#guard.rate(),
      delivery_state: started ? this.#link.state : null,
    }
  }

  /** The producer's health (the seed's `health_check()`). */
  healthCheck(): SinkHealth {
    const m = this.getMetrics()
    const spoolFull = this.#spool.isOpen && this.#spool.bytes >= this.#spool.maxBytes * 0.99
    const detail: Record<string, JsonValue> = {
      connected: m.connected,
      paused: m.paused,
      delivery_state: m.delivery_state,
      last_success_age_seconds:
        this.#link.lastSuccessAt === 0 ? null : (this.#clock.now() - this.#link.lastSuccessAt) / 1000,
      spool_bytes: m.spool_bytes,
      spool_entries: m.spool_entries,
      spool_max_bytes: this.#config.spool.max_bytes,
      last_error: m.last_error,
      brokers: brokerList(this.#config.kafka).join(','),
    }
    return { healthy: m.connected && !m.paused && !spoolFull, ...detail }
  }

  #observe(delivered: number, failed: number): void {
    const pause = this.#guard.record(delivered, failed)
    if (pause) this.#link.tripped(pause)
  }
}
