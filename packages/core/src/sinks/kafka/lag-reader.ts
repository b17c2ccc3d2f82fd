/**
 * Reads real consumer lag from Kafka (for the consumer-lag throttle policy): for each watched consumer group, the high watermark of each
 * partition of the topics it consumes minus the group's committed offset (a partition without a
 * commit counts from its low watermark). kafkajs is used behind this small interface.
 */
import { type Admin, Kafka, logLevel } from 'kafkajs'
import type { KafkaConfig } from '../../config/schema'
import { kafkajsClientConfig } from './client-options'

/** Lag of the watched groups. */
export interface LagSnapshot {
  /** The largest total lag among the groups (the slowest consumer decides). */
  readonly maxLag: number
  /** Total lag per group. */
  readonly byGroup: Readonly<Record<string, number>>
  readonly at: number
}

/** Something that can tell the current lag. */
export interface LagReader {
  read(): Promise<LagSnapshot>
  close(): Promise<void>
}

/** Options of {@link createKafkaLagReader}. */
export interface KafkaLagReaderOptions {
  readonly brokers: readonly string[]
  readonly groups: readonly string[]
  /**
   * The config's `kafka:` block: its TLS and SASL settings (and client id) are used the same way
   * the sink uses them. Without it, a plain connection to `brokers`.
   */
  readonly kafka?: KafkaConfig
  readonly requestTimeoutMs?: number
}

/** A {@link LagReader} over the kafkajs admin client. */
export function createKafkaLagReader(options: KafkaLagReaderOptions): LagReader {
  let admin: Admin | undefined
  let connected: Promise<void> | undefined
  const connect = async (): Promise<Admin> => {
    const base = options.kafka
      ? (await kafkajsClientConfig(options.kafka, { clientIdSuffix: '-lag' })).kafkajs
      : { clientId: 'firefront-lag', logLevel: logLevel.NOTHING }
    const client = new Kafka({
      ...base,
      brokers: [...options.brokers],
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      retry: { retries: 1 },
    })
    const a = client.admin()
    await a.connect()
    admin = a
    return a
  }
  return {
    async read() {
      connected ??= connect().then(() => undefined)
      await connected
      const a = admin!
      const byGroup: Record<string, number> = {}
      for (const groupId of options.groups) {
        const committed = await a.fetchOffsets({ groupId })
        let lag = 0
        for (const { topic, partitions } of committed) {
          const ends = await a.fetchTopicOffsets(topic)
          for (const end of ends) {
            const high = Number(end.high)
            const low = Number(end.low)
            const c = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
            lag += Math.max(0, high - (c >= 0 ? c : low))
          }
        }
        byGroup[groupId] = lag
      }
      const values = Object.values(byGroup)
      return { maxLag: values.length ? Math.max(...values) : 0, byGroup, at: Date.now() }
    },
    async close() {
      if (connected) await connected.catch(() => {})
      await admin?.disconnect().catch(() => {})
    },
  }
}
