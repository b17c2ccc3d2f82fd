/**
 * The Kafka cursor store: each source's cursor is a message keyed by the source id in a compacted
 * topic, so several Firefront processes (or a replacement machine) share the same state. Opening
 * reads the topic up to its high watermark; each commit is produced with acks from all replicas
 * before it resolves; a reset without a value writes a tombstone.
 */
import type { Cursor } from '@firefront/sdk'
import { FirefrontError } from '@firefront/sdk'
import type { FirefrontConfig } from '../config/schema'
import type { CursorEntry, CursorStore } from '../cursors/file-cursor-store'
import { openKafkaTransport } from './open-transport'
import type { KafkaMessage, KafkaTransport } from './transport'

/** Options of {@link KafkaCursorStore.open}. */
export interface KafkaCursorStoreOptions {
  /** Give up reading the topic after this long (default 30 s). */
  readonly readTimeoutMs?: number
  /** A transport instead of opening one on `config.kafka` (it is then closed with the store). */
  readonly transport?: KafkaTransport
}

/** A cursor commit to write inside a transaction; see {@link KafkaCursorStore.prepareCommit}. */
export interface PreparedCursorCommit {
  readonly topic: string
  readonly message: KafkaMessage
  /** Records the commit in the store's view, once the transaction committed. */
  apply(): void
}

/** Every cursor in `topic`, read from its start to its current end (the last value per source wins). */
async function readCursors(
  transport: KafkaTransport,
  topic: string,
  timeoutMs: number,
): Promise<Map<string, CursorEntry>> {
  const entries = new Map<string, CursorEntry>()
  await transport.readTopic(
    topic,
    ({ key, value }) => {
      const id = key?.toString()
      if (!id) return
      if (value === null) entries.delete(id)
      else entries.set(id, JSON.parse(value.toString()) as CursorEntry)
    },
    { timeoutMs },
  )
  return entries
}

/** A {@link CursorStore} in a compacted Kafka topic. */
export class KafkaCursorStore implements CursorStore {
  readonly topic: string
  readonly #entries: Map<string, CursorEntry>
  readonly #transport: KafkaTransport
  readonly #readTimeoutMs: number

  private constructor(
    topic: string,
    entries: Map<string, CursorEntry>,
    transport: KafkaTransport,
    readTimeoutMs: number,
  ) {
    this.topic = topic
    this.#entries = entries
    this.#transport = transport
    this.#readTimeoutMs = readTimeoutMs
  }

  /** Creates the topic when missing (compacted), reads every cursor in it, and connects a producer. */
  static async open(config: FirefrontConfig, options: KafkaCursorStoreOptions = {}): Promise<KafkaCursorStore> {
    const topic = config.cursors.topic
    // Commits are rare and must not fail on a short hiccup: the client's patient retry.
    const transport =
      options.transport ?? (await openKafkaTransport({ kafka: config.kafka, clientIdSuffix: '-cursors', retries: 5 }))
    try {
      await transport.createTopics([topic], { partitions: 1, compacted: true })
      const entries = await readCursors(transport, topic, options.readTimeoutMs ?? 30_000)
      await transport.connect()
      return new KafkaCursorStore(topic, entries, transport, options.readTimeoutMs ?? 30_000)
    } catch (err) {
      await transport.disconnect()
      throw new FirefrontError(
        'ERR_SINK_UNAVAILABLE',
        `the cursor topic ${topic} cannot be read: ${transport.redactor.message(err)}`,
        { cause: err },
      )
    }
  }

  /**
   * Reads the topic again to its current end and takes the cursors of `sourceIds` from it (others
   * may have moved them on since this store opened); the other sources keep what this process has.
   */
  async refresh(sourceIds: readonly string[]): Promise<void> {
    if (sourceIds.length === 0) return
    const read = await readCursors(this.#transport, this.topic, this.#readTimeoutMs)
    for (const id of sourceIds) {
      const entry = read.get(id)
      if (entry) this.#entries.set(id, entry)
      else this.#entries.delete(id)
    }
  }

  get(sourceId: string): CursorEntry | undefined {
    return this.#entries.get(sourceId)
  }

  list(): Readonly<Record<string, CursorEntry>> {
    return Object.fromEntries(this.#entries)
  }

  async commit(sourceId: string, cursor: Cursor, records?: number): Promise<void> {
    const prepared = this.prepareCommit(sourceId, cursor, records)
    await this.#transport.send(this.topic, [prepared.message])
    prepared.apply()
  }

  /**
   * The message that commits `cursor` for `sourceId`, for a caller that writes it inside its own
   * Kafka transaction (`delivery: exactly_once`); `apply()` records it here once that committed.
   */
  prepareCommit(sourceId: string, cursor: Cursor, records?: number): PreparedCursorCommit {
    const previous = this.#entries.get(sourceId)
    const total = records !== undefined ? (previous?.records ?? 0) + records : previous?.records
    const entry: CursorEntry = {
      cursor,
      committedAt: new Date().toISOString(),
      ...(total !== undefined ? { records: total } : {}),
    }
    return {
      topic: this.topic,
      message: { key: sourceId, value: JSON.stringify(entry) },
      apply: () => {
        this.#entries.set(sourceId, entry)
      },
    }
  }

  async reset(sourceId: string, to?: Cursor): Promise<void> {
    if (to === undefined) {
      await this.#transport.send(this.topic, [{ key: sourceId, value: null }])
      this.#entries.delete(sourceId)
      return
    }
    const entry: CursorEntry = { cursor: to, committedAt: new Date().toISOString() }
    await this.#transport.send(this.topic, [{ key: sourceId, value: JSON.stringify(entry) }])
    this.#entries.set(sourceId, entry)
  }

  async close(): Promise<void> {
    await this.#transport.disconnect()
  }
}
