/**
 * The typed shape of `StreamManager.getMetrics()` (the seed's: `stream_manager`, `queue`,
 * `producer`, `throttling`, `topic_resolver`, per-stream `mode` and `api`). The CLI and the
 * Prometheus exporter read this type; nothing re-parses JSON.
 */
import type { JsonValue } from '@firefront/sdk'
import type { QueueMetrics } from '../queue/priority-queue'
import type { ClusterMetrics } from './cluster/coordinator'
import type { ConsumerMetrics } from './queue-consumer'
import type { StreamMetrics } from './stream'
import type { TopicChainMetrics } from './topic-chain'

/** The manager's own figures. */
export interface ManagerMetrics {
  readonly running: boolean
  readonly active_streams: number
  readonly total_streams: number
  readonly total_streams_started: number
  readonly uptime_seconds: number
  /** Records dropped, by reason (every drop the runtime made). */
  readonly dropped_by_reason: Readonly<Record<string, number>>
  /** Records the sink acknowledged as delivered in this process, per topic. */
  readonly delivered_by_topic: Readonly<Record<string, number>>
  /** The sink plugin's name. */
  readonly sink: string
}

/** Everything `getMetrics()` reports. Parts not started yet are `null`. */
export interface RuntimeMetrics {
  readonly stream_manager: ManagerMetrics
  readonly queue: QueueMetrics | null
  readonly consumer: ConsumerMetrics | null
  /** The sink's own figures (`total_sent`, `total_failed`, `spooled`, `replayed`...). */
  readonly producer: Readonly<Record<string, JsonValue>> | null
  readonly throttling: Readonly<Record<string, JsonValue>> | null
  readonly topic_resolver: TopicChainMetrics | null
  /** With `cluster:`: this worker's id, the generation, its sources and the group's members; else null. */
  readonly cluster: ClusterMetrics | null
  readonly streams: Readonly<Record<string, StreamMetrics>>
}

/** Record totals across streams. */
export interface RecordTotals {
  fetched: number
  sent: number
  deadLettered: number
  spooled: number
  dropped: number
  rejected: number
  failed: number
}

/** Sums every stream's record accounting. */
export function recordTotals(metrics: RuntimeMetrics): RecordTotals {
  const t: RecordTotals = { fetched: 0, sent: 0, deadLettered: 0, spooled: 0, dropped: 0, rejected: 0, failed: 0 }
  for (const s of Object.values(metrics.streams)) {
    const r = s.records
    t.fetched += r.fetched
    t.sent += r.sent
    t.deadLettered += r.dead_lettered
    t.spooled += r.spooled
    t.dropped += r.dropped
    t.rejected += r.rejected
    t.failed += r.failed
  }
  return t
}
