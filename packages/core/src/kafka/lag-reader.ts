/**
 * Reads real consumer lag (for the consumer-lag throttle policy): for each watched consumer group,
 * the high watermark of each partition of the topics it consumes minus the group's committed
 * offset (a partition without a commit counts from its low watermark), through a
 * {@link KafkaTransport}.
 */
import type { KafkaConfig } from '../config/schema'
import { openKafkaTransport } from './open-transport'
import type { AdminTransport, KafkaTransport } from './transport'

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
  /** A transport instead of opening one (tests); it is not closed by {@link LagReader.close}. */
  readonly transport?: Pick<AdminTransport, 'readLag'>
}

/** The lag of `groups` as a {@link LagSnapshot}, read through `transport`. */
export async function readLagSnapshot(
  transport: Pick<AdminTransport, 'readLag'>,
  groups: readonly string[],
  now: () => number = Date.now,
): Promise<LagSnapshot> {
  const byGroup = await transport.readLag(groups)
  const values = Object.values(byGroup)
  return { maxLag: values.length ? Math.max(...values) : 0, byGroup, at: now() }
}

/** A {@link LagReader} over a {@link KafkaTransport}, opened on the first read. */
export function createKafkaLagReader(options: KafkaLagReaderOptions): LagReader {
  let opened: Promise<KafkaTransport> | undefined
  const transport = async (): Promise<Pick<AdminTransport, 'readLag'>> => {
    if (options.transport) return options.transport
    opened ??= openKafkaTransport({
      brokers: options.brokers,
      clientIdSuffix: '-lag',
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      ...(options.kafka ? { kafka: options.kafka } : {}),
    })
    return opened
  }
  return {
    read: async () => readLagSnapshot(await transport(), options.groups),
    async close() {
      const t = await opened?.catch(() => undefined)
      await t?.disconnect()
    },
  }
}
