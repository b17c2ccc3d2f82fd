/**
 * The way of a record, one direction: queue → consumer → topic chain → throttle → sink, and a
 * typed acknowledgement back to the stream the record came from. Streams put records in through
 * {@link Pipeline.enqueue}; nothing else in the runtime touches the queue or the sink's `send`.
 */
import type {
  Clock,
  Cursor,
  Logger,
  SinkBatch,
  SinkInstance,
  SinkResult,
  SourceInfo,
  ThrottlePolicyInstance,
} from '@firefront/sdk'
import {
  EnqueueInterruptedError,
  type OverflowStrategy,
  PriorityQueue,
  type QueueMetrics,
} from '../queue/priority-queue'
import type { PreparedCursorCommit } from '../kafka/cursor-store'
import type { TransactionOutcome, TransactionPart, TransactionRequest } from '../kafka/delivery/transactions'
import { DropLog } from './drop-log'
import type { DropReason, RuntimeEmitter } from './events'
import { type ConsumerMetrics, QueueConsumer } from './queue-consumer'
import type { QueuedRecord } from './queued-record'
import type { SendHookRunner } from './send-hooks'
import type { TopicChain, TopicChainMetrics } from './topic-chain'

/** How the pipeline tells a stream what became of its records. */
export interface StreamPort {
  /** The sink accounted for every record of `items` (delivered, dead-lettered or spooled) in `topic`. */
  acknowledged(items: readonly QueuedRecord[], result: SinkResult, topic: string): void
  /** The queue dropped `items` under its overflow strategy. */
  dropped(items: readonly QueuedRecord[], reason: DropReason): void
  /** The records could not be sent before shutdown; they stay unacknowledged. */
  abandoned(items: readonly QueuedRecord[], error: Error): void
}

/** Options of {@link Pipeline}. */
export interface PipelineOptions {
  readonly sink: SinkInstance
  readonly throttle: ThrottlePolicyInstance
  readonly chain: TopicChain
  readonly hooks: SendHookRunner
  readonly events: RuntimeEmitter
  readonly logger: Logger
  readonly clock: Clock
  readonly queueMaxSize: number
  readonly overflowStrategy: OverflowStrategy
  readonly batchSize: number
  /**
   * Batches handed to the sink before the first is accounted for (the sink keeps their order);
   * default 1.
   */
  readonly maxInFlightBatches?: number
  readonly lingerMs: number
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  /** What the topic chain is told about a record's source. */
  readonly sourceInfo: (sourceId: string) => SourceInfo
  /** The shutdown budget, read when the pipeline stops. */
  readonly drainTimeoutMs: () => number
  /** Set with `delivery: exactly_once`: how a poll and its cursor are written in one transaction. */
  readonly transactions?: PipelineTransactions
}

/** What {@link Pipeline.transact} writes with (`delivery: exactly_once`). */
export interface PipelineTransactions {
  /** The kafka sink's transactional write. */
  readonly write: (request: TransactionRequest) => Promise<TransactionOutcome>
  /** The cursor commit to write in the transaction (the Kafka cursor store's message). */
  readonly prepareCursor: (sourceId: string, cursor: Cursor, records: number) => PreparedCursorCommit
  /** The stable `transactional.id` of a source. */
  readonly transactionalId: (sourceId: string) => string
  /** Opens a transactional id's producer now (fencing older holders). */
  readonly open: (transactionalId: string) => Promise<void>
  /** Closes a transactional id's producer. */
  readonly release: (transactionalId: string) => Promise<void>
}

/** The pipeline's figures, for `getMetrics()`. */
export interface PipelineMetrics {
  readonly queue: QueueMetrics
  readonly consumer: ConsumerMetrics
  readonly topic_resolver: TopicChainMetrics
  /** Records dropped, by reason (every drop the runtime made; none is silent). */
  readonly dropped_by_reason: Readonly<Record<string, number>>
  /** Records the sink acknowledged as delivered, per topic. */
  readonly delivered_by_topic: Readonly<Record<string, number>>
}

const DROP_REASON_OF: Readonly<Record<string, DropReason>> = {
  drop_newest: 'queue_overflow_newest',
  drop_oldest: 'queue_overflow_oldest',
  lower_priority: 'queue_overflow_lower_priority',
}

/** The pipeline; see the module comment. */
export class Pipeline {
  readonly name = 'pipeline'
  readonly #o: PipelineOptions
  readonly #queue: PriorityQueue<QueuedRecord>
  readonly #consumer: QueueConsumer
  readonly #ports = new Map<string, StreamPort>()
  readonly #dropped = new Map<string, number>()
  readonly #deliveredByTopic = new Map<string, number>()
  readonly #dropLog: DropLog
  /** Called after the sink is flushed at stop, so streams write their last cursors. */
  #afterDrain: (() => Promise<void>) | undefined

  constructor(options: PipelineOptions) {
    this.#o = options
    this.#dropLog = new DropLog(options.logger, options.clock)
    this.#queue = new PriorityQueue<QueuedRecord>({
      maxSize: options.queueMaxSize,
      overflowStrategy: options.overflowStrategy,
      clock: options.clock,
      isEvictable: (item) => item.evictable,
      onDrop: (drop) => this.#drop([drop.entry.item], DROP_REASON_OF[drop.reason] ?? 'queue_overflow_oldest'),
    })
    const inFlight = options.maxInFlightBatches ?? 1
    let handOver: Promise<unknown> = Promise.resolve()
    const send = (batch: SinkBatch): Promise<SinkResult> => {
      const { hooks, sink } = options
      if (hooks.empty) return sink.send(batch)
      // Each batch reaches the sink after the previous one did, so slow beforeSend hooks cannot
      // reorder batches in flight together (with one in flight, this is the hooks' `around`).
      const called = handOver.then(async () => {
        const current = await hooks.before(batch)
        return { current, result: sink.send(current) }
      })
      handOver = called.catch(() => {})
      return called.then(async ({ current, result }) => {
        const r = await result
        await hooks.after(batch, current, r)
        return r
      })
    }
    this.#consumer = new QueueConsumer({
      queue: this.#queue,
      send,
      throttle: options.throttle,
      resolveTopic: (item) => options.chain.resolve(item.record, options.sourceInfo(item.record.sourceId)),
      batchSize: options.batchSize,
      maxInFlightBatches: inFlight,
      lingerMs: options.lingerMs,
      events: options.events,
      logger: options.logger,
      clock: options.clock,
      retryBaseMs: options.retryBaseMs,
      retryMaxMs: options.retryMaxMs,
      callbacks: {
        settled: (items, result, topic) => this.#settled(items, result, topic),
        abandoned: (items, error) => this.#abandoned(items, error),
      },
    })
  }

  /** Connects a stream, so acknowledgements of its records reach it. */
  attach(streamId: string, port: StreamPort): void {
    this.#ports.set(streamId, port)
  }

  /** Whether the queue is at its bound. */
  isFull(): boolean {
    return this.#queue.isFull()
  }

  /** Records queued now. */
  size(): number {
    return this.#queue.size()
  }

  /**
   * Puts records into the queue, in order. With `wait` (pull sources), a full queue makes the
   * caller wait for room whatever the overflow strategy, and these records are never evicted; without
   * it (push sources), the overflow strategy applies and every drop is reported to the stream.
   * Resolves with how many records are queued.
   *
   * @throws EnqueueInterruptedError when `signal` aborts or the queue closes while waiting; the
   *   records not queued are counted as dropped (`stream_stopped`) and their cursor stays uncommitted.
   */
  async enqueue(items: readonly QueuedRecord[], options: { wait: boolean; signal: AbortSignal }): Promise<number> {
    if (items.length === 0) return 0
    const sourceId = items[0]!.record.sourceId
    try {
      const result = await this.#queue.enqueueAll(items, (i) => i.record.priority, sourceId, options)
      return result.accepted
    } catch (err) {
      const accepted = err instanceof EnqueueInterruptedError ? err.accepted : 0
      const left = items.slice(accepted)
      this.#count('stream_stopped', sourceId, left.length)
      this.#o.events.emit('record:dropped', { sourceId, reason: 'stream_stopped', count: left.length })
      throw err
    }
  }

  /** True when pull sources write each poll and its cursor in one transaction (`delivery: exactly_once`). */
  get transactional(): boolean {
    return this.#o.transactions !== undefined
  }

  /**
   * `delivery: exactly_once`: writes one poll of a pull source — its records in every topic the
   * chain resolves, and `cursor` after them — in one Kafka transaction, past the queue (a poll is
   * the unit of atomicity, so it is not split into the queue's batches). The throttle and the send
   * hooks apply per topic as for queued batches. Resolves once committed; the stream's records are
   * acknowledged through its port, and the cursor is recorded in the store.
   *
   * @throws FirefrontError `ERR_FENCED` (another worker owns the source now) or `ERR_STOPPED`;
   *   nothing of the poll is visible then, and its cursor is not moved.
   */
  async transact(
    source: { readonly sourceId: string; readonly sourceType: string; readonly signal?: AbortSignal },
    items: readonly QueuedRecord[],
    cursor: { cursor: Cursor; records: number } | undefined,
  ): Promise<void> {
    const tx = this.#o.transactions
    if (!tx) throw new Error('transact() needs delivery: exactly_once')
    if (items.length === 0 && cursor === undefined) return
    const { sourceId, sourceType } = source
    const groups = new Map<string, QueuedRecord[]>()
    for (const item of items) {
      const topic = this.#o.chain.resolve(item.record, this.#o.sourceInfo(item.record.sourceId))
      const list = groups.get(topic)
      if (list) list.push(item)
      else groups.set(topic, [item])
    }
    const batches: Array<{ original: SinkBatch; sent: SinkBatch; items: QueuedRecord[] }> = []
    for (const [topic, list] of groups) {
      const original: SinkBatch = {
        topic,
        sourceId,
        sourceType,
        records: list.map((i) => i.record),
      }
      const decision = await this.#o.throttle.check({ sourceId, topic, size: list.length })
      if (decision.delayMs > 0) {
        this.#o.events.emit('throttle:changed', { action: decision.action, delayMs: decision.delayMs })
        await this.#o.clock.sleep(decision.delayMs)
      }
      const sent = this.#o.hooks.empty ? original : await this.#o.hooks.before(original)
      batches.push({ original, sent, items: list })
    }
    const prepared = cursor ? tx.prepareCursor(sourceId, cursor.cursor, cursor.records) : undefined
    const parts: TransactionPart[] = batches.map((b) => ({ topic: b.sent.topic, records: b.sent.records }))
    const outcome = await tx.write({
      sourceId,
      sourceType,
      transactionalId: tx.transactionalId(sourceId),
      parts,
      extra: prepared ? [{ topic: prepared.topic, message: prepared.message }] : [],
      ...(source.signal ? { signal: source.signal } : {}),
    })
    prepared?.apply()
    for (const [i, b] of batches.entries()) {
      const result = outcome.parts[i]!
      this.#settled(b.items, result, b.original.topic)
      this.#o.events.emit('batch:sent', { sourceId, topic: b.original.topic, ...result, latencyMs: outcome.latencyMs })
      if (!this.#o.hooks.empty) await this.#o.hooks.after(b.original, b.sent, result)
    }
  }

  /**
   * `delivery: exactly_once`: fences every other writer of these sources (their open transactions
   * are aborted) before this process reads their cursors and starts them. A no-op otherwise.
   */
  async fence(sourceIds: readonly string[]): Promise<void> {
    const tx = this.#o.transactions
    if (!tx) return
    for (const id of sourceIds) await tx.open(tx.transactionalId(id))
  }

  /** `delivery: exactly_once`: closes the producers of sources this process no longer runs. */
  async unfence(sourceIds: readonly string[]): Promise<void> {
    const tx = this.#o.transactions
    if (!tx) return
    for (const id of sourceIds) await tx.release(tx.transactionalId(id))
  }

  /** Starts the consumer loop. */
  start(): void {
    this.#consumer.start()
  }

  /** Resolves once the queue is empty and no batch is in flight. */
  idle(): Promise<void> {
    return this.#consumer.idle()
  }

  /** Runs after the drain and the sink's flush, at stop (the streams' last cursor commits). */
  onDrained(fn: () => Promise<void>): void {
    this.#afterDrain = fn
  }

  /**
   * Stops taking records, sends what is queued within the shutdown budget (what is left then is
   * reported as abandoned), flushes the sink and lets the streams commit their last cursors.
   */
  async stop(): Promise<void> {
    this.#queue.close()
    await this.#consumer.stop(this.#o.drainTimeoutMs())
    this.#dropLog.flush()
    await this.#o.sink.flush?.()
    await this.#afterDrain?.()
  }

  /** The pipeline's figures. */
  metrics(): PipelineMetrics {
    return {
      queue: this.#queue.getMetrics(),
      consumer: this.#consumer.getMetrics(),
      topic_resolver: this.#o.chain.getMetrics(),
      dropped_by_reason: Object.fromEntries(this.#dropped),
      delivered_by_topic: Object.fromEntries(this.#deliveredByTopic),
    }
  }

  #count(reason: string, sourceId: string, n: number): void {
    if (n === 0) return
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + n)
    this.#dropLog.note(sourceId, reason, n)
  }

  #drop(items: readonly QueuedRecord[], reason: DropReason): void {
    const sourceId = items[0]?.record.sourceId ?? ''
    this.#count(reason, sourceId, items.length)
    this.#ports.get(items[0]?.streamId ?? '')?.dropped(items, reason)
    this.#o.events.emit('record:dropped', { sourceId, reason, count: items.length })
  }

  #settled(items: readonly QueuedRecord[], result: SinkResult, topic: string): void {
    if (result.delivered > 0) {
      this.#deliveredByTopic.set(topic, (this.#deliveredByTopic.get(topic) ?? 0) + result.delivered)
    }
    this.#ports.get(items[0]!.streamId)?.acknowledged(items, result, topic)
  }

  #abandoned(items: readonly QueuedRecord[], error: Error): void {
    const byStream = new Map<string, QueuedRecord[]>()
    for (const item of items) {
      const list = byStream.get(item.streamId) ?? []
      list.push(item)
      byStream.set(item.streamId, list)
    }
    for (const [streamId, list] of byStream) {
      const sourceId = list[0]!.record.sourceId
      this.#dropped.set('shutdown_timeout', (this.#dropped.get('shutdown_timeout') ?? 0) + list.length)
      this.#o.events.emit('record:dropped', { sourceId, reason: 'shutdown_timeout', count: list.length })
      const journaled = list.reduce((n, item) => n + (item.journalSeq === undefined ? 0 : 1), 0)
      this.#o.logger.error(
        { source: sourceId, count: list.length, journaled, err: error },
        journaled > 0
          ? 'records were not sent before shutdown; they stay in the intake journal and are sent at the next start'
          : 'records were not sent before shutdown; their cursor stays uncommitted, so a pull source fetches them again at the next start',
      )
      this.#ports.get(streamId)?.abandoned(list, error)
    }
  }
}
