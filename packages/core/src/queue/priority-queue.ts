/**
 * The runtime's bounded priority queue (the seed's `QueueManager`): it decouples fetching from
 * sending. Four levels (`critical`, `high`, `normal`, `low`), FIFO within a level, O(1) enqueue
 * and dequeue (one ring buffer per level, no sorting), and an overflow strategy that says what
 * happens when it is full.
 * @packageDocumentation
 */
import { type Clock, FirefrontError, PRIORITIES, type Priority, systemClock } from '@firefront/sdk'
import { QUEUE_DROP_REASONS, type QueueDropReason } from './drop-reasons'
import { EntryRing } from './entry-ring'
import { OVERFLOW_STRATEGIES, type OverflowStrategy } from './overflow'

export { OVERFLOW_STRATEGIES, type OverflowStrategy }
/** Why the queue dropped a record (see `./drop-reasons`). */
export type DropReason = QueueDropReason
/** Every {@link DropReason}, for metric labels. */
export const DROP_REASONS: readonly DropReason[] = QUEUE_DROP_REASONS

/**
 * Thrown by {@link PriorityQueue.enqueueAll} when a wait for room is aborted or the queue closes:
 * `accepted` records of the call were queued before it stopped, the rest were not.
 */
export class EnqueueInterruptedError extends FirefrontError {
  readonly accepted: number

  constructor(code: FirefrontError['code'], message: string, accepted: number, options?: { cause?: unknown }) {
    super(code, message, options)
    this.accepted = accepted
  }
}

/** One queued record and the runtime's bookkeeping about it. */
export interface QueueEntry<T> {
  readonly item: T
  readonly priority: Priority
  /** The source the record came from. */
  readonly sourceId: string
  /**
   * When the record entered the queue, in the clock's milliseconds since the epoch (records
   * enqueued in one synchronous run share one reading of the clock).
   */
  readonly enqueuedAt: number
}

/** A record the queue dropped, and why. */
export interface QueueDrop<T> {
  readonly entry: QueueEntry<T>
  readonly reason: DropReason
}

/** The outcome of one enqueue. */
export interface EnqueueResult<T> {
  /** True when the new record is in the queue. */
  readonly accepted: boolean
  /**
   * The record this call dropped, if any: the arriving one (`accepted` is then false) or an
   * older one evicted to make room for it. One enqueue drops at most one record.
   */
  readonly dropped?: QueueDrop<T>
}

/** The outcome of {@link PriorityQueue.enqueueAll}. */
export interface EnqueueAllResult<T> {
  /** How many of the records are in the queue. */
  readonly accepted: number
  /** Every record dropped on the way (arriving or evicted), in order. */
  readonly dropped: readonly QueueDrop<T>[]
}

/** Options of {@link PriorityQueue}. */
export interface PriorityQueueOptions<T> {
  /** The bound on queued records (the seed's `queue_max_size`). Default 10000. */
  readonly maxSize?: number
  /** Default `drop_oldest`. */
  readonly overflowStrategy?: OverflowStrategy
  /** Stamps `enqueuedAt` and times `waitForItems`; injectable for tests. Default: the system clock. */
  readonly clock?: Clock
  /**
   * Called synchronously for every dropped record, after the queue's state is updated, so the
   * runtime can count and report it. It should not throw: an exception reaches the caller of the
   * enqueue that caused the drop.
   */
  readonly onDrop?: (drop: QueueDrop<T>) => void
  /**
   * Whether a queued record may be evicted to make room (default: every record may). Records of
   * sources that can wait (pull sources enqueue with `wait`) are not: when the record the
   * strategy would evict may not be, the arriving record is dropped instead (`drop_newest`).
   */
  readonly isEvictable?: (item: T) => boolean
}

/** Options of one {@link PriorityQueue.enqueueAll} call. */
export interface EnqueueAllOptions {
  /** Aborting it while waiting rejects with `ERR_ABORTED`. */
  readonly signal?: AbortSignal
  /**
   * Wait for room on a full queue whatever the overflow strategy (backpressure for a source that
   * can wait, such as a pull source whose next poll simply comes later). Default: only under `block`.
   */
  readonly wait?: boolean
}

/** Options of {@link PriorityQueue.waitForItems}. */
export interface WaitForItemsOptions {
  /** Resolve once at least this many records are queued (capped at `maxSize`). Default 1. */
  readonly minItems?: number
  /** Give up after this many milliseconds. Default: wait without a bound. */
  readonly timeoutMs?: number
  /** Give up when it aborts. */
  readonly signal?: AbortSignal
}

/** Counts of records per priority level. */
export type PriorityCounts = { [P in Priority]: number }

/** Counts of dropped records per reason. */
export type DropCounts = { [R in DropReason]: number }

/** The queue's figures, in the seed's snake_case shape (`StreamManager.getMetrics().queue`). */
export type QueueMetrics = {
  /** Records queued now. */
  size: number
  max_size: number
  /** `size / max_size`, from 0 to 1. */
  utilization: number
  overflow_strategy: OverflowStrategy
  /** Records queued now, per level. */
  size_by_priority: PriorityCounts
  /** Records ever accepted (including those that waited under `block`). */
  total_enqueued: number
  total_dequeued: number
  total_dropped: number
  dropped_by_reason: DropCounts
  is_full: boolean
  /** Age of the oldest queued record in seconds, or null when empty. */
  oldest_age_seconds: number | null
  /** Enqueues waiting for room now (`block`). */
  blocked_enqueuers: number
  /** Enqueues that ever had to wait for room (`block`). */
  total_blocked: number
  /** Waiting enqueues that gave up (aborted, or rejected by `close`). */
  total_block_aborted: number
  closed: boolean
}

/** Level index of each priority, in {@link PRIORITIES} order (a literal: a hot-path lookup). */
const LEVEL: Readonly<Record<string, number | undefined>> = { critical: 0, high: 1, normal: 2, low: 3 }

/** A shared result for the common case, so an accepted enqueue allocates nothing but its entry. */
const ACCEPTED: EnqueueResult<never> = Object.freeze({ accepted: true })
/** `tryEnqueue` under `block` on a full queue: not queued, not dropped; the caller must wait. */
const REFUSED: EnqueueResult<never> = Object.freeze({ accepted: false })

interface BlockedEnqueue<T> {
  readonly item: T
  readonly priority: Priority
  readonly sourceId: string
  readonly resolve: (result: EnqueueResult<T>) => void
  readonly reject: (err: unknown) => void
  readonly signal: AbortSignal | undefined
  readonly onAbort: () => void
}

interface ItemWaiter {
  readonly minItems: number
  readonly settle: (ready: boolean) => void
}

function levelOf(priority: Priority): number {
  const level = LEVEL[priority]
  if (level === undefined)
    throw new RangeError(`unknown priority ${JSON.stringify(priority)}; expected one of ${PRIORITIES.join(', ')}`)
  return level
}

function stoppedError(): FirefrontError {
  return new FirefrontError('ERR_STOPPED', 'the queue is closed')
}

/**
 * A bounded priority queue of records.
 *
 * - `dequeue`/`dequeueBatch` take the highest level first, FIFO within a level.
 * - When full, the overflow strategy decides, and it never sacrifices a higher-priority record
 *   for a lower one: the victim is always taken from the LOWEST non-empty level.
 *   - `drop_oldest`: the oldest record of the lowest non-empty level is evicted, unless the
 *     arriving record ranks below every queued record, in which case it is dropped itself
 *     (`lower_priority`). Old data at the lowest level is the cheapest to lose.
 *   - `drop_newest`: the arriving record is dropped when it ranks at or below the lowest
 *     non-empty level; when it ranks above, the newest record of that level is dropped instead.
 *   - `block`: nothing is dropped; {@link PriorityQueue.enqueue} waits for room (backpressure,
 *     so pollers slow down). Waiting enqueues are admitted highest priority first, FIFO within a
 *     level, as soon as a dequeue frees a slot.
 * - Every drop is returned to the caller and passed to `onDrop`: nothing is lost silently.
 *
 * @example
 * ```ts
 * const queue = new PriorityQueue<SourceRecord>({ maxSize: 10_000, overflowStrategy: 'block' })
 * await queue.enqueue(record, 'high', 'firms-viirs')
 * if (await queue.waitForItems({ minItems: 500, timeoutMs: 5000, signal })) { ... }
 * const batch = queue.dequeueBatch(500)
 * ```
 */
export class PriorityQueue<T> {
  /** The bound on queued records. */
  readonly maxSize: number
  readonly overflowStrategy: OverflowStrategy

  private readonly levels: EntryRing<T>[]
  private readonly clock: Clock
  private readonly onDrop: ((drop: QueueDrop<T>) => void) | undefined
  private readonly isEvictable: ((item: T) => boolean) | undefined
  private count = 0
  private isClosed = false
  private totalEnqueued = 0
  private totalDequeued = 0
  private totalBlocked = 0
  private totalBlockAborted = 0
  private readonly dropped: DropCounts = { drop_oldest: 0, drop_newest: 0, lower_priority: 0 }
  /** Waiting enqueues, one FIFO per level; small (one per concurrent producer). */
  private readonly blocked: BlockedEnqueue<T>[][]
  private blockedCount = 0
  private itemWaiters: ItemWaiter[] = []
  /** The enqueue timestamp shared by one synchronous run of enqueues; see {@link PriorityQueue.stampNow}. */
  private stamp = 0
  private stampValid = false
  private readonly expireStamp = (): void => {
    this.stampValid = false
  }

  constructor(options: PriorityQueueOptions<T> = {}) {
    const maxSize = options.maxSize ?? 10_000
    if (!Number.isInteger(maxSize) || maxSize < 1)
      throw new RangeError(`maxSize must be a positive integer, got ${maxSize}`)
    const strategy = options.overflowStrategy ?? 'drop_oldest'
    if (!(OVERFLOW_STRATEGIES as readonly string[]).includes(strategy)) {
      throw new RangeError(
        `unknown overflow strategy ${JSON.stringify(strategy)}; expected ${OVERFLOW_STRATEGIES.join(' | ')}`,
      )
    }
    this.maxSize = maxSize
    this.overflowStrategy = strategy
    this.clock = options.clock ?? systemClock
    this.onDrop = options.onDrop
    this.isEvictable = options.isEvictable
    this.levels = PRIORITIES.map((p) => new EntryRing<T>(p))
    this.blocked = PRIORITIES.map(() => [])
  }

  /** Records queued now. */
  size(): number {
    return this.count
  }

  /** Records queued now at one level. */
  sizeOf(priority: Priority): number {
    return this.levels[levelOf(priority)]!.length
  }

  /** True when `size() === maxSize`. */
  isFull(): boolean {
    return this.count >= this.maxSize
  }

  /** True after {@link PriorityQueue.close}. */
  get closed(): boolean {
    return this.isClosed
  }

  /**
   * Enqueues without waiting. Under `drop_oldest`/`drop_newest` this is the whole enqueue; under
   * `block` on a full queue it returns `{ accepted: false }` without dropping anything, and the
   * caller must use {@link PriorityQueue.enqueue} to wait for room.
   *
   * @throws FirefrontError `ERR_STOPPED` after `close()`.
   */
  tryEnqueue(item: T, priority: Priority, sourceId: string): EnqueueResult<T> {
    if (this.isClosed) throw stoppedError()
    const level = levelOf(priority)
    if (this.count >= this.maxSize) return this.overflow(item, priority, level, sourceId)
    this.push(level, item, sourceId, this.stampNow())
    return ACCEPTED
  }

  /**
   * Enqueues one record. Under `block` on a full queue it waits for room (backpressure); the
   * other strategies never wait and resolve as {@link PriorityQueue.tryEnqueue} returns.
   *
   * @param signal - aborting it while waiting rejects with `ERR_ABORTED` (the record is not queued).
   * @throws FirefrontError `ERR_STOPPED` when the queue is closed, before or while waiting.
   */
  enqueue(item: T, priority: Priority, sourceId: string, signal?: AbortSignal): Promise<EnqueueResult<T>> {
    try {
      if (this.overflowStrategy !== 'block' || this.count < this.maxSize || this.isClosed) {
        return Promise.resolve(this.tryEnqueue(item, priority, sourceId))
      }
      levelOf(priority)
    } catch (err) {
      return Promise.reject(err)
    }
    return this.waitForRoom(item, priority, sourceId, signal)
  }

  /**
   * Enqueues records in order, waiting for room under `block`. `priority` is one level for all,
   * or a function giving each record's level (e.g. the record's own `priority` override).
   *
   * @throws FirefrontError `ERR_ABORTED` or `ERR_STOPPED` while waiting; the message says how
   * many records were already queued.
   */
  async enqueueAll(
    items: Iterable<T>,
    priority: Priority | ((item: T) => Priority),
    sourceId: string,
    options: AbortSignal | EnqueueAllOptions = {},
  ): Promise<EnqueueAllResult<T>> {
    const { signal, wait } = options instanceof AbortSignal ? { signal: options, wait: false } : options
    const waits = wait === true || this.overflowStrategy === 'block'
    let accepted = 0
    const dropped: QueueDrop<T>[] = []
    for (const item of items) {
      const p = typeof priority === 'function' ? priority(item) : priority
      let result: EnqueueResult<T>
      if (waits && this.count >= this.maxSize && !this.isClosed) {
        try {
          result = await this.waitForRoom(item, p, sourceId, signal)
        } catch (err) {
          if (err instanceof FirefrontError) {
            throw new EnqueueInterruptedError(
              err.code,
              `${err.message} (after ${accepted} record(s) of this call were queued)`,
              accepted,
              {
                cause: err.cause,
              },
            )
          }
          throw err
        }
      } else {
        result = this.tryEnqueue(item, p, sourceId)
      }
      if (result.accepted) accepted++
      if (result.dropped) dropped.push(result.dropped)
    }
    return { accepted, dropped }
  }

  /** Removes and returns the next record (highest level first, FIFO within it), or `undefined`. */
  dequeue(): QueueEntry<T> | undefined {
    if (this.count === 0) return undefined
    const levels = this.levels
    for (let i = 0; i < levels.length; i++) {
      const ring = levels[i]!
      if (ring.length !== 0) {
        const entry = ring.shift()
        this.count--
        this.totalDequeued++
        if (this.blockedCount !== 0) this.admitBlocked()
        return entry
      }
    }
    return undefined
  }

  /** Removes and returns up to `max` records, highest level first, FIFO within a level. */
  dequeueBatch(max: number): QueueEntry<T>[] {
    const out: QueueEntry<T>[] = []
    if (this.count === 0 || max <= 0) return out
    for (const ring of this.levels) {
      if (out.length >= max) break
      ring.shiftInto(out, max - out.length)
    }
    this.count -= out.length
    this.totalDequeued += out.length
    if (this.blockedCount !== 0) this.admitBlocked()
    return out
  }

  /**
   * Removes and returns everything queued, highest level first (graceful shutdown: call
   * {@link PriorityQueue.close} first so nothing arrives meanwhile). Frees the buffers' memory.
   */
  drain(): QueueEntry<T>[] {
    const out: QueueEntry<T>[] = []
    for (const ring of this.levels) {
      ring.shiftInto(out, ring.length)
      ring.clear()
    }
    this.count = 0
    this.totalDequeued += out.length
    if (this.blockedCount !== 0) this.admitBlocked()
    return out
  }

  /**
   * Resolves `true` once at least `minItems` records are queued (at once if they already are),
   * and `false` when `timeoutMs` passes, `signal` aborts or the queue closes first. Never
   * rejects, so a consumer loop can batch by size or by linger time without polling:
   *
   * ```ts
   * while (await queue.waitForItems({ signal })) {                  // at least one record
   *   await queue.waitForItems({ minItems: batchSize, timeoutMs: lingerMs, signal })
   *   send(queue.dequeueBatch(batchSize))
   * }
   * ```
   */
  waitForItems(options: WaitForItemsOptions = {}): Promise<boolean> {
    const minItems = Math.min(Math.max(1, options.minItems ?? 1), this.maxSize)
    if (this.count >= minItems) return Promise.resolve(true)
    const { signal, timeoutMs } = options
    if (this.isClosed || signal?.aborted || (timeoutMs !== undefined && timeoutMs <= 0)) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      const timer = timeoutMs !== undefined && Number.isFinite(timeoutMs) ? new AbortController() : undefined
      const waiter: ItemWaiter = {
        minItems,
        settle: (ready) => {
          this.itemWaiters = this.itemWaiters.filter((w) => w !== waiter)
          signal?.removeEventListener('abort', onAbort)
          timer?.abort()
          resolve(ready)
        },
      }
      const onAbort = (): void => waiter.settle(false)
      signal?.addEventListener('abort', onAbort, { once: true })
      if (timer && timeoutMs !== undefined) {
        this.clock.sleep(timeoutMs, timer.signal).then(
          () => waiter.settle(false),
          () => {}, // cancelled because the waiter settled first
        )
      }
      this.itemWaiters.push(waiter)
    })
  }

  /**
   * Closes the queue: later enqueues throw `ERR_STOPPED`, waiting enqueues reject with
   * `ERR_STOPPED` (their records are not queued), `waitForItems` resolves `false`. Queued
   * records stay: take them with {@link PriorityQueue.drain} or `dequeueBatch`. Idempotent.
   */
  close(): void {
    if (this.isClosed) return
    this.isClosed = true
    for (const list of this.blocked) {
      for (const waiter of list.splice(0)) {
        waiter.signal?.removeEventListener('abort', waiter.onAbort)
        this.totalBlockAborted++
        waiter.reject(stoppedError())
      }
    }
    this.blockedCount = 0
    for (const waiter of [...this.itemWaiters]) waiter.settle(false)
  }

  /** The queue's figures in the seed's snake_case shape. */
  getMetrics(): QueueMetrics {
    const sizeByPriority = {} as PriorityCounts
    let oldest = Number.POSITIVE_INFINITY
    PRIORITIES.forEach((p, i) => {
      const ring = this.levels[i]!
      sizeByPriority[p] = ring.length
      const at = ring.oldestTime()
      if (at !== undefined && at < oldest) oldest = at
    })
    const totalDropped = this.dropped.drop_oldest + this.dropped.drop_newest + this.dropped.lower_priority
    return {
      size: this.count,
      max_size: this.maxSize,
      utilization: this.count / this.maxSize,
      overflow_strategy: this.overflowStrategy,
      size_by_priority: sizeByPriority,
      total_enqueued: this.totalEnqueued,
      total_dequeued: this.totalDequeued,
      total_dropped: totalDropped,
      dropped_by_reason: { ...this.dropped },
      is_full: this.count >= this.maxSize,
      oldest_age_seconds: oldest === Number.POSITIVE_INFINITY ? null : Math.max(0, this.clock.now() - oldest) / 1000,
      blocked_enqueuers: this.blockedCount,
      total_blocked: this.totalBlocked,
      total_block_aborted: this.totalBlockAborted,
      closed: this.isClosed,
    }
  }

  /**
   * The time to stamp on an entry. Reading the system clock costs as much as the rest of an
   * enqueue, so it is read once per synchronous run of enqueues (a page handed over with
   * `enqueueAll`, say) and reused until the next microtask: records enqueued together share a
   * timestamp, accurate to the length of that run.
   */
  private stampNow(): number {
    if (!this.stampValid) {
      this.stamp = this.clock.now()
      this.stampValid = true
      queueMicrotask(this.expireStamp)
    }
    return this.stamp
  }

  private push(level: number, item: T, sourceId: string, enqueuedAt: number): void {
    this.levels[level]!.push(item, sourceId, enqueuedAt)
    this.count++
    this.totalEnqueued++
    if (this.itemWaiters.length !== 0) this.notifyItemWaiters()
  }

  /** The queue is full and a record at `level` arrives: apply the strategy. */
  private overflow(item: T, priority: Priority, level: number, sourceId: string): EnqueueResult<T> {
    if (this.overflowStrategy === 'block') return REFUSED
    let lowest = this.levels.length - 1
    while (this.levels[lowest]!.length === 0) lowest--
    const now = this.stampNow()
    if (level > lowest || (level === lowest && this.overflowStrategy === 'drop_newest')) {
      const reason: DropReason = level > lowest ? 'lower_priority' : 'drop_newest'
      return { accepted: false, dropped: this.recordDrop({ item, priority, sourceId, enqueuedAt: now }, reason) }
    }
    const ring = this.levels[lowest]!
    const candidate = this.overflowStrategy === 'drop_oldest' ? ring.peekFirst() : ring.peekLast()
    if (candidate && this.isEvictable && !this.isEvictable(candidate.item)) {
      return { accepted: false, dropped: this.recordDrop({ item, priority, sourceId, enqueuedAt: now }, 'drop_newest') }
    }
    const victim = (this.overflowStrategy === 'drop_oldest' ? ring.shift() : ring.pop())!
    this.count--
    this.push(level, item, sourceId, now)
    return { accepted: true, dropped: this.recordDrop(victim, this.overflowStrategy) }
  }

  private recordDrop(entry: QueueEntry<T>, reason: DropReason): QueueDrop<T> {
    this.dropped[reason]++
    const drop: QueueDrop<T> = { entry, reason }
    this.onDrop?.(drop)
    return drop
  }

  private waitForRoom(item: T, priority: Priority, sourceId: string, signal?: AbortSignal): Promise<EnqueueResult<T>> {
    if (signal?.aborted) {
      return Promise.reject(new FirefrontError('ERR_ABORTED', 'enqueue aborted', { cause: signal.reason }))
    }
    return new Promise<EnqueueResult<T>>((resolve, reject) => {
      const list = this.blocked[levelOf(priority)]!
      const waiter: BlockedEnqueue<T> = {
        item,
        priority,
        sourceId,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = list.indexOf(waiter)
          if (i < 0) return
          list.splice(i, 1)
          this.blockedCount--
          this.totalBlockAborted++
          reject(
            new FirefrontError('ERR_ABORTED', 'enqueue aborted while waiting for room in the queue', {
              cause: signal?.reason,
            }),
          )
        },
      }
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
      list.push(waiter)
      this.blockedCount++
      this.totalBlocked++
    })
  }

  /** Moves waiting enqueues into freed room: highest level first, FIFO within a level. */
  private admitBlocked(): void {
    if (this.isClosed) return
    let level = 0
    while (this.count < this.maxSize && this.blockedCount > 0) {
      const list = this.blocked[level]!
      const waiter = list.shift()
      if (!waiter) {
        level++
        continue
      }
      this.blockedCount--
      waiter.signal?.removeEventListener('abort', waiter.onAbort)
      this.push(levelOf(waiter.priority), waiter.item, waiter.sourceId, this.stampNow())
      waiter.resolve(ACCEPTED)
    }
  }

  private notifyItemWaiters(): void {
    for (const waiter of [...this.itemWaiters]) {
      if (this.count >= waiter.minItems) waiter.settle(true)
    }
  }
}
