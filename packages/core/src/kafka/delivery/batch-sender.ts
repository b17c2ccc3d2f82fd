/**
 * The way of one batch: serialised (poison records dead-lettered), then to Kafka with retries, or
 * to the spool when the delivery state says so (Kafka away, paused, or the topic's older batches
 * still in the spool).
 */
import type { Clock, SinkRecord, SinkResult } from '@firefront/sdk'
import type { KafkaSinkConfig } from '../config'
import type { DeadLetterWriter } from './dead-letters'
import type { DeliveryLink } from './delivery-link'
import type { DeliveryCounters } from './delivery-metrics'
import type { DeliverySpool, SpooledBatch, SpoolReason } from './delivery-spool'
import { type BatchMeta, prepareMessages } from './messages'
import type { Producer } from './produce'
import type { Turn } from './topic-order'

/** How a batch was accounted for, and how many retries it took. */
export interface DeliveryResult extends SinkResult {
  readonly retries: number
}

/** What a {@link BatchSender} works with. */
export interface BatchSenderOptions {
  readonly config: KafkaSinkConfig
  readonly clock: Clock
  readonly link: DeliveryLink
  readonly spool: DeliverySpool
  readonly producer: Producer
  readonly deadLetters: DeadLetterWriter
  readonly counters: DeliveryCounters
  /** Records a send's outcome for the failure-rate guard (which may pause delivery). */
  readonly observe: (delivered: number, failed: number) => void
}

/** Sends one batch for one topic and accounts for every record of it. */
export class BatchSender {
  readonly #o: BatchSenderOptions

  constructor(options: BatchSenderOptions) {
    this.#o = options
  }

  /**
   * Resolves once every record is delivered, dead-lettered or spooled (fsync'd), with the counts.
   * Rejects with `ERR_SPOOL_FULL` when the spool cannot take what must go there. `turn` is the
   * batch's place in its topic's line when batches are in flight together.
   */
  async send(records: readonly SinkRecord[], meta: BatchMeta, turn?: Turn): Promise<DeliveryResult> {
    const t0 = this.#o.clock.now()
    const prepared = prepareMessages(records, meta, this.#o.config.kafka.max_message_bytes, t0)
    const total = { delivered: 0, deadLettered: 0, spooled: 0, retries: 0 }
    this.#o.counters.batch()
    const divert = this.#divertReason(meta.topic)
    if (divert) {
      if (prepared.poison.length > 0) {
        const dead = prepared.poison.map((p) =>
          this.#o.deadLetters.message(p.message, { code: p.code, message: p.error }, 0, meta.topic),
        )
        this.#o.counters.failed(dead.length)
        total.spooled += await this.#o.deadLetters.spool(dead, meta, divert, 0)
      }
      total.spooled += await this.#spoolBatch(prepared.messages, meta, divert, 0)
    } else {
      let refused = prepared.poison.length
      if (prepared.poison.length > 0) {
        const items = prepared.poison.map((p) => ({
          message: p.message,
          failure: { code: p.code, message: p.error },
          attempts: 0,
        }))
        const d = await this.#o.deadLetters.write(items, meta)
        total.deadLettered += d.deadLettered
        total.spooled += d.spooled
      }
      if (prepared.messages.length > 0 && this.#o.link.away) {
        // Dead-lettering the poison records just found Kafka unreachable: no second round of retries.
        total.spooled += await this.#spoolBatch(prepared.messages, meta, 'unavailable', 0)
      } else if (prepared.messages.length > 0) {
        const outcome = await this.#o.producer.produce(meta.topic, prepared.messages, prepared.bytes, turn)
        refused += outcome.dead.length
        total.delivered += outcome.delivered
        total.retries += outcome.retries
        // Bytes of what was acknowledged: the whole batch unless part of it failed.
        const whole = outcome.dead.length === 0 && !outcome.unavailable
        this.#o.counters.sent(outcome.delivered, whole ? prepared.bytes : 0)
        this.#o.counters.retried(outcome.retries)
        const d = await this.#o.deadLetters.write(outcome.dead, meta)
        total.deadLettered += d.deadLettered
        total.spooled += d.spooled
        if (outcome.unavailable) {
          const { messages, attempts } = outcome.unavailable
          const n = await this.#spoolBatch(messages, meta, 'unavailable', attempts)
          total.spooled += n
          this.#o.counters.failed(n)
        }
      }
      this.#o.observe(total.delivered, refused)
    }
    this.#o.counters.latency(this.#o.clock.now() - t0)
    return total
  }

  #spoolBatch(
    messages: SpooledBatch['messages'],
    meta: BatchMeta,
    reason: SpoolReason,
    attempts: number,
  ): Promise<number> {
    return this.#o.spool.append({
      v: 1,
      topic: meta.topic,
      sourceId: meta.sourceId,
      sourceType: meta.sourceType,
      reason,
      spooledAt: new Date(this.#o.clock.now()).toISOString(),
      attempts,
      messages,
    })
  }

  /** Why a new batch for `topic` goes to the spool instead of Kafka, if it does. */
  #divertReason(topic: string): SpoolReason | undefined {
    if (this.#o.link.paused) return 'paused'
    if (this.#o.link.away) return 'unavailable'
    if (this.#o.spool.holds(topic)) return 'ordering'
    return undefined
  }
}
