import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import client from 'prom-client'
import { describe, expect, it } from 'vitest'
import { kafkaSinkMetrics, processMetricNames, withMetricsReference } from '../../src/observability/metrics-reference'
import { RUNTIME_METRICS, registerRuntimeMetrics } from '../../src/observability/runtime-metrics'
import { RuntimeEmitter } from '../../src/runtime/events'
import { StreamManager } from '../../src/runtime/stream-manager'
import { configFrom, quietLogger, sequenceConnector, tempDir } from '../pipeline/helpers'

const doc = fileURLToPath(new URL('../../../../docs/metrics.md', import.meta.url))

describe('docs/metrics.md', () => {
  it('lists what the registry serves (npm run metrics:write after changing a metric)', async () => {
    const text = readFileSync(doc, 'utf8')
    expect(text).toBe(await withMetricsReference(text))
  })

  it('names every metric a running manager registers, and nothing it does not', async () => {
    const config = configFrom(`state_dir: ${tempDir()}\nsources: {}\n`)
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [sequenceConnector] })
    registerRuntimeMetrics(manager.metricsRegistry, manager)
    const registered = (await manager.metricsRegistry.getMetricsAsJSON()).map((m) => m.name).sort()
    const documented = [...RUNTIME_METRICS.map((m) => m.name), ...(await processMetricNames()).map((m) => m.name)]
    expect(registered).toEqual([...documented].sort())
    const text = readFileSync(doc, 'utf8')
    for (const name of [...documented, ...kafkaSinkMetrics().map((m) => m.name)]) expect(text).toContain(`\`${name}\``)
  })
})

describe('the runtime metrics follow Prometheus conventions', () => {
  it('counters end in _total, nothing else does; one type per name; no millisecond units', () => {
    const names = new Set<string>()
    for (const m of RUNTIME_METRICS) {
      expect(names.has(m.name), m.name).toBe(false)
      names.add(m.name)
      expect(m.name).toMatch(/^firefront_[a-z0-9_]+$/)
      expect(m.name.endsWith('_total'), m.name).toBe(m.type === 'counter')
      expect(m.name).not.toMatch(/_ms$|millis/)
      if (m.type === 'histogram') expect(m.name).toMatch(/_seconds$/)
      expect(m.help.length).toBeGreaterThan(10)
    }
  })

  it('a counter a plugin names without _total is exported with it', async () => {
    const { createPluginMetrics } = await import('../../src/observability/plugin-metrics')
    const registry = new client.Registry()
    const metrics = createPluginMetrics(registry, 'connector:x#a')
    metrics.counter('widgets', 'widgets seen', ['colour']).inc(2, { colour: 'red' })
    expect(await registry.metrics()).toContain('firefront_plugin_widgets_total{colour="red",plugin="connector:x#a"} 2')
  })

  it('the histograms follow runtime events, in seconds', async () => {
    const registry = new client.Registry()
    const events = new RuntimeEmitter()
    registerRuntimeMetrics(registry, {
      events,
      getMetrics: async () => {
        throw new Error('not read by this test')
      },
    })
    events.emit('batch:sent', {
      sourceId: 's',
      topic: 't',
      delivered: 2,
      deadLettered: 0,
      spooled: 0,
      latencyMs: 250,
      enqueuedAt: [1000, 1500],
      settledAt: 3000,
    })
    events.emit('poll:ended', { sourceId: 's', durationMs: 40, outcome: 'timeout' })
    events.emit('record:dropped', { sourceId: 's', reason: 'queue_overflow_oldest', count: 3 })
    const read = async (name: string) => (await registry.getSingleMetric(name)!.get()).values
    expect(await read('firefront_batch_send_duration_seconds')).toContainEqual(
      expect.objectContaining({ metricName: 'firefront_batch_send_duration_seconds_sum', value: 0.25 }),
    )
    expect(await read('firefront_record_latency_seconds')).toContainEqual(
      expect.objectContaining({ metricName: 'firefront_record_latency_seconds_sum', value: 3.5 }),
    )
    expect(await read('firefront_poll_duration_seconds')).toContainEqual(
      expect.objectContaining({
        metricName: 'firefront_poll_duration_seconds_count',
        labels: { source: 's', outcome: 'timeout' },
        value: 1,
      }),
    )
    expect(await read('firefront_records_dropped_total')).toEqual([
      expect.objectContaining({ labels: { source: 's', reason: 'queue_overflow_oldest' }, value: 3 }),
    ])
  })
})
