/**
 * The disk spool as delivery uses it: fsync'd batches waiting for Kafka, oldest first, and per
 * topic how many of them are the topic's own (not dead letters), so a topic's new batches queue
 * behind its spooled ones and order holds.
 */
import type { Logger } from '@firefront/sdk'
import type { SegmentSpool } from '../../spool/segment-spool'
import type { DeliveryCounters } from './delivery-metrics'
import type { OutMessage } from './messages'

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

/** The spool with its per-topic bookkeeping. */
export class DeliverySpool {
  readonly #spool: SegmentSpool<SpooledBatch>
  readonly #counters: DeliveryCounters
  readonly #logger: Logger
  /** Spooled batches per topic (dead letters not counted): while > 0, new batches queue behind. */
  readonly #pending = new Map<string, number>()
  #open = false
  /** Called after each append (delivery wakes its replay loop). */
  onAppend: () => void = () => {}

  constructor(spool: SegmentSpool<SpooledBatch>, counters: DeliveryCounters, logger: Logger) {
    this.#spool = spool
    this.#counters = counters
    this.#logger = logger
  }

  get directory(): string {
    return this.#spool.directory
  }
  /** Batches in the spool. */
  get size(): number {
    return this.#spool.size
  }
  get bytes(): number {
    return this.#spool.bytes
  }
  get maxBytes(): number {
    return this.#spool.maxBytes
  }
  get isOpen(): boolean {
    return this.#open
  }

  /** Opens the spool, counting what an earlier run left per topic and logging torn lines. */
  async open(): Promise<{ entries: number; bytes: number }> {
    const recovery = await this.#spool.open((entry) => {
      if (!entry.deadLetter) this.#bump(entry.topic, 1)
    })
    this.#open = true
    if (recovery.tornLines > 0) {
      this.#counters.tornLines(recovery.tornLines)
      this.#logger.warn(
        { spool: this.directory, torn_lines: recovery.tornLines },
        `spool: skipped ${recovery.tornLines} torn line(s) left by an interrupted write`,
      )
    }
    this.#updateGauges()
    return { entries: recovery.entries, bytes: recovery.bytes }
  }

  /** True while the spool holds batches of `topic`'s own. */
  holds(topic: string): boolean {
    return (this.#pending.get(topic) ?? 0) > 0
  }

  /** Appends one batch (fsync'd) and counts it as spooled; returns its records. Throws `ERR_SPOOL_FULL`. */
  async append(entry: SpooledBatch): Promise<number> {
    if (entry.messages.length === 0) return 0
    try {
      await this.#spool.append([entry])
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_SPOOL_FULL') {
        this.#counters.spoolFull()
        this.#logger.error(
          { spool: this.directory, max_bytes: this.maxBytes, records: entry.messages.length },
          (err as Error).message,
        )
      }
      throw err
    }
    if (!entry.deadLetter) this.#bump(entry.topic, 1)
    this.#counters.spooled(entry.messages.length)
    this.#updateGauges()
    this.onAppend()
    return entry.messages.length
  }

  /** The oldest batch, or undefined when empty. */
  async head(): Promise<SpooledBatch | undefined> {
    const [first] = await this.#spool.peek(1)
    return first?.value
  }

  /** Removes the oldest batch, which `entry` is, once it is out. */
  async ack(entry: SpooledBatch): Promise<void> {
    // The topic's next batch may go direct as soon as the spool no longer shows this one.
    if (!entry.deadLetter) this.#bump(entry.topic, -1)
    await this.#spool.ack(1)
    this.#updateGauges()
  }

  stats(): { entries: number; bytes: number; tornLines: number } {
    const s = this.#spool.stats()
    return { entries: s.entries, bytes: s.bytes, tornLines: s.tornLines }
  }

  async close(): Promise<void> {
    if (!this.#open) return
    this.#open = false
    await this.#spool.close()
  }

  #bump(topic: string, by: number): void {
    const n = (this.#pending.get(topic) ?? 0) + by
    if (n > 0) this.#pending.set(topic, n)
    else this.#pending.delete(topic)
  }

  #updateGauges(): void {
    this.#counters.spool(this.#spool.bytes, this.#spool.size)
  }
}
