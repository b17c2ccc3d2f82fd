/**
 * The buffer of the `continuous_streaming` mode: records gather here and are handed to
 * `process` in batches, when the buffer fills or when its flush interval comes.
 * @packageDocumentation
 */
import type { Cursor, ModeProcess, SourceRecord } from '@firefront/sdk'

/** Options of {@link RecordBuffer}. */
export interface RecordBufferOptions {
  /** The seed's `buffer_size`: a flush starts when this many records are buffered. */
  readonly capacity: number
  /** Where flushed records go (the mode's `process`). */
  readonly process: ModeProcess
  /** Called after each successful flush with how many records it handed on. */
  readonly onFlushed?: (count: number) => void
  /**
   * Called when a flush that nobody awaits (one a filling `add` started) fails. The records
   * stay buffered, in order, and the next flush retries them.
   */
  readonly onBackgroundError?: (err: unknown) => void
}

/**
 * An ordered buffer with at most one flush in flight.
 *
 * Cursors: `add` may carry the cursor that follows its records; a flush hands on the latest
 * cursor whose records are all in that flush, so a cursor is committed only with (or after) its
 * records. A failed flush puts its records back in front and keeps its cursor unless a newer
 * one has arrived since.
 *
 * Backpressure: `add` resolves once its records are in the buffer. While the buffer is full it
 * first flushes (or waits for the flush in flight), so a producer never gets more than about one
 * buffer ahead of `process`.
 */
export class RecordBuffer {
  /** Successful flushes. */
  flushes = 0
  private readonly options: RecordBufferOptions
  private items: SourceRecord[] = []
  private cursor: Cursor | undefined
  private hasCursor = false
  private chain: Promise<void> = Promise.resolve()
  private pending = 0

  constructor(options: RecordBufferOptions) {
    if (!(options.capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${options.capacity}`)
    this.options = options
  }

  /** Records buffered now. */
  get length(): number {
    return this.items.length
  }

  /** True while a flush is queued or running. */
  get flushing(): boolean {
    return this.pending > 0
  }

  /**
   * Appends `records` (and the `cursor` that follows them, if any). Waits first while the buffer
   * is full; starts a background flush when these records fill it.
   *
   * @throws what `process` throws when the flush it had to wait for failed (the records of
   * this call are then not buffered).
   */
  async add(records: readonly SourceRecord[], cursor?: Cursor): Promise<void> {
    while (this.items.length >= this.options.capacity) await this.flush()
    for (const record of records) this.items.push(record)
    if (cursor !== undefined) {
      this.cursor = cursor
      this.hasCursor = true
    }
    if (this.items.length >= this.options.capacity) {
      this.flush().catch((err: unknown) => this.options.onBackgroundError?.(err))
    }
  }

  /**
   * Hands everything buffered (and the pending cursor) to `process`, after any flush in flight.
   * Resolves at once when there is nothing to hand on.
   *
   * @throws what `process` throws; the records stay buffered.
   */
  flush(): Promise<void> {
    this.pending++
    const run = this.chain.then(() => this.flushNow())
    const settled = run.finally(() => {
      this.pending--
    })
    this.chain = settled.catch(() => {})
    return settled
  }

  private async flushNow(): Promise<void> {
    if (this.items.length === 0 && !this.hasCursor) return
    const batch = this.items
    const cursor = this.cursor
    const hadCursor = this.hasCursor
    this.items = []
    this.cursor = undefined
    this.hasCursor = false
    try {
      await this.options.process(batch, hadCursor ? cursor : undefined)
    } catch (err) {
      // Back in front, in order; a cursor that arrived meanwhile is newer and covers these too.
      this.items = batch.concat(this.items)
      if (hadCursor && !this.hasCursor) {
        this.cursor = cursor
        this.hasCursor = true
      }
      throw err
    }
    this.flushes++
    this.options.onFlushed?.(batch.length)
  }
}
