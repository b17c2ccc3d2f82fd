/**
 * The queue consumer (the seed's `PriorityQueueConsumer`): takes batches of `batch_size` records,
 * or what is there after the linger time, and hands them — grouped by source and topic, in order —
 * through the throttle policy to the sink. A batch the sink cannot account for is retried with
 * backoff, never dropped; the throttle only delays sends, it never reorders or re-enqueues.
 *
 * With `maxInFlightBatches` above 1 (a sink that keeps the order of batches handed to it while
 * earlier ones wait for acknowledgement) the next batch is handed over once every group of the
 * previous one has been handed over, up to that many batches at once; each batch's records are
 * settled when the sink accounts for them, so settles may come out of order (cursors commit only
 * over a settled prefix: see `checkpoints.ts`). A batch the sink rejects is retried behind the
 * later ones already handed over.
 */
import {
  backoffDelay,
  linkSignals,
  type Clock,
  type Logger,
  type SinkBatch,
  type SinkRecord,
  type SinkResult,
  type ThrottlePolicyInstance,
} from '@firefront/sdk'
import type { PriorityQueue, QueueEntry } from '../queue/priority-queue'
import type { RuntimeEmitter } from './events'
import type { QueuedRecord } from './queued-record'

/** Where the consumer reports what happened to each group of records. */
export interface ConsumerCallbacks {
  /** The sink accounted for every record of `entries` (delivered, dead-lettered or spooled) in `topic`. */
  settled(entries: readonly QueuedRecord[], result: SinkResult, topic: string): void
  /** The records could not be sent before the consumer stopped; they stay unacknowledged. */
  abandoned(entries: readonly QueuedRecord[], error: Error): void
}

/** Options of {@link QueueConsumer}. */
export interface QueueConsumerOptions {
  readonly queue: PriorityQueue<QueuedRecord>
  readonly send: (batch: SinkBatch) => Promise<SinkResult>
  readonly throttle: ThrottlePolicyInstance
  readonly resolveTopic: (entry: QueuedRecord) => string
  readonly batchSize: number
  /** Batches handed to the sink before the first is accounted for; default 1. */
  readonly maxInFlightBatches?: number
  readonly lingerMs: number
  readonly events: RuntimeEmitter
  readonly logger: Logger
  readonly clock: Clock
  readonly callbacks: ConsumerCallbacks
  /** First retry delay of a batch the sink rejected, doubled each attempt up to `retryMaxMs`. */
  readonly retryBaseMs?: number
  readonly retryMaxMs?: number
}

/** The consumer's figures, for `getMetrics()`. */
export interface ConsumerMetrics {
  readonly batches: number
  readonly records: number
  readonly send_failures: number
  readonly throttle_waits: number
  readonly throttle_wait_seconds: number
  readonly abandoned: number
  readonly last_batch_at: string | null
  readonly batch_size: number
  readonly linger_ms: number
  readonly in_flight: number
}

/** Records of one source bound for one topic, with when each entered the queue. */
interface Group {
  readonly topic: string
  readonly items: QueuedRecord[]
  readonly enqueuedAt: number[]
}

const sleep = (clock: Clock, ms: number, signal?: AbortSignal): Promise<void> => clock.sleep(ms, signal).catch(() => {})

/** Runs the consumer loop; see the module comment. */
export class QueueConsumer {
  readonly #o: QueueConsumerOptions
  #loop?: Promise<void>
  #stopping = false
  #deadline = Number.POSITIVE_INFINITY
  readonly #wake = new AbortController()
  /** Aborted when someone waits for idle: nothing more is coming, so a partial batch need not linger. */
  #hurry = new AbortController()
  #inFlight = 0
  #idleWaiters: Array<() => void> = []
  readonly #m = {
    batches: 0,
    records: 0,
    send_failures: 0,
    throttle_waits: 0,
    throttle_wait_seconds: 0,
    abandoned: 0,
    last_batch_at: null as string | null,
  }

  constructor(options: QueueConsumerOptions) {
    this.#o = options
  }

  /** Starts the loop in the background. */
  start(): void {
    this.#loop ??= this.#run().catch((err: unknown) => {
      this.#o.logger.error({ err }, 'queue consumer stopped on an unexpected error')
      this.#o.events.emit('error', err as Error, { component: 'queue-consumer' })
    })
  }

  /**
   * Resolves once the queue is empty and no batch is in flight (used by `--once` and shutdown).
   */
  async idle(): Promise<void> {
    if (this.#isIdle()) return
    this.#hurry.abort()
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve))
  }

  /**
   * Stops after draining: everything queued is sent unless `timeoutMs` passes first; what is
   * left then is reported through `abandoned`. The queue must be closed by the caller first.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true
    this.#deadline = this.#o.clock.now() + timeoutMs
    this.#wake.abort()
    await this.#loop
  }

  /** Consumer figures for `getMetrics()`. */
  getMetrics(): ConsumerMetrics {
    return { ...this.#m, batch_size: this.#o.batchSize, linger_ms: this.#o.lingerMs, in_flight: this.#inFlight }
  }

  #isIdle(): boolean {
    return this.#o.queue.size() === 0 && this.#inFlight === 0
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    if (this.#hurry.signal.aborted) this.#hurry = new AbortController()
    for (const w of waiters) w()
  }

  async #run(): Promise<void> {
    const { queue, batchSize, lingerMs } = this.#o
    const depth = Math.max(1, Math.floor(this.#o.maxInFlightBatches ?? 1))
    /** Resolves when every group of the latest batch has been handed to the sink. */
    let dispatching: Promise<void> = Promise.resolve()
    const inFlight = new Set<Promise<void>>()
    for (;;) {
      if (this.#stopping) {
        if (queue.size() === 0) break
        if (this.#o.clock.now() >= this.#deadline) {
          const left = queue.drain().map((e) => e.item)
          this.#m.abandoned += left.length
          this.#o.callbacks.abandoned(left, new Error('shutdown timeout reached before the queue drained'))
          break
        }
      } else {
        const any = await queue.waitForItems({ signal: this.#wake.signal })
        if (!any) continue
        if (!this.#stopping && lingerMs > 0 && queue.size() < batchSize) {
          const linger = linkSignals([this.#wake.signal, this.#hurry.signal])
          try {
            await queue.waitForItems({ minItems: batchSize, timeoutMs: lingerMs, signal: linger.signal })
          } finally {
            linger.dispose()
          }
        }
      }
      const entries = queue.dequeueBatch(batchSize)
      if (entries.length === 0) continue
      this.#inFlight += entries.length
      // This batch is grouped (topics resolved) while the previous ones are still being sent; it
      // is handed over only after the previous one was, so order per source and topic is kept.
      const groups = this.#group(entries)
      await dispatching
      while (inFlight.size >= depth) await Promise.race(inFlight)
      const { dispatched, done } = this.#process(groups, depth > 1)
      dispatching = dispatched
      const tracked: Promise<void> = done.finally(() => {
        this.#inFlight -= entries.length
        inFlight.delete(tracked)
        this.#notifyIdle()
      })
      inFlight.add(tracked)
      // an unexpected failure surfaces where the loop awaits it (room, or the end)
      tracked.catch(() => {})
    }
    await Promise.all(inFlight)
    this.#notifyIdle()
  }

  /** Groups a dequeued batch by source and topic, keeping each group's order and enqueue times. */
  #group(entries: readonly QueueEntry<QueuedRecord>[]): Map<string, Group> {
    const groups = new Map<string, Group>()
    for (const e of entries) {
      const topic = this.#o.resolveTopic(e.item)
      const key = `${e.item.record.sourceId}\u0000${topic}`
      let g = groups.get(key)
      if (!g) {
        g = { topic, items: [], enqueuedAt: [] }
        groups.set(key, g)
      }
      g.items.push(e.item)
      g.enqueuedAt.push(e.enqueuedAt)
    }
    return groups
  }

  /**
   * Hands each group of a batch to the sink, in order, through the throttle. `dispatched`
   * resolves once every group was handed over, `done` once every group is accounted for. Without
   * `pipelined`, each group waits for the previous one to be accounted for.
   */
  #process(groups: Map<string, Group>, pipelined: boolean): { dispatched: Promise<void>; done: Promise<void> } {
    const sends: Promise<void>[] = []
    const dispatched = this.#dispatch(groups, pipelined ? sends : undefined)
    const done = dispatched.then(() => Promise.all(sends)).then(() => {})
    return { dispatched, done }
  }

  async #dispatch(groups: Map<string, Group>, sends: Promise<void>[] | undefined): Promise<void> {
    for (const { topic, items, enqueuedAt } of groups.values()) {
      const first = items[0]!.record
      const decision = await this.#o.throttle.check({ sourceId: first.sourceId, topic, size: items.length })
      if (decision.delayMs > 0) {
        this.#m.throttle_waits++
        this.#m.throttle_wait_seconds += decision.delayMs / 1000
        this.#o.events.emit('throttle:changed', { action: decision.action, delayMs: decision.delayMs })
        await sleep(this.#o.clock, decision.delayMs)
      }
      const batch: SinkBatch = {
        topic,
        sourceId: first.sourceId,
        sourceType: first.sourceType,
        records: items.map((i): SinkRecord => i.record),
      }
      const sent = this.#sendUntilAccounted(batch, items, enqueuedAt)
      if (sends) sends.push(sent)
      else await sent
    }
  }

  async #sendUntilAccounted(
    batch: SinkBatch,
    items: readonly QueuedRecord[],
    enqueuedAt: readonly number[],
  ): Promise<void> {
    const base = this.#o.retryBaseMs ?? 1000
    const max = this.#o.retryMaxMs ?? 30_000
    for (let attempt = 1; ; attempt++) {
      const started = this.#o.clock.now()
      try {
        const result = await this.#o.send(batch)
        const settledAt = this.#o.clock.now()
        this.#m.batches++
        this.#m.records += items.length
        this.#m.last_batch_at = new Date(this.#o.clock.now()).toISOString()
        this.#o.callbacks.settled(items, result, batch.topic)
        this.#o.events.emit('batch:sent', {
          sourceId: batch.sourceId,
          topic: batch.topic,
          delivered: result.delivered,
          deadLettered: result.deadLettered,
          spooled: result.spooled,
          latencyMs: settledAt - started,
          enqueuedAt,
          settledAt,
        })
        return
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err))
        this.#m.send_failures++
        this.#o.events.emit('batch:failed', {
          sourceId: batch.sourceId,
          topic: batch.topic,
          size: items.length,
          error,
          attempt,
        })
        this.#o.logger.warn(
          { err: error, source: batch.sourceId, topic: batch.topic, size: items.length, attempt },
          'the sink could not account for a batch; retrying it',
        )
        const delay = backoffDelay(attempt, { baseMs: base, maxMs: max })
        if (this.#stopping && this.#o.clock.now() + delay > this.#deadline) {
          this.#m.abandoned += items.length
          this.#o.callbacks.abandoned(items, error)
          return
        }
        await sleep(this.#o.clock, delay)
      }
    }
  }
}
