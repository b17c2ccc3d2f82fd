/**
 * The FIFO behind each priority level: a growable ring buffer that stores entries as parallel
 * columns (item, source id, enqueue time) rather than one object per entry.
 * @packageDocumentation
 */
import type { Priority } from '@firefront/sdk'
import type { QueueEntry } from './priority-queue'

const MIN_CAPACITY = 16

/** The smallest power of two that is at least `n` (and at least 16). */
function powerOfTwoAtLeast(n: number): number {
  let cap = MIN_CAPACITY
  while (cap < n) cap *= 2
  return cap
}

/**
 * A FIFO of queue entries of one priority level. Push, shift and pop are O(1) (the capacity is a
 * power of two indexed with a mask; no `Array.shift`); it doubles when full, so growth is
 * amortised O(1), and only {@link EntryRing.clear} shrinks it.
 *
 * Why columns: a queue entry lives as long as the queue is deep, so with one object per entry a
 * deep queue keeps promoting short-lived-looking objects to the old generation and the cost per
 * operation grows with the depth. Columns cost no allocation on push; the entry object handed
 * out by `shift` dies young, which the garbage collector handles cheaply.
 */
export class EntryRing<T> {
  /** The level every entry of this ring has. */
  readonly priority: Priority
  private items: (T | undefined)[]
  private sources: (string | undefined)[]
  private times: Float64Array
  private mask: number
  private head = 0
  private len = 0
  private readonly initialCapacity: number

  /** @param initialCapacity - slots to allocate up front, rounded up to a power of two (at least 16). */
  constructor(priority: Priority, initialCapacity = MIN_CAPACITY) {
    this.priority = priority
    this.initialCapacity = powerOfTwoAtLeast(initialCapacity)
    this.items = new Array<T | undefined>(this.initialCapacity).fill(undefined)
    this.sources = new Array<string | undefined>(this.initialCapacity).fill(undefined)
    this.times = new Float64Array(this.initialCapacity)
    this.mask = this.initialCapacity - 1
  }

  /** How many entries it holds. */
  get length(): number {
    return this.len
  }

  /** How many slots are allocated. */
  get capacity(): number {
    return this.times.length
  }

  /** Appends at the tail. */
  push(item: T, sourceId: string, enqueuedAt: number): void {
    if (this.len === this.times.length) this.grow()
    const i = (this.head + this.len) & this.mask
    this.items[i] = item
    this.sources[i] = sourceId
    this.times[i] = enqueuedAt
    this.len++
  }

  /** Removes and returns the head (the oldest entry), or `undefined` when empty. */
  shift(): QueueEntry<T> | undefined {
    if (this.len === 0) return undefined
    const i = this.head
    const entry = this.entryAt(i)
    // Clear the slot so the ring does not keep the record alive.
    this.items[i] = undefined
    this.head = (i + 1) & this.mask
    this.len--
    return entry
  }

  /** Removes and returns the tail (the newest entry), or `undefined` when empty. */
  pop(): QueueEntry<T> | undefined {
    if (this.len === 0) return undefined
    const i = (this.head + this.len - 1) & this.mask
    const entry = this.entryAt(i)
    this.items[i] = undefined
    this.len--
    return entry
  }

  /** The head's item (the oldest), without removing it. */
  peekFirst(): { readonly item: T } | undefined {
    return this.len === 0 ? undefined : { item: this.items[this.head] as T }
  }

  /** The tail's item (the newest), without removing it. */
  peekLast(): { readonly item: T } | undefined {
    return this.len === 0 ? undefined : { item: this.items[(this.head + this.len - 1) & this.mask] as T }
  }

  /** When the oldest entry was enqueued, or `undefined` when empty. */
  oldestTime(): number | undefined {
    return this.len === 0 ? undefined : this.times[this.head]
  }

  /** Removes up to `max` entries from the head into `out`, oldest first; returns how many. */
  shiftInto(out: QueueEntry<T>[], max: number): number {
    const n = Math.min(max, this.len)
    for (let k = 0; k < n; k++) {
      const i = this.head
      out.push(this.entryAt(i))
      this.items[i] = undefined
      this.head = (i + 1) & this.mask
    }
    this.len -= n
    return n
  }

  /** Empties the ring and shrinks it back to its initial capacity. */
  clear(): void {
    this.items = new Array<T | undefined>(this.initialCapacity).fill(undefined)
    this.sources = new Array<string | undefined>(this.initialCapacity).fill(undefined)
    this.times = new Float64Array(this.initialCapacity)
    this.mask = this.initialCapacity - 1
    this.head = 0
    this.len = 0
  }

  /** The entries, oldest first (copies). */
  toArray(): QueueEntry<T>[] {
    const out: QueueEntry<T>[] = []
    for (let k = 0; k < this.len; k++) out.push(this.entryAt((this.head + k) & this.mask))
    return out
  }

  private entryAt(i: number): QueueEntry<T> {
    return { item: this.items[i] as T, priority: this.priority, sourceId: this.sources[i]!, enqueuedAt: this.times[i]! }
  }

  private grow(): void {
    const cap = this.times.length * 2
    const items = new Array<T | undefined>(cap).fill(undefined)
    const sources = new Array<string | undefined>(cap).fill(undefined)
    const times = new Float64Array(cap)
    // Unwrap into the new columns so the head is at index 0.
    for (let k = 0; k < this.len; k++) {
      const i = (this.head + k) & this.mask
      items[k] = this.items[i]
      sources[k] = this.sources[i]
      times[k] = this.times[i]!
    }
    this.items = items
    this.sources = sources
    this.times = times
    this.mask = cap - 1
    this.head = 0
  }
}
