/**
 * Exactly-once writes (`delivery: exactly_once`): one poll of a pull source — its records in every
 * topic they go to, its dead letters, and the cursor after them — in one Kafka transaction, with a
 * transactional producer whose id is stable per source, so a worker that lost the source (a
 * zombie after a pause, a partition, a rebalance) is fenced by the broker. There is no disk spool
 * here: a spooled record would be outside the transaction. While Kafka is away the write is
 * retried with backoff, and the source waits.
 */
import { backoffDelay, type Clock, FirefrontError, type Logger, type SinkRecord, type SinkResult } from '@firefront/sdk'
import type { KafkaSinkConfig } from '../config'
import type { Redactor } from '../redact'
import type { KafkaFailure, KafkaMessage, KafkaTransport, TransactionalProducer } from '../transport'
import { type BatchMeta, type OutMessage, prepareMessages, toDeadLetter } from './messages'

/** The records of one poll bound for one topic. */
export interface TransactionPart {
  readonly topic: string
  readonly records: readonly SinkRecord[]
}

/** One poll of one source, to be written atomically. */
export interface TransactionRequest {
  readonly sourceId: string
  readonly sourceType: string
  /** The producer's `transactional.id`: stable per source, the same on every worker. */
  readonly transactionalId: string
  /** Per topic, in the order the records came. */
  readonly parts: readonly TransactionPart[]
  /** Written in the same transaction after the records: the cursor commit. */
  readonly extra: ReadonlyArray<{ readonly topic: string; readonly message: KafkaMessage }>
  /** Stops the retries (the source's stream stopping); the sink's own stop does too. */
  readonly signal?: AbortSignal
}

/** What became of each part (in the order given), and how many attempts the commit took. */
export interface TransactionOutcome {
  readonly parts: readonly SinkResult[]
  readonly attempts: number
  /** From the first attempt to the commit. */
  readonly latencyMs: number
}

/** The figures of exactly-once writing, for the `producer` metrics. */
export interface TransactionMetrics {
  readonly transactions_committed: number
  readonly transactions_aborted: number
  readonly transactions_fenced: number
  readonly transactional_producers: number
}

/** What {@link TransactionalWriter} works with. */
export interface TransactionalWriterOptions {
  readonly config: KafkaSinkConfig
  readonly transport: KafkaTransport
  readonly logger: Logger
  readonly redactor: Redactor
  readonly clock: Clock
  /** Aborts the retries when the sink stops. */
  readonly signal: AbortSignal
}

const isFenced = (f: KafkaFailure): boolean => f.kind === 'fenced'

/** Writes one poll per transaction; see the module comment. */
export class TransactionalWriter {
  readonly #o: TransactionalWriterOptions
  readonly #producers = new Map<string, TransactionalProducer>()
  readonly #knownTopics = new Set<string>()
  #committed = 0
  #aborted = 0
  #fenced = 0

  constructor(options: TransactionalWriterOptions) {
    if (!options.transport.transactional) {
      throw new FirefrontError(
        'ERR_CONFIG_INVALID',
        `delivery: exactly_once needs Kafka transactions, which kafka.client "${options.transport.client}" does not offer here`,
      )
    }
    this.#o = options
  }

  /**
   * Writes the request in one transaction, retrying with backoff while Kafka is unavailable.
   * Records that cannot be serialised, are over `kafka.max_message_bytes`, or whose topic the
   * broker refuses are written to the dead-letter topic in the same transaction.
   *
   * @throws FirefrontError `ERR_FENCED` when a newer producer took over the source's id;
   *   `ERR_STOPPED` when the sink stops first. Nothing of the request is visible then.
   */
  async write(request: TransactionRequest): Promise<TransactionOutcome> {
    const { config } = this.#o
    const max = config.kafka.max_message_bytes
    const refusedTopics = new Map<string, KafkaFailure>()
    const prepared = request.parts.map((part) => {
      const meta: BatchMeta = { topic: part.topic, sourceId: request.sourceId, sourceType: request.sourceType }
      return { part, ...prepareMessages(part.records, meta, max, this.#o.clock.now()) }
    })
    const started = this.#o.clock.now()
    const signal = request.signal ? AbortSignal.any([this.#o.signal, request.signal]) : this.#o.signal
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) {
        throw new FirefrontError('ERR_STOPPED', `stopped before the transaction of ${request.sourceId} committed`)
      }
      const results: SinkResult[] = []
      const deadLetters: OutMessage[] = []
      const sends: Array<{ topic: string; messages: readonly KafkaMessage[] }> = []
      for (const p of prepared) {
        const refused = refusedTopics.get(p.part.topic)
        const dead = p.poison.map((x) => this.#deadLetter(x.message, x.code, x.error, attempt, p.part.topic))
        if (refused) {
          dead.push(...p.messages.map((m) => this.#deadLetter(m, refused.code, refused.message, attempt, p.part.topic)))
        } else if (p.messages.length > 0) sends.push({ topic: p.part.topic, messages: p.messages })
        deadLetters.push(...dead)
        results.push({ delivered: refused ? 0 : p.messages.length, deadLettered: dead.length, spooled: 0 })
      }
      if (deadLetters.length > 0) sends.push({ topic: config.dlq.topic, messages: deadLetters })
      for (const e of request.extra) sends.push({ topic: e.topic, messages: [e.message] })

      let producer: TransactionalProducer | undefined
      let failedTopic: string | undefined
      try {
        await this.#ensureTopics(sends.map((s) => s.topic))
        producer = await this.#producer(request.transactionalId)
        const txn = await producer.begin()
        try {
          for (const s of sends) {
            failedTopic = s.topic
            await txn.send(s.topic, s.messages)
          }
          failedTopic = undefined
          await txn.commit()
        } catch (err) {
          await txn.abort()
          throw err
        }
        this.#committed++
        return { parts: results, attempts: attempt, latencyMs: this.#o.clock.now() - started }
      } catch (err) {
        if (producer) this.#aborted++
        const failure = this.#o.transport.classify(err)
        if (isFenced(failure)) {
          this.#fenced++
          await this.#drop(request.transactionalId)
          throw new FirefrontError(
            'ERR_FENCED',
            `source ${request.sourceId}: a newer producer took over transactional id ${request.transactionalId} (${failure.code}); this worker stops writing for it`,
            { cause: err },
          )
        }
        const recordLevel = failure.kind === 'record' || failure.kind === 'refused'
        if (
          recordLevel &&
          failedTopic !== undefined &&
          failedTopic !== config.dlq.topic &&
          !this.#isExtra(request, failedTopic)
        ) {
          // the topic's records go to the dead-letter topic instead, in the next attempt
          refusedTopics.set(failedTopic, failure)
          this.#o.logger.error(
            { topic: failedTopic, code: failure.code, source: request.sourceId },
            `kafka refused records for ${failedTopic}: they go to the dead-letter topic in the transaction: ${this.#o.redactor.text(failure.message)}`,
          )
          await this.#drop(request.transactionalId)
          continue
        }
        // unavailable, a broken producer, or the dead-letter/cursor topic refused: a new producer, after a backoff
        await this.#drop(request.transactionalId)
        const delay = backoffDelay(attempt, {
          baseMs: config.kafka.retry_backoff_base * 1000,
          maxMs: config.kafka.retry_backoff_max * 1000,
        })
        this.#o.logger.warn(
          { source: request.sourceId, code: failure.code, attempt, retryInMs: delay },
          `the transaction of ${request.sourceId} failed and was aborted; retrying: ${this.#o.redactor.text(failure.message)}`,
        )
        try {
          await this.#o.clock.sleep(delay, signal)
        } catch {
          throw new FirefrontError('ERR_STOPPED', `stopped before the transaction of ${request.sourceId} committed`, {
            cause: err,
          })
        }
      }
    }
  }

  /**
   * Opens the producer of `transactionalId` now, which fences every older producer with that id
   * and aborts the transaction it left open. A worker that takes a source over calls this before
   * it reads the source's committed cursor, so no write of the previous owner can land after.
   */
  async open(transactionalId: string): Promise<void> {
    // a producer kept from an earlier ownership carries an epoch that a newer owner has fenced
    await this.#drop(transactionalId)
    await this.#producer(transactionalId)
  }

  /** Closes the producer of `transactionalId` (its source moved away). */
  async release(transactionalId: string): Promise<void> {
    await this.#drop(transactionalId)
  }

  /** Closes every transactional producer. */
  async close(): Promise<void> {
    await Promise.all([...this.#producers.keys()].map((id) => this.#drop(id)))
  }

  metrics(): TransactionMetrics {
    return {
      transactions_committed: this.#committed,
      transactions_aborted: this.#aborted,
      transactions_fenced: this.#fenced,
      transactional_producers: this.#producers.size,
    }
  }

  #isExtra(request: TransactionRequest, topic: string): boolean {
    return request.extra.some((e) => e.topic === topic)
  }

  #deadLetter(message: OutMessage, code: string, error: string, attempts: number, originalTopic: string): OutMessage {
    return toDeadLetter(message, {
      error: this.#o.redactor.text(error),
      code,
      attempts,
      originalTopic,
      failedAt: new Date(this.#o.clock.now()).toISOString(),
    })
  }

  async #ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = [...new Set(topics)].filter((t) => !this.#knownTopics.has(t))
    if (missing.length === 0) return
    if (this.#o.config.kafka.topics.auto_create) await this.#o.transport.createTopics(missing)
    for (const t of missing) this.#knownTopics.add(t)
  }

  async #producer(transactionalId: string): Promise<TransactionalProducer> {
    const existing = this.#producers.get(transactionalId)
    if (existing) return existing
    const opened = await this.#o.transport.transactional!(transactionalId)
    this.#producers.set(transactionalId, opened)
    return opened
  }

  async #drop(transactionalId: string): Promise<void> {
    const p = this.#producers.get(transactionalId)
    this.#producers.delete(transactionalId)
    await p?.disconnect()
  }
}
