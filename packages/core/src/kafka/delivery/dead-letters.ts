/**
 * Dead letters: refused records go to the dead-letter topic with headers naming the error, up to
 * the per-minute cap (the excess waits in the spool, never dropped); with the DLQ disabled, or when
 * the dead-letter topic refuses a record too, they are kept in the local dead-letter file.
 */
import type { Clock, Logger } from '@firefront/sdk'
import type { SegmentSpool } from '../../spool/segment-spool'
import type { KafkaSinkConfig } from '../config'
import type { Redactor } from '../redact'
import type { DeliveryLink } from './delivery-link'
import type { DeliveryCounters } from './delivery-metrics'
import type { DeliverySpool, SpooledBatch, SpoolReason } from './delivery-spool'
import type { DlqRateLimiter } from './dlq-guards'
import { type BatchMeta, type OutMessage, toDeadLetter } from './messages'
import type { DeadItem, Producer } from './produce'

/** How dead letters were accounted for. */
export interface DeadLetterCounts {
  deadLettered: number
  spooled: number
}

/** What a {@link DeadLetterWriter} works with. */
export interface DeadLetterWriterOptions {
  readonly config: KafkaSinkConfig
  readonly producer: Producer
  readonly link: DeliveryLink
  readonly spool: DeliverySpool
  /** The local dead-letter file (records no topic takes). */
  readonly local: SegmentSpool<SpooledBatch>
  readonly limiter: DlqRateLimiter
  readonly counters: DeliveryCounters
  readonly logger: Logger
  readonly redactor: Redactor
  readonly clock: Clock
}

/** Writes dead letters to the dead-letter topic, the spool (capped) or the local file. */
export class DeadLetterWriter {
  readonly #o: DeadLetterWriterOptions
  #lastCapWarning = 0

  constructor(options: DeadLetterWriterOptions) {
    this.#o = options
  }

  /** The dead-letter topic. */
  get topic(): string {
    return this.#o.config.dlq.topic
  }

  /** `message` as a dead letter: its own headers plus the error, code, attempts and original topic. */
  message(
    message: OutMessage,
    failure: { readonly code: string; readonly message: string },
    attempts: number,
    originalTopic: string,
  ): OutMessage {
    return toDeadLetter(message, {
      error: this.#o.redactor.text(failure.message),
      code: failure.code,
      attempts,
      originalTopic,
      failedAt: new Date(this.#o.clock.now()).toISOString(),
    })
  }

  /** Spools dead letters behind the others (sent to the dead-letter topic when Kafka allows). */
  spool(messages: OutMessage[], meta: BatchMeta, reason: SpoolReason, attempts: number): Promise<number> {
    return this.#o.spool.append({
      v: 1,
      topic: this.topic,
      sourceId: meta.sourceId,
      sourceType: meta.sourceType,
      reason,
      spooledAt: new Date(this.#o.clock.now()).toISOString(),
      attempts,
      deadLetter: { originalTopic: meta.topic },
      messages,
    })
  }

  /** Dead-letters refused records (counted as failed); returns how they were accounted for. */
  async write(items: readonly DeadItem[], meta: BatchMeta): Promise<DeadLetterCounts> {
    const out: DeadLetterCounts = { deadLettered: 0, spooled: 0 }
    if (items.length === 0) return out
    const { config, limiter, counters, link } = this.#o
    const messages = items.map((i) => this.message(i.message, i.failure, i.attempts, meta.topic))
    const attempts = Math.max(...items.map((i) => i.attempts))
    counters.failed(items.length)
    if (!config.enable_dlq) {
      await this.writeLocal(messages, meta, 'dlq-disabled')
      out.deadLettered += messages.length
      return out
    }
    const allowed = limiter.take(messages.length)
    const now = messages.slice(0, allowed)
    const later = messages.slice(allowed)
    if (later.length > 0) this.#capped(later.length)
    if (now.length > 0) {
      const r = link.away ? undefined : await this.#o.producer.produce(this.topic, now)
      if (!r) {
        out.spooled += await this.spool(now, meta, 'unavailable', attempts)
      } else {
        out.deadLettered += r.delivered
        counters.deadLettered(r.delivered)
        if (r.dead.length > 0) {
          await this.writeLocal(
            r.dead.map((d) => d.message),
            meta,
            'dlq-refused',
          )
          out.deadLettered += r.dead.length
        }
        if (r.unavailable) out.spooled += await this.spool(r.unavailable.messages, meta, 'unavailable', attempts)
      }
    }
    if (later.length > 0) out.spooled += await this.spool(later, meta, 'dlq-capped', attempts)
    return out
  }

  /** Keeps dead letters in the local dead-letter file. */
  async writeLocal(messages: OutMessage[], meta: BatchMeta, reason: 'dlq-disabled' | 'dlq-refused'): Promise<void> {
    const { local, counters, logger, clock } = this.#o
    await local.append([
      {
        v: 1,
        topic: this.topic,
        sourceId: meta.sourceId,
        sourceType: meta.sourceType,
        reason,
        spooledAt: new Date(clock.now()).toISOString(),
        attempts: 0,
        deadLetter: { originalTopic: meta.topic },
        messages,
      },
    ])
    counters.deadLetteredLocal(messages.length)
    logger.warn(
      { records: messages.length, file: local.directory, reason },
      `${messages.length} dead-lettered record(s) kept in the local dead-letter file (${reason === 'dlq-disabled' ? 'enable_dlq is false' : 'the dead-letter topic refused them'})`,
    )
  }

  #capped(records: number): void {
    const { counters, clock, logger, config } = this.#o
    counters.dlqCapped(records)
    // One warning a minute: the cap is hit in bursts.
    if (clock.now() - this.#lastCapWarning <= 60_000) return
    this.#lastCapWarning = clock.now()
    logger.warn(
      { cap: config.dlq.max_records_per_minute, records },
      `dead-letter cap of ${config.dlq.max_records_per_minute} records/minute reached; ${records} record(s) go to the spool and are dead-lettered later`,
    )
  }
}
