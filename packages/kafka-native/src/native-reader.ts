/**
 * Consumer lag and reading a topic to its end, with librdkafka consumers that never join a
 * group: committed offsets are fetched with the group's id and no subscription, and a topic is
 * read by assigning its partitions.
 *
 * librdkafka (and so node-rdkafka) cannot list the topics a group has committed offsets for, so
 * lag asks for the group's committed offsets on every partition of every topic in one request and
 * keeps the topics where the group has one: the same topics kafkajs' `fetchOffsets` lists.
 */
import { randomUUID } from 'node:crypto'
import type { ClientSettings, TopicRecord } from '@firefront/core'
import { FirefrontError } from '@firefront/sdk'
import { bounded, callback } from './async-util'
import { BrokerWatch } from './broker-watch'
import { connectTimeoutMs, type RdClientConfig } from './client-config'
import type { LogForwarder } from './log-forwarder'
import type { NativeAdmin } from './native-admin'
import { toNativeError } from './native-error'
import type {
  RdConsumer,
  RdKafkaModule,
  RdMessage,
  RdMetadata,
  RdTopicPartition,
  RdTopicPartitionOffset,
} from './rdkafka-api'

/** Records asked for per consume call while reading a topic. */
const CONSUME_BATCH = 500
/** How long one consume call waits for records. */
const CONSUME_WAIT_MS = 200
/** How long closing a consumer may take. */
const CLOSE_MS = 5000

/** Options of {@link NativeReader}. */
export interface NativeReaderOptions {
  readonly rd: RdKafkaModule
  readonly settings: ClientSettings
  readonly admin: NativeAdmin
  /** The consumer config for a group id. */
  readonly consumerConfig: (groupId: string) => RdClientConfig
  readonly forward: LogForwarder
  readonly redact: (text: string) => string
}

function headerStrings(headers: RdMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const h of headers ?? []) {
    for (const key in h) {
      const v = h[key]
      if (v !== undefined && !(key in out)) out[key] = v.toString()
    }
  }
  return out
}

const keyBuffer = (key: RdMessage['key']): Buffer | null =>
  key === undefined || key === null ? null : typeof key === 'string' ? Buffer.from(key) : key

/** Lag and topic reads. */
export class NativeReader {
  readonly #o: NativeReaderOptions
  /** One consumer per group whose lag is read, kept for the next reading. */
  readonly #lagConsumers = new Map<string, Promise<RdConsumer>>()
  readonly #open = new Set<RdConsumer>()

  constructor(options: NativeReaderOptions) {
    this.#o = options
  }

  get #timeout(): number {
    return this.#o.settings.requestTimeoutMs
  }

  async #consumer(groupId: string): Promise<RdConsumer> {
    const config = this.#o.consumerConfig(groupId)
    const consumer = new this.#o.rd.KafkaConsumer({ ...config.global }, { ...config.topic })
    const watch = new BrokerWatch({ role: 'consumer', forward: this.#o.forward, redact: this.#o.redact })
    watch.attach(consumer)
    this.#open.add(consumer)
    try {
      const timeout = connectTimeoutMs(this.#o.settings)
      await watch.guard(`connecting a consumer to kafka at ${this.#o.settings.brokers.join(',')}`, timeout, () =>
        callback<RdMetadata>((cb) => consumer.connect({ timeout, allTopics: false }, cb)),
      )
    } catch (err) {
      this.#open.delete(consumer)
      await this.#close(consumer)
      throw err
    }
    return consumer
  }

  async #close(consumer: RdConsumer): Promise<void> {
    this.#open.delete(consumer)
    if (!consumer.isConnected()) return
    await bounded(
      callback<unknown>((cb) => consumer.disconnect(cb)),
      CLOSE_MS,
    )
  }

  /** Total lag per group (see `AdminTransport.readLag`). */
  async readLag(groups: readonly string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    if (groups.length === 0) return out
    let md: RdMetadata
    try {
      md = await this.#o.admin.metadata(true)
    } catch (err) {
      // Kafka is away: the groups' consumers are made afresh when it answers again, rather than
      // kept reconnecting (and queueing their errors) meanwhile.
      await this.#closeLagConsumers()
      throw err
    }
    const partitions: RdTopicPartition[] = []
    for (const t of md.topics) {
      if (t.name.startsWith('__')) continue
      for (const p of t.partitions) partitions.push({ topic: t.name, partition: p.id })
    }
    const ends = new Map<string, Promise<{ low: number; high: number }>>()
    const end = (topic: string, partition: number) => {
      const k = `${topic}\u0000${partition}`
      let e = ends.get(k)
      if (!e) {
        e = this.#o.admin.watermarks(topic, partition).then((w) => ({ low: w.lowOffset, high: w.highOffset }))
        ends.set(k, e)
      }
      return e
    }
    for (const group of groups) {
      const committed = partitions.length === 0 ? [] : await this.#committed(group, partitions)
      const topics = new Set(committed.filter((c) => c.offset >= 0).map((c) => c.topic))
      const offsetOf = new Map(committed.map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]))
      let lag = 0
      const own = partitions.filter((p) => topics.has(p.topic))
      const marks = await Promise.all(own.map((p) => end(p.topic, p.partition)))
      for (const [i, p] of own.entries()) {
        const { low, high } = marks[i]!
        const c = offsetOf.get(`${p.topic}\u0000${p.partition}`) ?? -1
        lag += Math.max(0, high - (c >= 0 ? c : low))
      }
      out[group] = lag
    }
    return out
  }

  async #committed(group: string, partitions: readonly RdTopicPartition[]): Promise<readonly RdTopicPartitionOffset[]> {
    let pending = this.#lagConsumers.get(group)
    if (!pending) {
      pending = this.#consumer(group)
      this.#lagConsumers.set(group, pending)
    }
    let consumer: RdConsumer
    try {
      consumer = await pending
    } catch (err) {
      this.#lagConsumers.delete(group)
      throw err
    }
    try {
      return await callback<readonly RdTopicPartitionOffset[]>((cb) =>
        consumer.committed(partitions, this.#timeout, cb),
      )
    } catch (err) {
      // a fresh consumer next time: this one may be stuck on a dead connection
      this.#lagConsumers.delete(group)
      await this.#close(consumer)
      throw toNativeError(err, undefined, this.#o.redact)
    }
  }

  /** Reads `topic` from its start to the high watermark taken now (see `AdminTransport.readTopic`). */
  async readTopic(topic: string, visit: (record: TopicRecord) => void, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    const md = await this.#o.admin.metadata(true)
    const meta = md.topics.find((t) => t.name === topic)
    if (!meta) return 0
    const ranges = new Map<number, { low: number; high: number }>()
    let total = 0
    for (const p of meta.partitions) {
      const w = await this.#o.admin.watermarks(topic, p.id)
      if (w.highOffset > w.lowOffset) {
        ranges.set(p.id, { low: w.lowOffset, high: w.highOffset })
        total += w.highOffset - w.lowOffset
      }
    }
    if (ranges.size === 0) return 0
    // A group id of its own that is never joined nor committed to: the broker keeps no trace of it.
    const consumer = await this.#consumer(`firefront-reader-${randomUUID()}`)
    try {
      consumer.setDefaultConsumeTimeout(CONSUME_WAIT_MS)
      const done = new Set<number>()
      // node-rdkafka emits a partition's end before handing over the batch that reached it
      consumer.on('partition.eof', (eof) => {
        const r = ranges.get(eof.partition)
        if (eof.topic === topic && r && eof.offset >= r.high) done.add(eof.partition)
      })
      consumer.assign([...ranges].map(([partition, r]) => ({ topic, partition, offset: r.low })))
      while (done.size < ranges.size) {
        if (Date.now() > deadline) {
          throw new FirefrontError('ERR_TIMEOUT', `reading ${topic} took longer than ${timeoutMs} ms`)
        }
        const messages = await callback<readonly RdMessage[]>((cb) => consumer.consume(CONSUME_BATCH, cb)).catch(
          (err: unknown) => {
            throw toNativeError(err, undefined, this.#o.redact)
          },
        )
        for (const m of messages) {
          const r = ranges.get(m.partition)
          if (m.topic !== topic || !r) continue
          if (m.offset < r.high) {
            visit({
              partition: m.partition,
              offset: String(m.offset),
              key: keyBuffer(m.key),
              value: m.value,
              timestamp: String(m.timestamp ?? -1),
              headers: headerStrings(m.headers),
            })
          }
          // the last record may be followed by transaction markers: the end-of-partition event covers that
          if (m.offset + 1 >= r.high) done.add(m.partition)
        }
      }
    } finally {
      await this.#close(consumer)
    }
    return total
  }

  async #closeLagConsumers(): Promise<void> {
    const lag = [...this.#lagConsumers.values()]
    this.#lagConsumers.clear()
    const settled = await Promise.allSettled(lag)
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? this.#close(s.value) : undefined)))
  }

  /** Closes every consumer; never waits more than a few seconds. */
  async close(): Promise<void> {
    await this.#closeLagConsumers()
    await Promise.all([...this.#open].map((c) => this.#close(c)))
  }
}
