/**
 * One produce, as delivery makes it: messages in runs that fit the broker's size limit, each run
 * with up to `max_retries` retries behind the shared backoff gate; a run the broker refuses for
 * some of its records is halved until those stand alone. Reports to the {@link DeliveryLink}.
 */
import type { Logger } from '@firefront/sdk'
import type { KafkaSinkConfig } from '../config'
import type { KafkaFailure, ProducerTransport } from '../transport'
import type { DeliveryLink } from './delivery-link'
import { chunkByBytes, type OutMessage } from './messages'
import type { RetryController } from './retry-controller'
import type { Turn } from './topic-order'

/** A message Kafka refused, why, and after how many attempts. */
export interface DeadItem {
  readonly message: OutMessage
  readonly failure: { readonly code: string; readonly message: string }
  readonly attempts: number
}

/** What became of the messages of one produce. */
export interface ProduceOutcome {
  delivered: number
  dead: DeadItem[]
  retries: number
  /** Messages not sent because Kafka could not be reached (in order), with why. */
  unavailable?: { messages: OutMessage[]; failure: KafkaFailure; attempts: number }
}

/** What a {@link Producer} works with. */
export interface ProducerOptions {
  readonly config: KafkaSinkConfig
  readonly transport: ProducerTransport
  readonly link: DeliveryLink
  readonly retry: RetryController
  readonly logger: Logger
  /** Ends backoff waits: the messages are then reported unavailable (and spooled). */
  readonly signal: AbortSignal
}

/** Sends messages with retries; creates a topic before its first send. */
export class Producer {
  readonly #o: ProducerOptions
  readonly #knownTopics = new Set<string>()

  constructor(options: ProducerOptions) {
    this.#o = options
  }

  /** Marks topics as existing (created up front or not to be created). */
  known(topics: readonly string[]): void {
    for (const t of topics) this.#knownTopics.add(t)
  }

  /** Topics not yet known to exist. */
  unknown(topics: readonly string[]): string[] {
    return [...new Set(topics)].filter((t) => !this.#knownTopics.has(t))
  }

  /**
   * Sends `messages` to `topic` in runs that fit the size limit (`bytes`, when known, spares the
   * split) and the transport's records per send. Stops at the first run that cannot be sent, so
   * what is left keeps its order. With a `turn` (batches in flight together), the next batch may
   * start once the last run is handed to the transport, and a failure is handled only after every
   * earlier batch of the topic is accounted for, so retries, dead letters and the spool keep the
   * batches' order.
   */
  async produce(topic: string, messages: OutMessage[], bytes?: number, turn?: Turn): Promise<ProduceOutcome> {
    const max = this.#o.config.kafka.max_message_bytes
    const maxRecords = this.#o.transport.maxRecordsPerSend ?? Number.POSITIVE_INFINITY
    const chunks =
      bytes !== undefined && bytes <= max && messages.length <= maxRecords
        ? [messages]
        : chunkByBytes(messages, max, maxRecords)
    const out: ProduceOutcome = { delivered: 0, dead: [], retries: 0 }
    for (const [i, chunk] of chunks.entries()) {
      const r = await this.#chunk(topic, chunk, i === chunks.length - 1 ? turn : undefined, turn)
      out.delivered += r.delivered
      out.dead.push(...r.dead)
      out.retries += r.retries
      if (r.unavailable) {
        out.unavailable = { ...r.unavailable, messages: [...r.unavailable.messages, ...chunks.slice(i + 1).flat()] }
        break
      }
    }
    return out
  }

  /**
   * One run with its retries. `handOver` is told once the run is with the transport (the last run
   * of a batch); `turn` makes failures wait for the earlier batches of the topic.
   */
  async #chunk(topic: string, chunk: OutMessage[], handOver?: Turn, turn?: Turn): Promise<ProduceOutcome> {
    const { link, retry, signal, transport, logger, config } = this.#o
    let attempt = 0
    let lastFailure: KafkaFailure | undefined
    for (;;) {
      if (link.away && attempt > 0) {
        return { delivered: 0, dead: [], retries: attempt - 1, unavailable: this.#unavailable(chunk, attempt) }
      }
      try {
        await retry.wait(signal)
      } catch {
        // Stopping: no more waiting for a retry; the caller spools what is left.
        if (lastFailure) link.gaveUp(lastFailure)
        return {
          delivered: 0,
          dead: [],
          retries: Math.max(0, attempt - 1),
          unavailable: this.#unavailable(chunk, attempt),
        }
      }
      attempt++
      try {
        if (!this.#knownTopics.has(topic)) await this.#createTopic(topic)
        const sending = transport.send(topic, chunk)
        handOver?.handedOver()
        await sending
        link.answered()
        return { delivered: chunk.length, dead: [], retries: attempt - 1 }
      } catch (err) {
        const failure = link.classify(err)
        lastFailure = failure
        link.noteError(failure)
        // Batches in flight together: an earlier one retries, dead-letters or spools first.
        if (turn) await turn.earlier()
        if (failure.kind === 'record') {
          if (chunk.length === 1)
            return { delivered: 0, dead: [{ message: chunk[0]!, failure, attempts: attempt }], retries: attempt - 1 }
          // Halve the run until the refused records stand alone; the rest is delivered.
          const mid = Math.ceil(chunk.length / 2)
          const left = await this.#chunk(topic, chunk.slice(0, mid), undefined, turn)
          if (left.unavailable) {
            left.unavailable.messages.push(...chunk.slice(mid))
            return { ...left, retries: left.retries + attempt - 1 }
          }
          const right = await this.#chunk(topic, chunk.slice(mid), undefined, turn)
          return {
            delivered: left.delivered + right.delivered,
            dead: [...left.dead, ...right.dead],
            retries: left.retries + right.retries + attempt - 1,
            ...(right.unavailable ? { unavailable: right.unavailable } : {}),
          }
        }
        if (failure.kind === 'refused') {
          logger.error(
            { topic, code: failure.code, records: chunk.length },
            `kafka refused ${chunk.length} record(s) for ${topic}: ${failure.message}`,
          )
          return {
            delivered: 0,
            dead: chunk.map((message) => ({ message, failure, attempts: attempt })),
            retries: attempt - 1,
          }
        }
        if (failure.kind === 'producer-state') {
          logger.warn(
            { code: failure.code },
            `kafka lost the producer's state (${failure.code}); starting a new producer`,
          )
          await transport.resetProducer().catch((e: unknown) => link.noteError(link.classify(e)))
        }
        if (attempt > config.kafka.max_retries || signal.aborted || link.away) {
          link.gaveUp(failure)
          return {
            delivered: 0,
            dead: [],
            retries: attempt - 1,
            unavailable: { messages: chunk, failure, attempts: attempt },
          }
        }
        const delay = retry.failure()
        link.retrying(failure)
        logger.debug(
          { topic, attempt, delay_ms: delay, code: failure.code },
          `send to ${topic} failed (${failure.message}); retry ${attempt} of ${config.kafka.max_retries} in ${delay} ms`,
        )
      }
    }
  }

  #unavailable(chunk: OutMessage[], attempts: number): NonNullable<ProduceOutcome['unavailable']> {
    return {
      messages: chunk,
      attempts,
      failure: {
        kind: 'unavailable',
        code: 'UNAVAILABLE',
        message: this.#o.link.lastError ?? 'kafka is unreachable',
        authentication: false,
      },
    }
  }

  /** Topic creation before a first send; a refusal surfaces as a `refused` failure (dead-lettered). */
  async #createTopic(topic: string): Promise<void> {
    if (!this.#o.config.kafka.topics.auto_create) {
      this.#knownTopics.add(topic)
      return
    }
    const created = await this.#o.transport.createTopics([topic])
    this.#knownTopics.add(topic)
    if (created.length > 0) this.#o.logger.info({ topic }, `created topic ${topic}`)
  }
}
