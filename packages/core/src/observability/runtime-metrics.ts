/**
 * Prometheus metrics of the runtime, read from `StreamManager.getMetrics()` at scrape time, so
 * `/metrics` and `getMetrics()` always agree.
 */
import type { JsonValue } from '@firefront/sdk'
import client from 'prom-client'

type Obj = Record<string, JsonValue>
const obj = (v: JsonValue | undefined): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const num = (v: JsonValue | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined

/** Registers the runtime's gauges in `registry`, reading from `read()` on every scrape. */
export function registerRuntimeMetrics(registry: client.Registry, read: () => Promise<Obj>): void {
  let cached: Promise<Obj> | undefined
  // One getMetrics() per scrape, shared by every gauge.
  const snapshot = (): Promise<Obj> => {
    cached ??= read().finally(() => setTimeout(() => (cached = undefined), 50))
    return cached
  }
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: client.Gauge, m: Obj) => void) =>
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
      for (const s of Object.values(obj(m.streams))) {
        const stream = obj(s)
        for (const [outcome, v] of Object.entries(obj(stream.records))) {
          const n = num(v)
          if (n !== undefined) g.set({ source: String(stream.source_id), outcome }, n)
        }
      }
    },
  )
  gauge('firefront_stream_up', '1 when the stream runs', ['source', 'status'], (g, m) => {
    for (const s of Object.values(obj(m.streams))) {
      const stream = obj(s)
      g.set({ source: String(stream.source_id), status: String(stream.status) }, stream.status === 'running' ? 1 : 0)
    }
  })
  gauge('firefront_api_calls', 'API client figures of each pull source', ['source', 'figure'], (g, m) => {
    for (const s of Object.values(obj(m.streams))) {
      const stream = obj(s)
      for (const [figure, v] of Object.entries(obj(stream.api))) {
        const n = num(v)
        if (n !== undefined) g.set({ source: String(stream.source_id), figure }, n)
      }
    }
  })
  gauge('firefront_queue', 'queue figures (size, utilization, totals)', ['figure'], (g, m) => {
    for (const [figure, v] of Object.entries(obj(m.queue))) {
      const n = num(v)
      if (n !== undefined) g.set({ figure }, n)
    }
  })
  gauge('firefront_queue_size_by_priority', 'records queued per priority level', ['priority'], (g, m) => {
    for (const [priority, v] of Object.entries(obj(obj(m.queue).size_by_priority))) g.set({ priority }, num(v) ?? 0)
  })
  gauge('firefront_producer', 'sink figures (total_sent, total_failed, total_retries, ...)', ['figure'], (g, m) => {
    for (const [figure, v] of Object.entries(obj(m.producer))) {
      const n = num(v)
      if (n !== undefined) g.set({ figure }, n)
    }
  })
  gauge('firefront_throttling', 'throttle policy figures (current rate, lag, ...)', ['figure'], (g, m) => {
    for (const [figure, v] of Object.entries(obj(m.throttling))) {
      const n = num(v)
      if (n !== undefined) g.set({ figure }, n)
    }
  })
  gauge('firefront_topic_records', 'records resolved to each topic', ['topic'], (g, m) => {
    for (const [topic, v] of Object.entries(obj(obj(m.topic_resolver).topic_usage))) g.set({ topic }, num(v) ?? 0)
  })
}
