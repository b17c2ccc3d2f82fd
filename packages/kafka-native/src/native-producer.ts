/**
 * The idempotent producer: `send()` hands librdkafka every record of a batch, then waits for every
 * delivery report (acks all) and rejects with the first failure once all are in, so a failed
 * batch leaves nothing still in flight when delivery retries or spools it.
 */
import type { ClientSettings, KafkaMessage } from '@firefront/core'
import { callback, sleep } from './async-util'
import { BrokerWatch } from './broker-watch'
import { connectTimeoutMs, type RdClientConfig } from './client-config'
import { ClientSlot } from './client-slot'
import type { LogForwarder } from './log-forwarder'
import { codeByName, NativeKafkaError, type RdErrorCode, rdCodeOf } from './native-error'
import type { RdKafkaModule, RdMetadata, RdProducer } from './rdkafka-api'
import type { RdKafkaBatch } from '@firefront/rdkafka-batch'
import { encodeBatch } from './batch-codec'
import { BatchClient } from './batch-client'

/** The client a producer drives: node-rdkafka's, or the batch addon's. */
type ProducerClient = RdProducer | BatchClient<PendingSend>

/** How often the producer is polled for delivery reports while a send waits. */
const DELIVERY_POLL_MS = 2
/** Errors of records librdkafka purged from its queue, which it does only after a fatal error. */
const PURGED = new Set(['_PURGE_QUEUE', '_PURGE_INFLIGHT', '_FATAL'])
/** How long a failed send waits for librdkafka's reason when the producer was given up. */
const FATAL_REASON_WAIT_MS = 1000
/** How long a send waits for room when librdkafka's local queue is full, before looking again. */
const QUEUE_FULL_WAIT_MS = 5

/** The records of one `send()` whose delivery reports are still to come. */
class PendingSend {
  #outstanding = 0
  #sealed = false
  #error: unknown
  #settle: ((err?: unknown) => void) | undefined
  #onSettled: (() => void) | undefined
  readonly done: Promise<void>

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.#settle = (err) => (err === undefined ? resolve() : reject(err))
    })
  }

  get outstanding(): number {
    return this.#outstanding
  }

  enqueued(count = 1): void {
    this.#outstanding += count
  }

  /** `count` delivery reports arrived (`err` when those records were not acknowledged). */
  report(err: unknown, count = 1): void {
    this.#outstanding -= count
    this.fail(err)
    this.#check()
  }

  /** Remembers the first failure. */
  fail(err: unknown): void {
    if (err && this.#error === undefined) this.#error = err
  }

  /** Every record is handed over (or the rest never will be). */
  seal(): void {
    this.#sealed = true
    this.#check()
  }

  /** Gives up on the reports still to come (the client is gone). */
  abandon(err: unknown): void {
    this.fail(err)
    this.#outstanding = 0
    this.seal()
  }

  /** Runs `fn` once the send settles. */
  onSettled(fn: () => void): void {
    this.#onSettled = fn
  }

  #check(): void {
    if (!this.#sealed || this.#outstanding > 0 || !this.#settle) return
    const settle = this.#settle
    this.#settle = undefined
    this.#onSettled?.()
    settle(this.#error)
  }
}

/** Options of {@link NativeProducer}. */
export interface NativeProducerOptions {
  readonly rd: RdKafkaModule
  /**
   * The batch addon: when given, batches go to librdkafka in one call each (no transactions);
   * else node-rdkafka's `produce` per record.
   */
  readonly batch?: RdKafkaBatch
  readonly config: RdClientConfig
  readonly settings: ClientSettings
  readonly forward: LogForwarder
  readonly redact: (text: string) => string
}

/** A header list as node-rdkafka takes it (it sends each value as UTF-8 text). */
function headerList(headers: KafkaMessage['headers']): Array<Record<string, string>> | undefined {
  if (!headers) return undefined
  const out: Array<Record<string, string>> = []
  for (const key in headers) {
    const value = headers[key]
    if (value !== undefined) out.push({ [key]: value })
  }
  return out
}

const isQueueFull = (err: unknown): boolean => rdCodeOf(err)?.name === '_QUEUE_FULL'

/** One idempotent librdkafka producer (a new one after {@link NativeProducer.close}). */
export class NativeProducer {
  readonly #o: NativeProducerOptions
  readonly #watch: BrokerWatch
  readonly #slot: ClientSlot<ProducerClient>
  readonly #pending = new Set<PendingSend>()
  /** The batch producer's encoding buffer. */
  #scratch: Buffer | undefined
  /** Resolves when the latest send has handed all its records to librdkafka (or given up). */
  #handOver: Promise<void> = Promise.resolve()

  constructor(options: NativeProducerOptions) {
    this.#o = options
    this.#watch = new BrokerWatch({
      role: 'producer',
      forward: options.forward,
      redact: options.redact,
      pollMs: DELIVERY_POLL_MS,
    })
    this.#slot = new ClientSlot<ProducerClient>({
      create: () => this.#create(),
      watch: this.#watch,
      connectTimeoutMs: connectTimeoutMs(options.settings),
      what: `connecting to kafka at ${options.settings.brokers.join(',')}`,
    })
  }

  #create(): ProducerClient {
    if (this.#o.batch) {
      return new BatchClient<PendingSend>(
        this.#o.batch,
        this.#o.config,
        (pending, err, count) => {
          if (!err) this.#watch.answered()
          pending.report(err ? this.#watch.error(err) : undefined, count)
        },
        this.#o.settings.requestTimeoutMs,
      )
    }
    const producer = new this.#o.rd.Producer({ ...this.#o.config.global }, { ...this.#o.config.topic })
    producer.on('delivery-report', (err, report) => {
      const pending = report?.opaque
      if (!err) this.#watch.answered()
      if (pending instanceof PendingSend) pending.report(err ? this.#watch.error(err) : undefined)
    })
    return producer
  }

  /** Connects (a metadata request); fails fast when no broker answers. */
  async connect(): Promise<void> {
    await this.#slot.ensure()
  }

  /**
   * Sends `messages` to `topic`; resolves when every one is acknowledged by all in-sync replicas.
   * Sends made while earlier ones are in flight hand their records to librdkafka in call order
   * (each waits for the previous one's hand-over), and the idempotent producer keeps that order
   * per partition.
   */
  async send(topic: string, messages: readonly KafkaMessage[]): Promise<void> {
    if (messages.length === 0) return
    const previous = this.#handOver
    let handedOver: () => void = () => {}
    this.#handOver = new Promise<void>((resolve) => {
      handedOver = resolve
    })
    const pending = new PendingSend()
    let release: (() => void) | undefined
    try {
      await previous
      const producer = await this.#slot.ensure()
      if (this.#watch.down) {
        // Every broker was down a moment ago: check before handing records over, so a send during
        // an outage fails within the connection timeout instead of the message timeout.
        const timeout = connectTimeoutMs(this.#o.settings)
        await this.#watch.guard(`producing to ${topic}`, timeout, () =>
          callback<RdMetadata>((cb) => producer.getMetadata({ allTopics: false, timeout }, cb)),
        )
      }
      this.#pending.add(pending)
      release = this.#watch.hold()
      if (producer instanceof BatchClient) this.#enqueueBatch(producer, topic, messages, pending)
      else await this.#enqueue(producer, topic, messages, pending)
      handedOver()
      pending.seal()
      await pending.done
    } catch (err) {
      // Records purged from the queue mean librdkafka gave the producer up; its reason (e.g.
      // fenced by a newer transactional producer) may arrive just after the reports.
      if (PURGED.has(rdCodeOf(err)?.name ?? '')) await this.#watch.fatalKnown(FATAL_REASON_WAIT_MS)
      throw this.#watch.error(err)
    } finally {
      handedOver()
      release?.()
      this.#pending.delete(pending)
    }
  }

  async #enqueue(
    producer: RdProducer,
    topic: string,
    messages: readonly KafkaMessage[],
    pending: PendingSend,
  ): Promise<void> {
    const deadline = Date.now() + this.#o.settings.requestTimeoutMs
    for (const m of messages) {
      const value = m.value === null ? null : typeof m.value === 'string' ? Buffer.from(m.value) : m.value
      const timestamp = m.timestamp === undefined ? null : Number(m.timestamp)
      const headers = headerList(m.headers)
      for (;;) {
        try {
          producer.produce(topic, null, value, m.key, timestamp, pending, headers)
          pending.enqueued()
          break
        } catch (err) {
          if (isQueueFull(err) && Date.now() < deadline) {
            // librdkafka's queue holds other sends' records: wait for their reports to make room
            await sleep(QUEUE_FULL_WAIT_MS)
            continue
          }
          // The rest is not handed over; the send fails once the records already queued report.
          pending.fail(this.#watch.error(err))
          return
        }
      }
    }
  }

  /**
   * Hands the whole batch over in one call (encoded once, shared headers written once); the
   * addon's thread gives the records to librdkafka, waiting for room when its queue is full, and
   * reports each record once, delivered or refused.
   */
  #enqueueBatch(
    client: BatchClient<PendingSend>,
    topic: string,
    messages: readonly KafkaMessage[],
    pending: PendingSend,
  ): void {
    // The addon copies the bytes it queues: the encoding buffer is reused from batch to batch
    // (grown to the largest batch seen).
    const encoded = encodeBatch(messages, this.#scratch)
    if (encoded.buffer !== this.#scratch?.buffer) this.#scratch = Buffer.from(encoded.buffer)
    const bytes = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength)
    const id = client.register(pending)
    pending.onSettled(() => client.release(id))
    const [next, err] = client.produce(topic, bytes, id, 0)
    pending.enqueued(next)
    // A malformed batch (never from encodeBatch): the rest is not handed over.
    if (err) pending.fail(this.#watch.error(err))
  }

  /**
   * A transaction call on the producer (`transactional.id` set): `init` fences every older
   * producer with the id, `commit` flushes and commits, `abort` aborts. Fails fast when no broker
   * answers; the broker aborts a transaction left open at `transaction.timeout.ms`.
   */
  async transaction(op: 'init' | 'begin' | 'commit' | 'abort', timeoutMs: number): Promise<void> {
    const producer = await this.#slot.ensure()
    if (producer instanceof BatchClient) throw new Error('transactions need node-rdkafka (the batch producer has none)')
    await this.#watch.guard(`${op} transaction`, timeoutMs + 1000, () =>
      callback<void>((cb) => {
        const done = (err: unknown) => cb(err, undefined)
        if (op === 'init') producer.initTransactions(timeoutMs, done)
        else if (op === 'begin') producer.beginTransaction(done)
        else if (op === 'commit') producer.commitTransaction(timeoutMs, done)
        else producer.abortTransaction(timeoutMs, done)
      }),
    )
  }

  /** Flushes for up to `flushMs`, then closes; sends still waiting fail with `_DESTROY`. */
  async close(flushMs: number): Promise<void> {
    await this.#slot.close(flushMs)
    const err = new NativeKafkaError(codeByName('_DESTROY') as RdErrorCode, 'the kafka producer was closed')
    for (const pending of this.#pending) pending.abandon(err)
    this.#pending.clear()
  }
}
