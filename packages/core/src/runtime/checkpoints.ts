/**
 * Tracks which polls of a pull source are fully settled, so its cursor is committed only after
 * every record fetched before it was acknowledged by the sink (delivered, dead-lettered, spooled),
 * or dropped under the configured overflow strategy. Checkpoints settle in any order; the
 * committable cursor only moves forward over a prefix of settled checkpoints.
 */
import type { Cursor } from '@firefront/sdk'

/** One poll's records awaiting acknowledgement. */
export interface Checkpoint {
  /** The cursor returned with these records, or undefined when the connector kept the previous one. */
  readonly cursor: Cursor | undefined
  /** Records of this poll not yet settled. */
  remaining: number
  /** Records of this poll. */
  readonly records: number
}

/** A FIFO of checkpoints for one stream. */
export class CheckpointTracker {
  #queue: Checkpoint[] = []
  #head = 0

  /** Opens a checkpoint for `records` records that come with `cursor`. */
  open(records: number, cursor: Cursor | undefined): Checkpoint {
    const cp: Checkpoint = { cursor, remaining: records, records }
    this.#queue.push(cp)
    return cp
  }

  /** Records `n` of a checkpoint's records as settled. */
  settle(cp: Checkpoint, n = 1): void {
    cp.remaining = Math.max(0, cp.remaining - n)
  }

  /**
   * Pops the settled prefix and returns the newest cursor in it with how many records it covers,
   * or undefined when nothing new can be committed.
   */
  advance(): { cursor: Cursor; records: number } | undefined {
    let cursor: Cursor | undefined
    let found = false
    let records = 0
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.remaining === 0) {
      const cp = this.#queue[this.#head++]!
      records += cp.records
      if (cp.cursor !== undefined) {
        cursor = cp.cursor
        found = true
      }
    }
    // compact once the consumed prefix is large, so the array does not grow forever
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    return found ? { cursor: cursor as Cursor, records } : undefined
  }

  /** Checkpoints still waiting for records. */
  pending(): number {
    return this.#queue.length - this.#head
  }
}
