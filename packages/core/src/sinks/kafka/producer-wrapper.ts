/**
 * The seed's `ProducerWrapper`: sends batches with retries and exponential backoff, dead-letters
 * what Kafka refuses, spools what it cannot reach, and replays the spool in order when Kafka
 * returns. Every record of a batch ends up delivered, dead-lettered or spooled before
 * `sendWithRetry` resolves; it rejects only when none of these was possible (e.g. the spool is
 * full), so the caller keeps its cursor uncommitted.
 *
 * Guarantees:
 * - order per topic: batches for one topic are handled one after another, and while the spool
 *   holds batches for a topic, new batches for it are spooled behind them;
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
  type SinkResult,
} from '@firefront/sdk'
import type { SegmentSpool } from '../../spool/segment-spool'
import { brokerList, type KafkaSinkConfig } from './config'
import { DlqRateLimiter, FailureRateGuard, type PauseEvent } from './dlq-guards'
import { classifyFailure, type KafkaFailure } from './failure'
import { LatencyWindow } from './latency-window'
import { type BatchMeta, chunkByBytes, type OutMessage, prepareMessages, toDeadLetter } from './messages'
import type { Redactor } from './redact'
import { RetryController } from './retry-controller'
import type { KafkaTransport } from './transport'

/** Where a batch goes and where it came from (the seed's `source_type`, `source_id`, `topic`). */
export interface SendMeta {
  readonly sourceType: string
  readonly sourceId: string
  readonly topic: string
}

/** How a batch was accounted for, and how many retries it took. */
export interface DeliveryResult extends SinkResult {
  readonly retries: number
}

/** Why a batch went to the spool. */
export type SpoolReason = 'unavailable' | 'paused' | 'ordering' | 'dlq-capped' | 'closing'

/**
 * One spool entry: messages ready for Kafka and where they go. Dead letters (`deadLetter` set)
 * go to the dead-letter topic; the others to their own topic.
 */
export interface SpooledBatch {
  readonly v: 1
  readonly topic: string
  readonly sourceId: string
  readonly sourceType: string
  readonly reason: SpoolReason | 'dlq-disabled' | 'dlq-refused'
  readonly spooledAt: string
  readonly attempts: number
  readonly deadLetter?: { readonly originalTopic: string }
  readonly messages: OutMessage[]
}

/** The producer's figures, in the seed's names plus Firefront's. */
export interface ProducerMetrics {
  /** Records acknowledged by their own topic (replayed ones included). */
  readonly total_sent: number
  /** Records whose send failed after its retries (then dead-lettered or spooled). */
  readonly total_failed: number
  /** Retries of produce requests. */
  readonly total_retries: number
  readonly dead_lettered: number
  /** Dead-lettered into the local file because the dead-letter topic was off or refused them. */
  readonly dead_lettered_local: number
  readonly spooled: number
  readonly replayed: number
  readonly batches: number
  readonly bytes: number
  readonly last_error: string | null
  readonly latency_p50_ms: number | null
  readonly latency_p99_ms: number | null
  readonly connected: boolean
  readonly paused: boolean
  readonly pauses: number
  readonly dlq_capped: number
  readonly spool_entries: number
  readonly spool_bytes: number
  readonly spool_full: number
  readonly spool_torn_lines: number
  readonly failure_rate: number
}

/** What the wrapper is built from. */
export interface ProducerWrapperOptions {
  readonly config: KafkaSinkConfig
  readonly transport: KafkaTransport
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

interface DeadItem {
  readonly message: OutMessage
  readonly failure: { readonly code: string; readonly message: string }
  readonly attempts: number
}

interface ProduceOutcome {
  delivered: number
  dead: DeadItem[]
  retries: number
  /** Messages not sent because Kafka could not be reached (in order), with why. */
  unavailable?: { messages: OutMessage[]; failure: KafkaFailure; attempts: number }
}

interface Counts {
  delivered: number
  deadLettered: number
  spooled: number
  retries: number
}

const emptyCounts = (): Counts => ({ delivered: 0, deadLettered: 0, spooled: 0, retries: 0 })

const isAbort = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'AbortError' || (err as { code?: unknown }).code === 'ERR_ABORTED')

/** The seed's ProducerWrapper over a {@link KafkaTransport}. One per sink; one retry controller each. */
export class ProducerWrapper {
  private readonly config: KafkaSinkConfig
  private readonly transport: KafkaTransport
  private readonly spool: SegmentSpool<SpooledBatch>
  private readonly local: SegmentSpool<SpooledBatch>
  private readonly logger: Logger
  private readonly redactor: Redactor
  private readonly clock: Clock
  private readonly retry: RetryController
  private readonly limiter: DlqRateLimiter
  private readonly guard: FailureRateGuard
  private readonly latency = new LatencyWindow()
  private readonly instruments: ReturnType<ProducerWrapper['makeInstruments']>
  private readonly chains = new Map<string, Promise<unknown>>()
  /** Spooled batches per topic (not counting dead letters): while > 0, new batches queue behind. */
  private readonly pending = new Map<string, number>()
  private readonly knownTopics = new Set<string>()
  private readonly stopper = new AbortController()
  /** Ends backoff waits: on close, or when the runtime stops the plugin (the batch is then spooled). */
  private readonly waitSignal: AbortSignal
  private wakeReplay: (() => void) | undefined
  private drainWaiters: Array<() => void> = []
  private replayLoop: Promise<void> | undefined
  private down = false
  private connected = false
  private wasPaused = false
  private started = false
  private closing = false
  private closed = false
  private lastError: string | null = null
  private lastSuccessAt = 0
  private lastCapWarning = 0
  private readonly counts = {
    sent: 0,
    failed: 0,
    retries: 0,
    deadLettered: 0,
    deadLetteredLocal: 0,
    spooled: 0,
    replayed: 0,
    batches: 0,
    bytes: 0,
    spoolFull: 0,
  }

  constructor(options: ProducerWrapperOptions) {
    this.config = options.config
    this.transport = options.transport
    this.spool = options.spool
    this.local = options.localDeadLetters
    this.logger = options.logger
    this.redactor = options.redactor
    this.clock = options.clock
    const k = this.config.kafka
    this.retry = new RetryController(
      { baseMs: k.retry_backoff_base * 1000, maxMs: Math.max(k.retry_backoff_base, k.retry_backoff_max) * 1000 },
      this.clock,
      options.random,
    )
    this.limiter = new DlqRateLimiter(this.config.dlq.max_records_per_minute, this.clock)
    this.guard = new FailureRateGuard(
      {
        threshold: this.config.dlq.failure_rate_threshold,
        windowMs: this.config.dlq.window_seconds * 1000,
        pauseMs: this.config.dlq.pause_seconds * 1000,
        minRecords: this.config.failure_rate_min_records,
      },
      this.clock,
    )
    this.instruments = this.makeInstruments(options.metrics)
    this.waitSignal = options.signal ? AbortSignal.any([this.stopper.signal, options.signal]) : this.stopper.signal
  }

  /** The dead-letter topic. */
  get dlqTopic(): string {
    return this.config.dlq.topic
  }

  /**
   * Opens the spool, connects, creates the dead-letter topic when missing, and replays what the
   * spool holds before resolving (when Kafka is reachable). An unreachable broker is not an
   * error here: it is logged and batches go to the spool until it answers. Throws when the broker
   * refuses the dead-letter topic, or the TLS files cannot be read (earlier, in the sink).
   */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    const recovery = await this.spool.open((entry) => {
      if (!entry.deadLetter) this.pending.set(entry.topic, (this.pending.get(entry.topic) ?? 0) + 1)
    })
    await this.local.open()
    if (recovery.tornLines > 0) {
      this.instruments.tornLines.inc(recovery.tornLines)
      this.logger.warn(
        { spool: this.spool.directory, torn_lines: recovery.tornLines },
        `spool: skipped ${recovery.tornLines} torn line(s) left by an interrupted write`,
      )
    }
    if (recovery.entries > 0) {
      this.logger.info(
        { spool: this.spool.directory, entries: recovery.entries, bytes: recovery.bytes },
        `spool holds ${recovery.entries} batch(es) from an earlier run; replaying them first`,
      )
    }
    try {
      await this.transport.connect()
      this.markUp(false)
      if (this.config.enable_dlq) await this.ensureTopics([this.dlqTopic])
    } catch (err) {
      const failure = this.classify(err)
      if (failure.kind === 'refused') {
        if ((err as { code?: unknown }).code === 'ERR_SINK_REFUSED') throw err
        throw new FirefrontError(
          'ERR_SINK_REFUSED',
          `kafka at ${brokerList(this.config.kafka).join(',')} refused the sink: ${failure.message} (${failure.code})`,
          { cause: err },
        )
      }
      this.markDown(failure)
    }
    this.updateGauges()
    this.replayLoop = this.runReplayLoop()
    if (this.spool.size > 0 && !this.down) await this.drained()
  }

  /**
   * Sends one batch for one topic: serialises each record (unserialisable or oversized ones are
   * dead-lettered), sends the rest as one produce request with up to `max_retries` retries
   * (backoff 1, 2, 4 s... with jitter, capped), dead-letters records the broker refuses, and
   * spools what it could not send. Resolves with the counts once all are accounted for.
   */
  sendWithRetry(records: readonly SinkRecord[], meta: SendMeta): Promise<DeliveryResult> {
    if (this.closing) {
      return Promise.reject(new FirefrontError('ERR_STOPPED', 'the kafka sink is closed; no more batches are accepted'))
    }
    if (!this.started) return Promise.reject(new FirefrontError('ERR_STOPPED', 'the kafka sink has not been started'))
    return this.inTopicOrder(meta.topic, () => this.sendInOrder(records, meta))
  }

  /**
   * Creates the topics that are missing (`kafka.topics.auto_create`, with the configured
   * partitions and replication factor). Throws `ERR_SINK_REFUSED` naming the topic and the
   * broker's message when the broker refuses; when no broker answers it logs and returns, and the
   * topics are created before their first send instead.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    if (!this.config.kafka.topics.auto_create) return
    const missing = [...new Set(topics)].filter((t) => !this.knownTopics.has(t))
    if (missing.length === 0) return
    try {
      const created = await this.transport.createTopics(missing)
      for (const t of missing) this.knownTopics.add(t)
      if (created.length > 0) {
        this.logger.info(
          {
            topics: created,
            partitions: this.config.kafka.topics.partitions,
            replication_factor: this.config.kafka.topics.replication_factor,
          },
          `created topic(s) ${created.join(', ')}`,
        )
      }
    } catch (err) {
      const failure = this.classify(err)
      if (failure.kind !== 'unavailable') throw err
      this.noteError(failure)
      this.logger.warn(
        { topics: missing, error: failure.message },
        `cannot reach Kafka to create topic(s) ${missing.join(', ')}; they will be created before their first send`,
      )
    }
  }

  /** Waits for every batch handed over so far to be accounted for (sent, dead-lettered or spooled, all fsync'd). */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()].map((p) => p.catch(() => {})))
  }

  /**
   * Stops taking batches, waits for those in flight, drains the spool for up to
   * `close_timeout_seconds` when Kafka is reachable (what is left stays on disk for the next
   * start), then disconnects. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closing = true
    await this.flush()
    if (this.started && this.spool.size > 0 && !this.down && this.config.close_timeout_seconds > 0) {
      const timeout = this.config.close_timeout_seconds * 1000
      let timer: NodeJS.Timeout | undefined
      await Promise.race([this.drained(), new Promise<void>((r) => (timer = setTimeout(r, timeout)))])
      clearTimeout(timer)
    }
    this.closed = true
    this.stopper.abort(new FirefrontError('ERR_STOPPED', 'the kafka sink is closing'))
    this.wakeReplay?.()
    await this.replayLoop?.catch(() => {})
    if (this.spool.size > 0) {
      this.logger.info(
        { spool: this.spool.directory, entries: this.spool.size, bytes: this.spool.bytes },
        `closing with ${this.spool.size} batch(es) in the spool; the next start replays them`,
      )
    }
    await this.transport.disconnect()
    if (this.started) {
      await this.spool.close()
      await this.local.close()
    }
    this.resolveDrainWaiters()
  }

  /** The producer's figures (the seed's `get_metrics()`). */
  getMetrics(): ProducerMetrics {
    const spool = this.started ? this.spool.stats() : undefined
    return {
      total_sent: this.counts.sent,
      total_failed: this.counts.failed,
      total_retries: this.counts.retries,
      dead_lettered: this.counts.deadLettered,
      dead_lettered_local: this.counts.deadLetteredLocal,
      spooled: this.counts.spooled,
      replayed: this.counts.replayed,
      batches: this.counts.batches,
      bytes: this.counts.bytes,
      last_error: this.lastError,
      latency_p50_ms: this.latency.percentile(50),
      latency_p99_ms: this.latency.percentile(99),
      connected: this.connected,
      paused: this.guard.paused(),
      pauses: this.guard.pauses,
      dlq_capped: this.limiter.cappedRecords,
      spool_entries: spool?.entries ?? 0,
      spool_bytes: spool?.bytes ?? 0,
      spool_full: this.counts.spoolFull,
      spool_torn_lines: spool?.tornLines ?? 0,
      failure_rate: this.guard.rate(),
    }
  }

  /** The producer's health (the seed's `health_check()`). */
  healthCheck(): SinkHealth {
    const m = this.getMetrics()
    const spoolFull = this.started && this.spool.bytes >= this.spool.maxBytes * 0.99
    const detail: Record<string, JsonValue> = {
      connected: m.connected,
      paused: m.paused,
      last_success_age_seconds: this.lastSuccessAt === 0 ? null : (this.clock.now() - this.lastSuccessAt) / 1000,
      spool_bytes: m.spool_bytes,
      spool_entries: m.spool_entries,
      spool_max_bytes: this.config.spool.max_bytes,
      last_error: m.last_error,
      brokers: brokerList(this.config.kafka).join(','),
    }
    return { healthy: m.connected && !m.paused && !spoolFull, ...detail }
  }

  // ---- sending ------------------------------------------------------------------------------

  private inTopicOrder<R>(topic: string, fn: () => Promise<R>): Promise<R> {
    const prev = this.chains.get(topic) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.then(
      () => {},
      () => {},
    )
    this.chains.set(topic, tail)
    void tail.then(() => {
      if (this.chains.get(topic) === tail) this.chains.delete(topic)
    })
    return run
  }

  private async sendInOrder(records: readonly SinkRecord[], meta: SendMeta): Promise<DeliveryResult> {
    const t0 = this.clock.now()
    const batchMeta: BatchMeta = { topic: meta.topic, sourceId: meta.sourceId, sourceType: meta.sourceType }
    const prepared = prepareMessages(records, batchMeta, this.config.kafka.max_message_bytes, t0)
    const total = emptyCounts()
    this.counts.batches++
    this.instruments.batches.inc()
    const divert = this.divertReason(meta.topic)
    if (divert) {
      if (prepared.poison.length > 0) {
        const dead = prepared.poison.map((p) =>
          this.deadLetterMessage(p.message, { code: p.code, message: p.error }, 0, meta.topic),
        )
        this.counts.failed += dead.length
        this.instruments.failed.inc(dead.length)
        total.spooled += await this.spoolBatch(dead, meta, divert, 0, true)
      }
      total.spooled += await this.spoolBatch(prepared.messages, meta, divert, 0, false)
    } else {
      let refused = prepared.poison.length
      if (prepared.poison.length > 0) {
        const items = prepared.poison.map((p) => ({
          message: p.message,
          failure: { code: p.code, message: p.error },
          attempts: 0,
        }))
        this.add(total, await this.deadLetter(items, meta))
      }
      if (prepared.messages.length > 0 && this.down) {
        // Dead-lettering the poison records just found Kafka unreachable: no second round of retries.
        total.spooled += await this.spoolBatch(prepared.messages, meta, 'unavailable', 0, false)
      } else if (prepared.messages.length > 0) {
        const outcome = await this.produce(meta.topic, prepared.messages, prepared.bytes)
        refused += outcome.dead.length
        total.delivered += outcome.delivered
        total.retries += outcome.retries
        this.countSent(outcome.delivered, prepared.bytes, outcome)
        this.add(total, await this.deadLetter(outcome.dead, meta))
        if (outcome.unavailable) {
          const { messages, attempts } = outcome.unavailable
          const n = await this.spoolBatch(messages, meta, 'unavailable', attempts, false)
          total.spooled += n
          this.counts.failed += n
          this.instruments.failed.inc(n)
        }
      }
      this.observeFailureRate(total.delivered, refused)
    }
    const elapsed = this.clock.now() - t0
    this.latency.observe(elapsed)
    this.instruments.latency.observe(elapsed / 1000)
    this.updateGauges()
    return total
  }

  private divertReason(topic: string): SpoolReason | undefined {
    if (this.guard.paused()) return 'paused'
    if (this.down) return 'unavailable'
    if ((this.pending.get(topic) ?? 0) > 0) return 'ordering'
    return undefined
  }

  private add(total: Counts, part: Partial<Counts>): void {
    total.delivered += part.delivered ?? 0
    total.deadLettered += part.deadLettered ?? 0
    total.spooled += part.spooled ?? 0
    total.retries += part.retries ?? 0
  }

  private countSent(delivered: number, bytes: number, outcome: ProduceOutcome): void {
    this.counts.sent += delivered
    this.instruments.sent.inc(delivered)
    // Bytes of what was acknowledged: the whole batch unless part of it failed.
    const ok = outcome.dead.length === 0 && !outcome.unavailable ? bytes : 0
    this.counts.bytes += ok
    this.instruments.bytes.inc(ok)
    this.counts.retries += outcome.retries
    this.instruments.retries.inc(outcome.retries)
  }

  /**
   * Sends messages to a topic in runs that fit the broker's size limit, each with retries. Stops
   * at the first run that cannot be sent, so what is left keeps its order.
   */
  private async produce(topic: string, messages: OutMessage[], bytes?: number): Promise<ProduceOutcome> {
    const max = this.config.kafka.max_message_bytes
    const chunks = bytes !== undefined && bytes <= max ? [messages] : chunkByBytes(messages, max)
    const out: ProduceOutcome = { delivered: 0, dead: [], retries: 0 }
    for (const [i, chunk] of chunks.entries()) {
      const r = await this.produceChunk(topic, chunk)
      out.delivered += r.delivered
      out.dead.push(...r.dead)
      out.retries += r.retries
      if (r.unavailable) {
        out.unavailable = { ...r.unavailable, messages: [...r.unavailable.messages, ...chunks.slice(i + 1).flat()] }
        break
      }
    }
    return out
  }

  private async produceChunk(topic: string, chunk: OutMessage[]): Promise<ProduceOutcome> {
    let attempt = 0
    let lastFailure: KafkaFailure | undefined
    for (;;) {
      if (this.down && attempt > 0) {
        return { delivered: 0, dead: [], retries: attempt - 1, unavailable: this.unavailable(chunk, attempt) }
      }
      try {
        await this.retry.wait(this.waitSignal)
      } catch {
        // Stopping: no more waiting for a retry; the caller spools what is left.
        if (lastFailure) this.markDown(lastFailure)
        return {
          delivered: 0,
          dead: [],
          retries: Math.max(0, attempt - 1),
          unavailable: this.unavailable(chunk, attempt),
        }
      }
      attempt++
      try {
        if (!this.knownTopics.has(topic)) await this.ensureTopicStrict(topic)
        await this.transport.send(topic, chunk)
        this.onSuccess()
        return { delivered: chunk.length, dead: [], retries: attempt - 1 }
      } catch (err) {
        const failure = this.classify(err)
        lastFailure = failure
        this.noteError(failure)
        if (failure.kind === 'record') {
          if (chunk.length === 1)
            return { delivered: 0, dead: [{ message: chunk[0]!, failure, attempts: attempt }], retries: attempt - 1 }
          // Halve the run until the refused records stand alone; the rest is delivered.
          const mid = Math.ceil(chunk.length / 2)
          const left = await this.produceChunk(topic, chunk.slice(0, mid))
          if (left.unavailable) {
            left.unavailable.messages.push(...chunk.slice(mid))
            return { ...left, retries: left.retries + attempt - 1 }
          }
          const right = await this.produceChunk(topic, chunk.slice(mid))
          return {
            delivered: left.delivered + right.delivered,
            dead: [...left.dead, ...right.dead],
            retries: left.retries + right.retries + attempt - 1,
            unavailable: right.unavailable,
          }
        }
        if (failure.kind === 'refused') {
          this.logger.error(
            { topic, code: failure.code, records: chunk.length },
            `kafka refused ${chunk.length} record(s) for ${topic}: ${failure.message}`,
          )
          return {
            delivered: 0,
            dead: chunk.map((message) => ({ message, failure, attempts: attempt })),
            retries: attempt - 1,
          }
        }
        if (failure.kind === 'producer-state') {
          this.logger.warn(
            { code: failure.code },
            `kafka lost the producer's state (${failure.code}); starting a new producer`,
          )
          await this.transport.resetProducer().catch((e: unknown) => this.noteError(this.classify(e)))
        }
        if (attempt > this.config.kafka.max_retries || this.waitSignal.aborted) {
          this.markDown(failure)
          return {
            delivered: 0,
            dead: [],
            retries: attempt - 1,
            unavailable: { messages: chunk, failure, attempts: attempt },
          }
        }
        const delay = this.retry.failure()
        this.logger.debug(
          { topic, attempt, delay_ms: delay, code: failure.code },
          `send to ${topic} failed (${failure.message}); retry ${attempt} of ${this.config.kafka.max_retries} in ${delay} ms`,
        )
      }
    }
  }

  private unavailable(chunk: OutMessage[], attempts: number): NonNullable<ProduceOutcome['unavailable']> {
    return {
      messages: chunk,
      attempts,
      failure: {
        kind: 'unavailable',
        code: 'UNAVAILABLE',
        message: this.lastError ?? 'kafka is unreachable',
        authentication: false,
      },
    }
  }

  /** Topic creation before a first send; refusals surface as `refused` failures (dead-lettered). */
  private async ensureTopicStrict(topic: string): Promise<void> {
    if (!this.config.kafka.topics.auto_create) {
      this.knownTopics.add(topic)
      return
    }
    const created = await this.transport.createTopics([topic])
    this.knownTopics.add(topic)
    if (created.length > 0) this.logger.info({ topic }, `created topic ${topic}`)
  }

  // ---- dead letters -------------------------------------------------------------------------

  private deadLetterMessage(
    message: OutMessage,
    failure: { readonly code: string; readonly message: string },
    attempts: number,
    originalTopic: string,
  ): OutMessage {
    return toDeadLetter(message, {
      error: this.redactor.text(failure.message),
      code: failure.code,
      attempts,
      originalTopic,
      failedAt: new Date(this.clock.now()).toISOString(),
    })
  }

  /**
   * Dead-letters refused records: to the dead-letter topic up to the per-minute cap, the rest to
   * the spool (sent to the dead-letter topic later, never dropped); with the DLQ disabled, or when
   * the dead-letter topic refuses a record too, to the local dead-letter file.
   */
  private async deadLetter(items: readonly DeadItem[], meta: SendMeta): Promise<Partial<Counts>> {
    if (items.length === 0) return {}
    const messages = items.map((i) =>
      this.deadLetterMessage(i.message, { code: i.failure.code, message: i.failure.message }, i.attempts, meta.topic),
    )
    const attempts = Math.max(...items.map((i) => i.attempts))
    this.counts.failed += items.length
    this.instruments.failed.inc(items.length)
    if (!this.config.enable_dlq) {
      await this.writeLocal(messages, meta, 'dlq-disabled')
      return { deadLettered: messages.length }
    }
    const allowed = this.limiter.take(messages.length)
    const now = messages.slice(0, allowed)
    const later = messages.slice(allowed)
    const out: Partial<Counts> = { deadLettered: 0, spooled: 0 }
    if (later.length > 0) {
      this.instruments.dlqCapped.inc(later.length)
      if (this.clock.now() - this.lastCapWarning > 60_000) {
        this.lastCapWarning = this.clock.now()
        this.logger.warn(
          { cap: this.config.dlq.max_records_per_minute, records: later.length },
          `dead-letter cap of ${this.config.dlq.max_records_per_minute} records/minute reached; ${later.length} record(s) go to the spool and are dead-lettered later`,
        )
      }
    }
    if (now.length > 0) {
      const r = this.down ? undefined : await this.produce(this.dlqTopic, now)
      if (!r) {
        out.spooled! += await this.spoolBatch(now, meta, 'unavailable', attempts, true)
      } else {
        out.deadLettered! += r.delivered
        this.counts.deadLettered += r.delivered
        this.instruments.deadLettered.inc(r.delivered)
        if (r.dead.length > 0) {
          await this.writeLocal(
            r.dead.map((d) => d.message),
            meta,
            'dlq-refused',
          )
          out.deadLettered! += r.dead.length
        }
        if (r.unavailable)
          out.spooled! += await this.spoolBatch(r.unavailable.messages, meta, 'unavailable', attempts, true)
      }
    }
    if (later.length > 0) out.spooled! += await this.spoolBatch(later, meta, 'dlq-capped', attempts, true)
    return out
  }

  private async writeLocal(
    messages: OutMessage[],
    meta: SendMeta,
    reason: 'dlq-disabled' | 'dlq-refused',
  ): Promise<void> {
    await this.local.append([
      {
        v: 1,
        topic: this.dlqTopic,
        sourceId: meta.sourceId,
        sourceType: meta.sourceType,
        reason,
        spooledAt: new Date(this.clock.now()).toISOString(),
        attempts: 0,
        deadLetter: { originalTopic: meta.topic },
        messages,
      },
    ])
    this.counts.deadLetteredLocal += messages.length
    this.instruments.deadLetteredLocal.inc(messages.length)
    this.logger.warn(
      { records: messages.length, file: this.local.directory, reason },
      `${messages.length} dead-lettered record(s) kept in the local dead-letter file (${reason === 'dlq-disabled' ? 'enable_dlq is false' : 'the dead-letter topic refused them'})`,
    )
  }

  // ---- spool --------------------------------------------------------------------------------

  /** Appends messages to the spool (fsync'd); returns how many. Throws ERR_SPOOL_FULL. */
  private async spoolBatch(
    messages: OutMessage[],
    meta: SendMeta,
    reason: SpoolReason,
    attempts: number,
    deadLetter: boolean,
  ): Promise<number> {
    if (messages.length === 0) return 0
    const entry: SpooledBatch = {
      v: 1,
      topic: deadLetter ? this.dlqTopic : meta.topic,
      sourceId: meta.sourceId,
      sourceType: meta.sourceType,
      reason,
      spooledAt: new Date(this.clock.now()).toISOString(),
      attempts,
      ...(deadLetter ? { deadLetter: { originalTopic: meta.topic } } : {}),
      messages,
    }
    try {
      await this.spool.append([entry])
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_SPOOL_FULL') {
        this.counts.spoolFull++
        this.instruments.spoolFull.inc()
        this.logger.error(
          { spool: this.spool.directory, max_bytes: this.spool.maxBytes, records: messages.length },
          (err as Error).message,
        )
      }
      throw err
    }
    if (!deadLetter) this.pending.set(meta.topic, (this.pending.get(meta.topic) ?? 0) + 1)
    this.counts.spooled += messages.length
    this.instruments.spooled.inc(messages.length)
    this.wakeReplay?.()
    return messages.length
  }

  private async runReplayLoop(): Promise<void> {
    const signal = this.stopper.signal
    while (!signal.aborted) {
      try {
        this.notifyIfDrained()
        if (this.guard.paused()) {
          await this.clock.sleep(Math.max(1, this.guard.until - this.clock.now()), signal)
          continue
        }
        if (this.wasPaused) this.onResume()
        if (this.spool.size === 0 && !this.down) {
          await this.idle()
          continue
        }
        if (this.down) {
          if (!(await this.probe())) {
            this.retry.failure()
            await this.retry.wait(signal)
            continue
          }
          this.markUp(true)
        }
        const [head] = await this.spool.peek(1)
        if (!head) continue
        const entry = head.value
        if (entry.deadLetter) {
          const wait = this.limiter.waitMs(entry.messages.length)
          if (wait > 0) {
            await this.clock.sleep(Math.min(wait, 5000), signal)
            continue
          }
          this.limiter.consume(entry.messages.length)
        }
        if (!(await this.replayEntry(entry))) {
          // Not sent and Kafka not known to be down (stopping): try again in a while, not in a spin.
          if (!this.down) await this.clock.sleep(1000, signal)
          continue
        }
        // The batch is out: the topic's next batch may go direct once no older one waits.
        if (!entry.deadLetter) {
          const left = (this.pending.get(entry.topic) ?? 1) - 1
          if (left > 0) this.pending.set(entry.topic, left)
          else this.pending.delete(entry.topic)
        }
        await this.spool.ack(1)
        this.updateGauges()
      } catch (err) {
        if (signal.aborted || isAbort(err)) break
        this.logger.error({ error: this.redactor.message(err) }, `spool replay failed: ${this.redactor.message(err)}`)
        await this.clock.sleep(1000, signal).catch(() => {})
      }
    }
  }

  /** Sends one spooled entry; false when Kafka could not be reached (the entry stays). */
  private async replayEntry(entry: SpooledBatch): Promise<boolean> {
    const meta: SendMeta = {
      topic: entry.deadLetter?.originalTopic ?? entry.topic,
      sourceId: entry.sourceId,
      sourceType: entry.sourceType,
    }
    const r = await this.produce(entry.topic, entry.messages)
    if (r.unavailable) return false
    this.counts.retries += r.retries
    this.instruments.retries.inc(r.retries)
    this.counts.replayed += r.delivered
    this.instruments.replayed.inc(r.delivered)
    if (entry.deadLetter) {
      this.counts.deadLettered += r.delivered
      this.instruments.deadLettered.inc(r.delivered)
      if (r.dead.length > 0)
        await this.writeLocal(
          r.dead.map((d) => d.message),
          meta,
          'dlq-refused',
        )
    } else {
      this.counts.sent += r.delivered
      this.instruments.sent.inc(r.delivered)
      await this.deadLetter(r.dead, meta)
      this.observeFailureRate(r.delivered, r.dead.length)
    }
    return true
  }

  private async probe(): Promise<boolean> {
    try {
      await this.transport.probe()
      return true
    } catch (err) {
      this.noteError(this.classify(err))
      return false
    }
  }

  private idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.wakeReplay = undefined
        this.stopper.signal.removeEventListener('abort', done)
        resolve()
      }
      this.wakeReplay = done
      this.stopper.signal.addEventListener('abort', done, { once: true })
    })
  }

  /** Resolves when the spool is empty, Kafka is found unreachable, or the wrapper closes. */
  private drained(): Promise<void> {
    if (this.spool.size === 0 || this.down || this.closed) return Promise.resolve()
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve))
  }

  private notifyIfDrained(): void {
    if (this.drainWaiters.length > 0 && (this.spool.size === 0 || this.down)) this.resolveDrainWaiters()
  }

  private resolveDrainWaiters(): void {
    const waiters = this.drainWaiters
    this.drainWaiters = []
    for (const w of waiters) w()
  }

  // ---- state --------------------------------------------------------------------------------

  private onSuccess(): void {
    this.retry.success()
    this.lastSuccessAt = this.clock.now()
    if (this.down) this.markUp(true)
  }

  private markDown(failure: KafkaFailure): void {
    this.noteError(failure)
    this.connected = false
    if (this.down) return
    this.down = true
    this.instruments.connected.set(0)
    const brokers = brokerList(this.config.kafka).join(',')
    this.logger.error(
      { brokers, code: failure.code, spool: this.spool.directory },
      failure.authentication
        ? `kafka at ${brokers} refused the credentials (${failure.message}); batches go to the spool until it accepts them`
        : `cannot reach kafka at ${brokers} (${failure.message}); batches go to the spool until it answers`,
    )
    this.notifyIfDrained()
    this.wakeReplay?.()
  }

  private markUp(announce: boolean): void {
    const wasDown = this.down
    this.down = false
    this.connected = true
    this.retry.success()
    this.instruments.connected.set(1)
    if (announce && wasDown) {
      this.logger.info(
        { spool_entries: this.spool.size },
        `kafka is reachable again; replaying ${this.spool.size} spooled batch(es)`,
      )
    }
  }

  /** Classifies an error, its message redacted: everything logged or dead-lettered comes from here. */
  private classify(err: unknown): KafkaFailure {
    const failure = classifyFailure(err)
    return { ...failure, message: this.redactor.text(failure.message) }
  }

  private noteError(failure: KafkaFailure): void {
    this.lastError = `${failure.code}: ${this.redactor.text(failure.message)}`
  }

  private observeFailureRate(delivered: number, failed: number): void {
    const pause = this.guard.record(delivered, failed)
    if (pause) this.onPause(pause)
  }

  private onPause(pause: PauseEvent): void {
    this.wasPaused = true
    this.instruments.pauses.inc()
    this.instruments.paused.set(1)
    this.logger.warn(
      {
        failed: pause.failed,
        total: pause.total,
        rate: Number(pause.rate.toFixed(3)),
        threshold: this.config.dlq.failure_rate_threshold,
        pause_seconds: this.config.dlq.pause_seconds,
      },
      `kafka sink paused for ${this.config.dlq.pause_seconds} s: ${pause.failed} of ${pause.total} records failed over the last ${this.config.dlq.window_seconds} s (threshold ${Math.round(this.config.dlq.failure_rate_threshold * 100)} %); new batches go to the spool meanwhile`,
    )
  }

  private onResume(): void {
    this.wasPaused = false
    this.instruments.paused.set(0)
    this.logger.info({ spool_entries: this.spool.size }, 'kafka sink resumed after its pause')
  }

  private updateGauges(): void {
    if (!this.started) return
    this.instruments.spoolBytes.set(this.spool.bytes)
    this.instruments.spoolEntries.set(this.spool.size)
  }

  private makeInstruments(metrics: MetricsHandle | undefined) {
    const noop = { inc: () => {}, set: () => {}, observe: () => {} }
    const c = (name: string, help: string) => metrics?.counter(name, help) ?? noop
    const g = (name: string, help: string) => metrics?.gauge(name, help) ?? noop
    return {
      sent: c('kafka_records_sent_total', 'records acknowledged by their topic'),
      failed: c('kafka_records_failed_total', 'records whose send failed after its retries'),
      retries: c('kafka_retries_total', 'retried produce requests'),
      deadLettered: c('kafka_records_dead_lettered_total', 'records written to the dead-letter topic'),
      deadLetteredLocal: c('kafka_records_dead_lettered_local_total', 'records kept in the local dead-letter file'),
      spooled: c('kafka_records_spooled_total', 'records written to the disk spool'),
      replayed: c('kafka_records_replayed_total', 'records sent from the spool'),
      batches: c('kafka_batches_total', 'batches handed to the sink'),
      bytes: c('kafka_bytes_total', 'bytes of acknowledged records'),
      spoolFull: c('kafka_spool_full_total', 'batches refused because the spool was full'),
      dlqCapped: c('kafka_dlq_capped_total', 'dead letters spooled because of the per-minute cap'),
      pauses: c('kafka_pauses_total', 'pauses caused by the failure-rate threshold'),
      tornLines: c('kafka_spool_torn_lines_total', 'torn spool lines skipped at start'),
      paused: g('kafka_paused', '1 while sending is paused by the failure-rate threshold'),
      connected: g('kafka_connected', '1 while kafka is reachable'),
      spoolBytes: g('kafka_spool_bytes', 'bytes in the disk spool'),
      spoolEntries: g('kafka_spool_entries', 'batches in the disk spool'),
      latency:
        metrics?.histogram('kafka_send_latency_seconds', 'time from hand-over to accounted-for, per batch') ?? noop,
    }
  }
}
