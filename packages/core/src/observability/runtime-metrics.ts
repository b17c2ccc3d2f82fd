/**
 * The runtime's Prometheus metrics, by Prometheus convention: counters end in `_total`, durations
 * are histograms in seconds, levels are gauges, and every metric has one meaning (no catch-all
 * label). Counters and gauges are read from `StreamManager.getMetrics()` (typed) at scrape time,
 * so `/metrics` and `getMetrics()` always agree; the histograms and the dropped-records counter
 * follow runtime events. {@link RUNTIME_METRICS} is the catalogue docs/metrics.md is checked against.
 */
import { createRequire } from 'node:module'
import type { JsonValue } from '@firefront/sdk'
import client from 'prom-client'
import { DROP_REASONS } from '../queue/drop-reasons'
import type { RuntimeEmitter } from '../runtime/events'
import type { RuntimeMetrics } from '../runtime/metrics'
import type { StreamMetrics, StreamStatus } from '../runtime/stream'

/** A Prometheus metric type. */
export type MetricType = 'counter' | 'gauge' | 'histogram'

/** One metric of the runtime: its name, type, help text and label names. */
export interface RuntimeMetricSpec {
  readonly name: string
  readonly type: MetricType
  readonly help: string
  readonly labels: readonly string[]
}

/** Samples a snapshot fill sets: `labels → value`. */
type Put = (labels: Record<string, string>, value: number) => void

interface SnapshotMetric extends RuntimeMetricSpec {
  readonly type: 'counter' | 'gauge'
  readonly fill: (put: Put, m: RuntimeMetrics) => void
}

interface EventMetric extends RuntimeMetricSpec {
  readonly type: 'counter' | 'histogram'
  readonly buckets?: readonly number[]
  readonly follow: (metric: client.Counter<string> | client.Histogram<string>, events: RuntimeEmitter) => void
}

const num = (v: JsonValue | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined
const seconds = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined
  const t = Date.parse(iso)
  return Number.isFinite(t) ? t / 1000 : undefined
}

const STATES: readonly StreamStatus[] = ['starting', 'running', 'stopping', 'stopped', 'failed']
const THROTTLE_STATES = ['allow', 'throttle_moderate', 'throttle_critical'] as const
const DELIVERY_STATES = ['delivering', 'retrying', 'spooling', 'replaying', 'paused'] as const

/** Labels of a stream: its source and its connector plugin's qualified id. */
const ofStream = (s: StreamMetrics) => ({ source: s.source_id, plugin: `connector:${s.connector}` })

/** A gauge of each push source's intake journal (the source's latest stream). */
const journalFigure = (name: string, key: 'pending' | 'bytes', help: string): SnapshotMetric => ({
  name,
  type: 'gauge',
  help,
  labels: ['source', 'plugin'],
  fill: (put, m) => {
    for (const s of latestBySource(m)) if (s.journal) put(ofStream(s), s.journal[key])
  },
})

/** The last stream of each source (a source restarted keeps one set of gauges). */
function latestBySource(m: RuntimeMetrics): StreamMetrics[] {
  const by = new Map<string, StreamMetrics>()
  for (const s of Object.values(m.streams)) by.set(s.source_id, s)
  return [...by.values()]
}

/** A per-stream record counter (summed over a source's streams). */
const streamCount = (name: string, key: keyof StreamMetrics['records'], help: string): SnapshotMetric => ({
  name,
  type: 'counter',
  help,
  labels: ['source', 'plugin'],
  fill: (put, m) => {
    for (const s of Object.values(m.streams)) put(ofStream(s), s.records[key])
  },
})

/** One unlabelled figure of the snapshot; nothing is put while `pick` gives none (the part is absent). */
const single = (
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  pick: (m: RuntimeMetrics) => number | null | undefined,
): SnapshotMetric => ({
  name,
  type,
  help,
  labels: [],
  fill: (put, m) => {
    const v = pick(m)
    if (v !== undefined && v !== null) put({}, v)
  },
})

/** A figure of each source's ingestion mode: counters over every stream, gauges from the latest per source. */
const modeFigure = (
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  pick: (mode: StreamMetrics['mode']) => number,
): SnapshotMetric => ({
  name,
  type,
  help,
  labels: ['source', 'mode'],
  fill: (put, m) => {
    for (const s of type === 'gauge' ? latestBySource(m) : Object.values(m.streams)) {
      put({ source: s.source_id, mode: s.mode.mode }, pick(s.mode))
    }
  },
})

/** A figure of the sink (`producer` in `getMetrics()`), when the sink reports it. */
const producer = (name: string, type: 'counter' | 'gauge', key: string, help: string): SnapshotMetric => ({
  name,
  type,
  help,
  labels: [],
  fill: (put, m) => {
    const v = m.producer?.[key]
    const n = typeof v === 'boolean' ? Number(v) : num(v)
    if (n !== undefined) put({}, n)
  },
})

/** A figure of each pull source's API client. */
const api = (
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  value: (a: NonNullable<StreamMetrics['api']>) => number,
): SnapshotMetric => ({
  name,
  type,
  help,
  labels: ['source'],
  fill: (put, m) => {
    for (const s of Object.values(m.streams)) if (s.api) put({ source: s.source_id }, value(s.api))
  },
})

const throttleFigure = (name: string, key: string, help: string): SnapshotMetric => ({
  name,
  type: 'gauge',
  help,
  labels: [],
  fill: (put, m) => {
    const n = num(m.throttling?.[key])
    if (n !== undefined) put({}, n)
  },
})

const SNAPSHOT: readonly SnapshotMetric[] = [
  // streams
  {
    name: 'firefront_streams_active',
    type: 'gauge',
    help: 'Streams running now (the seed’s active_streams).',
    labels: [],
    fill: (put, m) => put({}, m.stream_manager.active_streams),
  },
  {
    name: 'firefront_streams_started_total',
    type: 'counter',
    help: 'Streams started since the process started.',
    labels: [],
    fill: (put, m) => put({}, m.stream_manager.total_streams_started),
  },
  {
    name: 'firefront_stream_state',
    type: 'gauge',
    help: 'The state of each source’s stream: 1 for its current state, 0 for the others.',
    labels: ['source', 'plugin', 'state'],
    fill: (put, m) => {
      for (const s of latestBySource(m))
        for (const state of STATES) put({ ...ofStream(s), state }, Number(s.status === state))
    },
  },
  {
    name: 'firefront_stream_start_time_seconds',
    type: 'gauge',
    help: 'When each source’s stream started (Unix time).',
    labels: ['source', 'plugin'],
    fill: (put, m) => {
      for (const s of latestBySource(m)) {
        const t = seconds(s.started_at)
        if (t !== undefined) put(ofStream(s), t)
      }
    },
  },
  {
    name: 'firefront_stream_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'When each source last fetched successfully (Unix time); absent before its first success.',
    labels: ['source', 'plugin'],
    fill: (put, m) => {
      for (const s of latestBySource(m)) {
        const t = seconds(s.api?.last_success_at ?? s.mode.lastSuccess)
        if (t !== undefined) put(ofStream(s), t)
      }
    },
  },
  {
    name: 'firefront_stream_pending_checkpoints',
    type: 'gauge',
    help: 'Polls of each source whose records are not all accounted for yet (its cursor waits for them).',
    labels: ['source', 'plugin'],
    fill: (put, m) => {
      for (const s of latestBySource(m)) put(ofStream(s), s.pending_checkpoints)
    },
  },
  journalFigure(
    'firefront_journal_pending_records',
    'pending',
    "Entries of each push source's intake journal not settled yet: acknowledged upstream, not yet delivered, dead-lettered, spooled or dropped.",
  ),
  journalFigure('firefront_journal_bytes', 'bytes', "Size of each push source's intake journal file."),
  // records of each source
  streamCount('firefront_records_fetched_total', 'fetched', 'Records the connector of each source returned.'),
  streamCount(
    'firefront_records_journal_replayed_total',
    'replayed',
    'Records and dead letters of each push source sent again from its intake journal at start (a run before ended without delivering them).',
  ),
  {
    name: 'firefront_records_enqueued_total',
    type: 'counter',
    help: 'Records of each source accepted by the queue, by the priority they were queued with.',
    labels: ['source', 'plugin', 'priority'],
    fill: (put, m) => {
      for (const s of Object.values(m.streams)) put({ ...ofStream(s), priority: s.priority }, s.records.enqueued)
    },
  },
  streamCount('firefront_records_sent_total', 'sent', 'Records of each source the sink acknowledged.'),
  streamCount(
    'firefront_records_dead_lettered_total',
    'dead_lettered',
    'Records of each source written to the dead-letter topic (or file).',
  ),
  streamCount('firefront_records_spooled_total', 'spooled', 'Records of each source written to the disk spool.'),
  streamCount(
    'firefront_records_rejected_total',
    'rejected',
    'Inputs the connector of each source rejected as invalid (dead-lettered once each).',
  ),
  {
    name: 'firefront_records_skipped_total',
    type: 'counter',
    help: 'Inputs the connector of each source left out on purpose (ctx.skip), by its reason: redelivered duplicates, message kinds configured to be skipped.',
    labels: ['source', 'plugin', 'reason'],
    fill: (put, m) => {
      for (const s of Object.values(m.streams)) {
        for (const [reason, n] of Object.entries(s.skipped_by_reason)) put({ ...ofStream(s), reason }, n)
      }
    },
  },
  streamCount(
    'firefront_records_failed_total',
    'failed',
    'Records of each source the sink reported failed and nothing else accounted for.',
  ),
  streamCount('firefront_polls_failed_total', 'polls_failed', 'Polls of each source that failed (after retries).'),
  streamCount('firefront_cursor_commits_total', 'cursor_commits', 'Cursor commits of each source.'),
  {
    name: 'firefront_records_delivered_total',
    type: 'counter',
    help: 'Records the sink acknowledged, by topic.',
    labels: ['topic'],
    fill: (put, m) => {
      for (const [topic, n] of Object.entries(m.stream_manager.delivered_by_topic)) put({ topic }, n)
    },
  },
  {
    name: 'firefront_topic_resolved_records_total',
    type: 'counter',
    help: 'Records the topic resolver chain routed to each topic (the seed’s topic usage).',
    labels: ['topic'],
    fill: (put, m) => {
      for (const [topic, n] of Object.entries(m.topic_resolver?.topic_usage ?? {})) put({ topic }, n)
    },
  },
  // ingestion modes
  modeFigure(
    'firefront_mode_cycles_total',
    'counter',
    'Cycles (polls or buffer flushes) each source’s ingestion mode ran.',
    (mode) => mode.cycles,
  ),
  modeFigure(
    'firefront_mode_records_processed_total',
    'counter',
    'Records each source’s ingestion mode handed on (the seed’s records processed).',
    (mode) => mode.recordsProcessed,
  ),
  modeFigure(
    'firefront_mode_errors_total',
    'counter',
    'Errors each source’s ingestion mode met (the seed’s mode errors).',
    (mode) => mode.errors,
  ),
  modeFigure(
    'firefront_mode_runtime_seconds',
    'gauge',
    'How long each source’s ingestion mode has run (the seed’s runtime).',
    (mode) => mode.runtimeSeconds,
  ),
  // API client of each pull source
  {
    name: 'firefront_api_calls_total',
    type: 'counter',
    help: 'Connector calls of each pull source by outcome (success, failure, timeout, aborted); cache hits are not calls.',
    labels: ['source', 'outcome'],
    fill: (put, m) => {
      for (const s of Object.values(m.streams)) {
        const a = s.api
        if (!a) continue
        put({ source: s.source_id, outcome: 'success' }, a.successful_calls)
        put({ source: s.source_id, outcome: 'failure' }, a.failed_calls - a.timeouts)
        put({ source: s.source_id, outcome: 'timeout' }, a.timeouts)
        put({ source: s.source_id, outcome: 'aborted' }, a.aborted_calls)
      }
    },
  },
  api(
    'firefront_api_cache_hits_total',
    'counter',
    'Polls of each source answered from the cache.',
    (a) => a.cache_hits,
  ),
  api(
    'firefront_api_cache_misses_total',
    'counter',
    'Polls of each source the cache could not answer.',
    (a) => a.cache_misses,
  ),
  api(
    'firefront_api_rate_limit_waits_total',
    'counter',
    'Calls of each source that waited for its rate limit.',
    (a) => a.rate_limit_waits,
  ),
  api(
    'firefront_api_rate_limit_wait_seconds_total',
    'counter',
    'Time calls of each source waited for its rate limit.',
    (a) => a.rate_limit_wait_seconds_total,
  ),
  api(
    'firefront_api_rate_limit_tokens',
    'gauge',
    'Calls each source may make now without waiting.',
    (a) => a.tokens_available,
  ),
  api('firefront_api_cache_entries', 'gauge', 'Results each source’s cache holds.', (a) => a.cache_size),
  // queue
  {
    name: 'firefront_queue_records',
    type: 'gauge',
    help: 'Records queued now, by priority (the seed’s queue size).',
    labels: ['priority'],
    fill: (put, m) => {
      for (const [priority, n] of Object.entries(m.queue?.size_by_priority ?? {})) put({ priority }, n)
    },
  },
  single(
    'firefront_queue_capacity_records',
    'gauge',
    'The most records the queue holds (queue_max_size).',
    (m) => m.queue?.max_size,
  ),
  single(
    'firefront_queue_utilization_ratio',
    'gauge',
    'Queued records over capacity, 0 to 1 (the seed’s utilization).',
    (m) => m.queue?.utilization,
  ),
  single('firefront_queue_full', 'gauge', '1 while the queue is full.', (m) =>
    m.queue ? Number(m.queue.is_full) : undefined,
  ),
  single(
    'firefront_queue_oldest_record_age_seconds',
    'gauge',
    'Age of the oldest queued record; 0 when the queue is empty.',
    (m) => (m.queue ? (m.queue.oldest_age_seconds ?? 0) : undefined),
  ),
  single(
    'firefront_queue_blocked_enqueuers',
    'gauge',
    'Enqueues waiting for room now (queue_overflow_strategy block).',
    (m) => m.queue?.blocked_enqueuers,
  ),
  single('firefront_queue_enqueued_total', 'counter', 'Records the queue accepted.', (m) => m.queue?.total_enqueued),
  single(
    'firefront_queue_dequeued_total',
    'counter',
    'Records taken from the queue for the sink.',
    (m) => m.queue?.total_dequeued,
  ),
  // queue consumer
  single(
    'firefront_records_in_flight',
    'gauge',
    'Records taken from the queue and not yet accounted for by the sink.',
    (m) => m.consumer?.in_flight,
  ),
  single(
    'firefront_consumer_batches_total',
    'counter',
    'Batches the queue consumer handed to the sink.',
    (m) => m.consumer?.batches,
  ),
  single(
    'firefront_consumer_send_failures_total',
    'counter',
    'Batches the sink could not account for (retried by the consumer).',
    (m) => m.consumer?.send_failures,
  ),
  single(
    'firefront_records_abandoned_total',
    'counter',
    'Records left unsent at the shutdown deadline (fetched again at the next start).',
    (m) => m.consumer?.abandoned,
  ),
  // throttling
  single(
    'firefront_throttle_waits_total',
    'counter',
    'Batches the throttle policy delayed.',
    (m) => m.consumer?.throttle_waits,
  ),
  single(
    'firefront_throttle_wait_seconds_total',
    'counter',
    'Time batches waited for the throttle policy.',
    (m) => m.consumer?.throttle_wait_seconds,
  ),
  {
    name: 'firefront_throttle_state',
    type: 'gauge',
    help: 'The throttle state: 1 for the current one (allow, throttle_moderate, throttle_critical), 0 for the others.',
    labels: ['state'],
    fill: (put, m) => {
      const current = m.throttling?.current_state
      if (typeof current !== 'string') return
      for (const state of THROTTLE_STATES) put({ state }, Number(current === state))
    },
  },
  single(
    'firefront_throttle_enabled',
    'gauge',
    '1 when the send rate follows consumer lag (throttling.enabled).',
    (m) => (m.throttling ? Number(m.throttling.enabled === true) : undefined),
  ),
  throttleFigure(
    'firefront_throttle_send_rate_records_per_second',
    'current_rate',
    'The send rate the throttle policy allows now.',
  ),
  throttleFigure(
    'firefront_throttle_backoff_level',
    'backoff_level',
    'The throttle policy’s backoff level (0: none; grows while lag stays critical).',
  ),
  {
    name: 'firefront_throttle_adjustments_total',
    type: 'counter',
    help: 'Changes of the send rate made by the throttle policy (the seed’s rate adjustments).',
    labels: [],
    fill: (put, m) => {
      const n = num(m.throttling?.rate_adjustments)
      if (n !== undefined) put({}, n)
    },
  },
  {
    name: 'firefront_consumer_lag_messages',
    type: 'gauge',
    help: 'Consumer lag of each watched consumer group (high watermark minus committed offset, summed over partitions).',
    labels: ['group'],
    fill: (put, m) => {
      const by = m.throttling?.lag_by_group
      if (!by || typeof by !== 'object' || Array.isArray(by)) return
      for (const [group, v] of Object.entries(by)) {
        const n = num(v)
        if (n !== undefined) put({ group }, n)
      }
    },
  },
  throttleFigure(
    'firefront_consumer_lag_target_messages',
    'target_consumer_lag',
    'throttling.target_consumer_lag: above it the send rate is reduced.',
  ),
  throttleFigure(
    'firefront_consumer_lag_critical_messages',
    'critical_consumer_lag',
    'throttling.critical_consumer_lag: above it the policy backs off.',
  ),
  // the sink (the seed's producer)
  producer(
    'firefront_producer_records_sent_total',
    'counter',
    'total_sent',
    'Records the sink acknowledged (the seed’s total_sent).',
  ),
  producer(
    'firefront_producer_records_failed_total',
    'counter',
    'total_failed',
    'Records whose send failed after its retries (the seed’s total_failed).',
  ),
  producer(
    'firefront_producer_retries_total',
    'counter',
    'total_retries',
    'Retried produce requests (the seed’s total_retries).',
  ),
  producer(
    'firefront_producer_records_dead_lettered_total',
    'counter',
    'dead_lettered',
    'Records the sink wrote to the dead-letter topic.',
  ),
  producer(
    'firefront_producer_records_spooled_total',
    'counter',
    'spooled',
    'Records the sink wrote to the disk spool.',
  ),
  producer(
    'firefront_producer_records_replayed_total',
    'counter',
    'replayed',
    'Records the sink sent from the disk spool.',
  ),
  producer('firefront_producer_batches_total', 'counter', 'batches', 'Batches the sink sent.'),
  producer('firefront_producer_bytes_total', 'counter', 'bytes', 'Bytes of records the sink acknowledged.'),
  producer('firefront_producer_pauses_total', 'counter', 'pauses', 'Pauses caused by the failure-rate threshold.'),
  producer('firefront_producer_connected', 'gauge', 'connected', '1 while the sink reaches Kafka.'),
  producer('firefront_producer_paused', 'gauge', 'paused', '1 while sending is paused by the failure-rate threshold.'),
  producer('firefront_spool_batches', 'gauge', 'spool_entries', 'Batches waiting in the disk spool.'),
  producer('firefront_spool_bytes', 'gauge', 'spool_bytes', 'Bytes in the disk spool.'),
  {
    name: 'firefront_delivery_state',
    type: 'gauge',
    help: 'The Kafka delivery state: 1 for the current one (delivering, retrying, spooling, replaying, paused).',
    labels: ['state'],
    fill: (put, m) => {
      const current = m.producer?.delivery_state
      if (typeof current !== 'string') return
      for (const state of DELIVERY_STATES) put({ state }, Number(current === state))
    },
  },
  // the process
  {
    name: 'firefront_uptime_seconds',
    type: 'gauge',
    help: 'Time since the stream manager started (0 while it is not running).',
    labels: [],
    fill: (put, m) => put({}, m.stream_manager.uptime_seconds),
  },
  {
    name: 'firefront_running',
    type: 'gauge',
    help: '1 while the stream manager runs (started and not stopping).',
    labels: [],
    fill: (put, m) => put({}, Number(m.stream_manager.running)),
  },
]

/** Buckets for connector calls: 10 ms to 2 min. */
const POLL_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
/** Buckets for sends and end-to-end latency: 1 ms to 1 min. */
const SEND_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

const EVENTS: readonly EventMetric[] = [
  {
    name: 'firefront_records_dropped_total',
    type: 'counter',
    help: `Records dropped without reaching the sink, by source and reason (${DROP_REASONS.join(', ')}).`,
    labels: ['source', 'reason'],
    follow: (metric, events) => {
      events.on('record:dropped', (d) =>
        (metric as client.Counter<string>).inc({ source: d.sourceId, reason: d.reason }, d.count),
      )
    },
  },
  {
    name: 'firefront_poll_duration_seconds',
    type: 'histogram',
    help: 'Duration of each connector call of a pull source, by outcome (success, failure, timeout).',
    labels: ['source', 'outcome'],
    buckets: POLL_BUCKETS,
    follow: (metric, events) => {
      events.on('poll:ended', (d) =>
        (metric as client.Histogram<string>).observe({ source: d.sourceId, outcome: d.outcome }, d.durationMs / 1000),
      )
    },
  },
  {
    name: 'firefront_batch_send_duration_seconds',
    type: 'histogram',
    help: 'Time from handing a batch to the sink until it was accounted for (acknowledged, dead-lettered or spooled).',
    labels: ['source', 'topic'],
    buckets: SEND_BUCKETS,
    follow: (metric, events) => {
      events.on('batch:sent', (d) =>
        (metric as client.Histogram<string>).observe({ source: d.sourceId, topic: d.topic }, d.latencyMs / 1000),
      )
    },
  },
  {
    name: 'firefront_record_latency_seconds',
    type: 'histogram',
    help: 'Time from a record’s enqueue until the sink accounted for it, per record.',
    labels: ['source'],
    buckets: SEND_BUCKETS,
    follow: (metric, events) => {
      events.on('batch:sent', (d) => {
        if (!d.enqueuedAt || d.enqueuedAt.length === 0) return
        const now = d.settledAt ?? Date.now()
        const bound = (metric as client.Histogram<string>).labels({ source: d.sourceId })
        for (const at of d.enqueuedAt) bound.observe(Math.max(0, now - at) / 1000)
      })
    },
  },
]

const STATIC: readonly RuntimeMetricSpec[] = [
  {
    name: 'firefront_build_info',
    type: 'gauge',
    help: 'Always 1; the labels say which Firefront and Node.js run.',
    labels: ['version', 'nodejs_version'],
  },
]

/** Every runtime metric (Node.js process metrics and plugin metrics aside), for docs and tests. */
export const RUNTIME_METRICS: readonly RuntimeMetricSpec[] = [...SNAPSHOT, ...EVENTS, ...STATIC].map(
  ({ name, type, help, labels }) => ({ name, type, help, labels }),
)

/** The version of `@firefront/core` that runs (read from its package.json, built or from source). */
export function coreVersion(): string {
  const require = createRequire(import.meta.url)
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string }
      if (pkg.name === '@firefront/core' && pkg.version) return pkg.version
    } catch {
      // not at this depth (dist/ is one level down, src/observability two)
    }
  }
  return '0.0.0'
}

/** What {@link registerRuntimeMetrics} reads. */
export interface RuntimeMetricsSource {
  getMetrics(): Promise<RuntimeMetrics>
  readonly events: RuntimeEmitter
}

/**
 * Registers the runtime's metrics and Node.js's default process metrics (`process_*`,
 * `nodejs_*`) in `registry`: snapshot metrics read `getMetrics()` once per scrape; the
 * dropped-records counter and the histograms count from now on.
 */
export function registerRuntimeMetrics(registry: client.Registry, source: RuntimeMetricsSource): void {
  if (registry.getSingleMetric('firefront_running')) return
  let cached: Promise<RuntimeMetrics> | undefined
  // One getMetrics() per scrape, shared by every metric.
  const snapshot = (): Promise<RuntimeMetrics> => {
    cached ??= source.getMetrics().finally(() => setTimeout(() => (cached = undefined), 50))
    return cached
  }
  for (const spec of SNAPSHOT) {
    const options = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] }
    if (spec.type === 'counter') {
      new client.Counter({
        ...options,
        async collect() {
          const m = await snapshot()
          this.reset()
          spec.fill((labels, v) => this.inc(labels, Math.max(0, v)), m)
        },
      })
    } else {
      new client.Gauge({
        ...options,
        async collect() {
          const m = await snapshot()
          this.reset()
          spec.fill((labels, v) => this.set(labels, v), m)
        },
      })
    }
  }
  for (const spec of EVENTS) {
    const options = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] }
    const metric =
      spec.type === 'counter'
        ? new client.Counter(options)
        : new client.Histogram({ ...options, buckets: [...(spec.buckets ?? SEND_BUCKETS)] })
    spec.follow(metric, source.events)
  }
  new client.Gauge({
    name: 'firefront_build_info',
    help: STATIC[0]!.help,
    labelNames: ['version', 'nodejs_version'],
    registers: [registry],
  }).set({ version: coreVersion(), nodejs_version: process.versions.node }, 1)
  client.collectDefaultMetrics({ register: registry })
  // gauges named like counters (promtool refuses them); each is the sum of its labelled sibling
  // without `_total` (nodejs_active_handles{type} ...), so nothing is lost
  for (const name of NOT_COUNTERS) registry.removeSingleMetric(name)
}

/** prom-client default metrics that are gauges with a `_total` suffix. */
const NOT_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']
