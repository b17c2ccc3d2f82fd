/**
 * Prometheus metrics of the runtime, read from `StreamManager.getMetrics()` (typed) at scrape
 * time, so `/metrics` and `getMetrics()` always agree.
 */
import type { JsonValue } from '@firefront/sdk'
import client from 'prom-client'
import type { RuntimeMetrics } from '../runtime/metrics'

const num = (v: JsonValue | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined

/** Numeric fields of a figures object (strings, nulls and nested objects are not samples). */
function numericEntries(figures: object | null | undefined): Array<[string, number]> {
  const out: Array<[string, number]> = []
  for (const [k, v] of Object.entries(figures ?? {})) {
    const n = num(v as JsonValue)
    if (n !== undefined) out.push([k, n])
  }
  return out
}

/** Registers the runtime's gauges in `registry`, reading from `read()` on every scrape. */
export function registerRuntimeMetrics(registry: client.Registry, read: () => Promise<RuntimeMetrics>): void {
  let cached: Promise<RuntimeMetrics> | undefined
  // One getMetrics() per scrape, shared by every gauge.
  const snapshot = (): Promise<RuntimeMetrics> => {
    cached ??= read().finally(() => setTimeout(() => (cached = undefined), 50))
    return cached
  }
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (g: client.Gauge, m: RuntimeMetrics) => void,
  ) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset()
        fill(this, await snapshot())
      },
    })

  gauge(
    'firefront_records_total',
    'records of each stream by outcome (fetched, enqueued, sent, dead_lettered, spooled, dropped, rejected, failed)',
    ['source', 'outcome'],
    (g, m) => {
      for (const stream of Object.values(m.streams)) {
        for (const [outcome, n] of numericEntries(stream.records)) g.set({ source: stream.source_id, outcome }, n)
      }
    },
  )
  gauge('firefront_stream_up', '1 when the stream runs', ['source', 'status'], (g, m) => {
    for (const stream of Object.values(m.streams)) {
      g.set({ source: stream.source_id, status: stream.status }, stream.status === 'running' ? 1 : 0)
    }
  })
  gauge('firefront_api_calls', 'API client figures of each pull source', ['source', 'figure'], (g, m) => {
    for (const stream of Object.values(m.streams)) {
      for (const [figure, n] of numericEntries(stream.api)) g.set({ source: stream.source_id, figure }, n)
    }
  })
  gauge('firefront_queue', 'queue figures (size, utilization, totals)', ['figure'], (g, m) => {
    for (const [figure, n] of numericEntries(m.queue)) g.set({ figure }, n)
  })
  gauge('firefront_queue_size_by_priority', 'records queued per priority level', ['priority'], (g, m) => {
    for (const [priority, n] of numericEntries(m.queue?.size_by_priority)) g.set({ priority }, n)
  })
  gauge('firefront_producer', 'sink figures (total_sent, total_failed, total_retries, ...)', ['figure'], (g, m) => {
    for (const [figure, n] of numericEntries(m.producer)) g.set({ figure }, n)
  })
  gauge('firefront_throttling', 'throttle policy figures (current rate, lag, ...)', ['figure'], (g, m) => {
    for (const [figure, n] of numericEntries(m.throttling)) g.set({ figure }, n)
  })
  gauge('firefront_topic_records', 'records resolved to each topic', ['topic'], (g, m) => {
    for (const [topic, n] of numericEntries(m.topic_resolver?.topic_usage)) g.set({ topic }, n)
  })
  gauge('firefront_dropped_records', 'records dropped by the runtime, by reason', ['reason'], (g, m) => {
    for (const [reason, n] of numericEntries(m.stream_manager.dropped_by_reason)) g.set({ reason }, n)
  })
}
