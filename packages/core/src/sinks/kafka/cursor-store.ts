/**
 * The Kafka cursor store: each source's cursor is a message keyed by the source id in a compacted
 * topic, so several Firefront processes (or a replacement machine) share the same state. Opening
 * reads the topic up to its high watermark; each commit is produced with acks from all replicas
 * before it resolves; a reset without a value writes a tombstone.
 */
import { randomUUID } from 'node:crypto'
import type { Cursor } from '@firefront/sdk'
import { FirefrontError } from '@firefront/sdk'
import { Kafka, type Producer } from 'kafkajs'
import type { FirefrontConfig } from '../../config/schema'
import type { CursorEntry, CursorStore } from '../../cursors/file-cursor-store'
import { kafkajsClientConfig } from './client-options'

/** A {@link CursorStore} in a compacted Kafka topic. */
export class KafkaCursorStore implements CursorStore {
  readonly topic: string
  readonly #entries: Map<string, CursorEntry>
  readonly #producer: Producer

  private constructor(topic: string, entries: Map<string, CursorEntry>, producer: Producer) {
    this.topic = topic
    this.#entries = entries
    this.#producer = producer
  }

  /** Creates the topic when missing (compacted), reads every cursor in it, and connects a producer. */
  static async open(config: FirefrontConfig, options: { readTimeoutMs?: number } = {}): Promise<KafkaCursorStore> {
    const topic = config.cursors.topic
    const { kafkajs } = await kafkajsClientConfig(config.kafka, { clientIdSuffix: '-cursors' })
    const kafka = new Kafka(kafkajs)
    const admin = kafka.admin()
    try {
      await admin.connect()
      const existing = await admin.listTopics()
      if (!existing.includes(topic)) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic,
              numPartitions: 1,
              replicationFactor: config.kafka.topics.replication_factor,
              configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
            },
          ],
        })
      }
      const ends = await admin.fetchTopicOffsets(topic)
      const entries = await readAll(kafka, topic, ends, options.readTimeoutMs ?? 30_000)
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
      await producer.connect()
      return new KafkaCursorStore(topic, entries, producer)
    } catch (err) {
      throw new FirefrontError(
        'ERR_SINK_UNAVAILABLE',
        `the cursor topic ${topic} cannot be read: ${(err as Error).message}`,
        { cause: err },
      )
    } finally {
      await admin.disconnect().catch(() => {})
    }
  }

  get(sourceId: string): CursorEntry | undefined {
    return this.#entries.get(sourceId)
  }

  list(): Readonly<Record<string, CursorEntry>> {
    return Object.fromEntries(this.#entries)
  }

  async commit(sourceId: string, cursor: Cursor, records?: number): Promise<void> {
    const previous = this.#entries.get(sourceId)
    const total = records !== undefined ? (previous?.records ?? 0) + records : previous?.records
    const entry: CursorEntry = {
      cursor,
      committedAt: new Date().toISOString(),
      ...(total !== undefined ? { records: total } : {}),
    }
    await this.#producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: sourceId, value: JSON.stringify(entry) }],
    })
    this.#entries.set(sourceId, entry)
  }

  async reset(sourceId: string, to?: Cursor): Promise<void> {
    if (to === undefined) {
      await this.#producer.send({ topic: this.topic, acks: -1, messages: [{ key: sourceId, value: null }] })
      this.#entries.delete(sourceId)
      return
    }
    const entry: CursorEntry = { cursor: to, committedAt: new Date().toISOString() }
    await this.#producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: sourceId, value: JSON.stringify(entry) }],
    })
    this.#entries.set(sourceId, entry)
  }

  async close(): Promise<void> {
    await this.#producer.disconnect().catch(() => {})
  }
}

/** Reads every message of `topic` up to the given end offsets; the last value per key wins. */
async function readAll(
  kafka: Kafka,
  topic: string,
  ends: ReadonlyArray<{ partition: number; high: string; low: string }>,
  timeoutMs: number,
): Promise<Map<string, CursorEntry>> {
  const entries = new Map<string, CursorEntry>()
  const pending = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]))
  if (pending.size === 0) return entries
  // a throwaway group that never commits: only the topic's content matters
  const consumer = kafka.consumer({ groupId: `firefront-cursors-reader-${randomUUID()}` })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString()
            if (key) {
              if (message.value === null) entries.delete(key)
              else entries.set(key, JSON.parse(message.value.toString()) as CursorEntry)
            }
            const high = pending.get(partition)
            if (high !== undefined && Number(message.offset) + 1 >= high) pending.delete(partition)
            if (pending.size === 0) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect().catch(() => {})
  }
  return entries
}
