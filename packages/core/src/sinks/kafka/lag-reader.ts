/**
 * Reads real consumer lag from Kafka (for the consumer-lag throttle policy): for each watched consumer group, the high watermark of each
 * partition of the topics it consumes minus the group's committed offset (a partition without a
 * commit counts from its low watermark). kafkajs is used behind this small interface.
 */
import { Kafka, logLevel } from 'kafkajs'

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
  readonly clientId?: string
  /** kafkajs options for TLS and SASL, as the sink builds them. */
  readonly ssl?: unknown
  readonly sasl?: unknown
  readonly requestTimeoutMs?: number
}

/** A {@link LagReader} over the kafkajs admin client. */
export function createKafkaLagReader(options: KafkaLagReaderOptions): LagReader {
  const kafka = new Kafka({
    clientId: options.clientId ?? 'firefront-lag',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    retry: { retries: 1 },
    ...(options.ssl ? { ssl: options.ssl as never } : {}),
    ...(options.sasl ? { sasl: options.sasl as never } : {}),
  })
  const admin = kafka.admin()
  let connected: Promise<void> | undefined
  return {
    async read() {
      connected ??= admin.connect()
      await connected
      const byGroup: Record<string, number> = {}
      for (const groupId of options.groups) {
        const committed = await admin.fetchOffsets({ groupId })
        let lag = 0
        for (const { topic, partitions } of committed) {
          const ends = await admin.fetchTopicOffsets(topic)
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
      if (connected) await admin.disconnect().catch(() => {})
    },
  }
}
