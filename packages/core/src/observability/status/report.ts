/**
 * The status report: what the status page shows and `firefront status` prints, built from
 * `getMetrics()`, health, readiness, the sampled history and the detection trail. Served as JSON
 * at `/api/status`.
 */
import type { JsonValue } from '@firefront/sdk'
import type { RuntimeMetrics } from '../../runtime/metrics'
import type { DetectionPoint } from './detections'
import { type HistorySample, streamErrors } from './history'

/** One source's line of the report. */
export interface StreamStatusLine {
  readonly source: string
  readonly plugin: string
  readonly mode: string
  readonly status: string
  readonly priority: string
  readonly fetched: number
  readonly sent: number
  readonly dead_lettered: number
  readonly spooled: number
  readonly dropped: number
  readonly rejected: number
  readonly errors: number
  /** Records per second over the last sample interval (in: fetched, out: acknowledged). */
  readonly in_per_second: number
  readonly out_per_second: number
  readonly last_success_at: string | null
  /** Seconds since the last success at the time of the report, or null before one. */
  readonly last_success_age_seconds: number | null
  readonly last_error: string | null
  readonly last_error_at: string | null
}

/** The whole report. */
export interface StatusReport {
  readonly version: string
  readonly node_version: string
  readonly generated_at: string
  readonly uptime_seconds: number
  readonly healthy: boolean
  readonly ready: boolean
  readonly state: string
  readonly sink: string
  readonly streams: readonly StreamStatusLine[]
  readonly queue: {
    readonly size: number
    readonly max_size: number
    readonly by_priority: Readonly<Record<string, number>>
    readonly oldest_age_seconds: number | null
  } | null
  readonly throttle: {
    readonly enabled: boolean
    readonly state: string
    readonly send_rate: number | null
    readonly consumer_lag: number | null
    readonly lag_by_group: Readonly<Record<string, number>>
    readonly target_lag: number | null
    readonly critical_lag: number | null
  } | null
  readonly producer: {
    readonly sent: number
    readonly failed: number
    readonly retries: number
    readonly dead_lettered: number
    readonly spooled: number
    readonly replayed: number
    readonly spool_batches: number
    readonly spool_bytes: number
    readonly connected: boolean | null
    readonly delivery_state: string | null
    readonly last_error: string | null
  } | null
  readonly history: {
    readonly interval_seconds: number
    readonly samples: readonly HistorySample[]
  }
  readonly detections: readonly DetectionPoint[]
}

/** What a report is built from. */
export interface StatusInputs {
  readonly version: string
  readonly metrics: RuntimeMetrics
  readonly healthy: boolean
  readonly readiness: { ready: boolean; state: string }
  readonly history: readonly HistorySample[]
  readonly intervalSeconds: number
  readonly detections: readonly DetectionPoint[]
  readonly now: number
}

const num = (v: JsonValue | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const numOrNull = (v: JsonValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null)

/** Builds the report. */
export function buildStatusReport(i: StatusInputs): StatusReport {
  const m = i.metrics
  const latest = i.history.at(-1)
  const bySource = new Map<string, StreamStatusLine>()
  for (const s of Object.values(m.streams)) {
    const before = bySource.get(s.source_id)
    const r = s.records
    const lastSuccess = s.api?.last_success_at ?? s.mode.lastSuccess ?? before?.last_success_at ?? null
    const rate = latest?.sources[s.source_id]
    bySource.set(s.source_id, {
      source: s.source_id,
      plugin: `connector:${s.connector}`,
      mode: s.mode.mode,
      status: s.status,
      priority: s.priority,
      // a restarted source: its streams' counts add up
      fetched: (before?.fetched ?? 0) + r.fetched,
      sent: (before?.sent ?? 0) + r.sent,
      dead_lettered: (before?.dead_lettered ?? 0) + r.dead_lettered,
      spooled: (before?.spooled ?? 0) + r.spooled,
      dropped: (before?.dropped ?? 0) + r.dropped,
      rejected: (before?.rejected ?? 0) + r.rejected,
      errors: (before?.errors ?? 0) + streamErrors(s),
      in_per_second: rate?.in_per_second ?? 0,
      out_per_second: rate?.out_per_second ?? 0,
      last_success_at: lastSuccess,
      last_success_age_seconds: lastSuccess ? Math.max(0, (i.now - Date.parse(lastSuccess)) / 1000) : null,
      last_error: s.last_error ?? s.api?.last_error ?? before?.last_error ?? null,
      last_error_at: s.last_error_at ?? s.api?.last_error_at ?? before?.last_error_at ?? null,
    })
  }
  const t = m.throttling
  const p = m.producer
  const lagByGroup: Record<string, number> = {}
  const groups = t?.lag_by_group
  if (groups && typeof groups === 'object' && !Array.isArray(groups)) {
    for (const [g, v] of Object.entries(groups)) lagByGroup[g] = num(v)
  }
  return {
    version: i.version,
    node_version: process.versions.node,
    generated_at: new Date(i.now).toISOString(),
    uptime_seconds: m.stream_manager.uptime_seconds,
    healthy: i.healthy,
    ready: i.readiness.ready,
    state: i.readiness.state,
    sink: m.stream_manager.sink,
    streams: [...bySource.values()],
    queue: m.queue
      ? {
          size: m.queue.size,
          max_size: m.queue.max_size,
          by_priority: { ...m.queue.size_by_priority },
          oldest_age_seconds: m.queue.oldest_age_seconds,
        }
      : null,
    throttle: t
      ? {
          enabled: t.enabled === true,
          state: str(t.current_state) ?? 'allow',
          send_rate: numOrNull(t.current_rate),
          consumer_lag: numOrNull(t.consumer_lag),
          lag_by_group: lagByGroup,
          target_lag: numOrNull(t.target_consumer_lag),
          critical_lag: numOrNull(t.critical_consumer_lag),
        }
      : null,
    producer: p
      ? {
          sent: num(p.total_sent),
          failed: num(p.total_failed),
          retries: num(p.total_retries),
          dead_lettered: num(p.dead_lettered) + num(p.dead_lettered_local),
          spooled: num(p.spooled),
          replayed: num(p.replayed),
          spool_batches: num(p.spool_entries),
          spool_bytes: num(p.spool_bytes),
          connected: typeof p.connected === 'boolean' ? p.connected : null,
          delivery_state: str(p.delivery_state),
          last_error: str(p.last_error),
        }
      : null,
    history: { interval_seconds: i.intervalSeconds, samples: i.history },
    detections: i.detections,
  }
}
