/**
 * Remembers the inputs a source rejected, so the same bad input fetched again (a `real_time`
 * source re-reading a day's file, a stream restarted in the same process) is dead-lettered once.
 * Inputs are identified by their content and reason, not their position (row numbers shift as a
 * file grows). Bounded: the oldest fingerprints are forgotten first.
 */
import { createHash } from 'node:crypto'

/** The default number of fingerprints kept per source. */
export const REJECT_MEMORY_SIZE = 50_000

/** One source's memory of rejected inputs. */
export class RejectMemory {
  readonly #seen = new Set<string>()

  constructor(private readonly capacity = REJECT_MEMORY_SIZE) {}

  /** True the first time this input and reason are seen, false after. */
  firstTime(reason: string, input: unknown): boolean {
    const fingerprint = createHash('sha1')
      .update(reason)
      .update('\u0000')
      .update(typeof input === 'string' ? input : (JSON.stringify(input) ?? 'undefined'))
      .digest('base64')
    if (this.#seen.has(fingerprint)) return false
    if (this.#seen.size >= this.capacity) {
      // a Set iterates in insertion order: forget the oldest
      const oldest = this.#seen.values().next().value
      if (oldest !== undefined) this.#seen.delete(oldest)
    }
    this.#seen.add(fingerprint)
    return true
  }

  /** How many fingerprints are kept. */
  get size(): number {
    return this.#seen.size
  }
}
