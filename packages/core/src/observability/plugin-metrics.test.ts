import type { MetricsHandle } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import client from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createPluginMetrics } from './plugin-metrics'

/** What a plugin does with its metrics handle. */
function use(metrics: MetricsHandle): void {
  const calls = metrics.counter('api_calls_total', 'API calls by outcome')
  calls.inc(1, { outcome: 'ok', endpoint: 'area' })
  calls.inc(2, { outcome: 'rate_limited', endpoint: 'area' })
  metrics.gauge('transactions_left', 'FIRMS transactions left', ['map_key']).set(4990, { map_key: 'k1' })
}

describe('plugin metrics keep the labels plugins pass', () => {
  it('core exports them with the plugin label; the fake context records the same samples', async () => {
    const registry = new client.Registry()
    use(createPluginMetrics(registry, 'connector:nasa-firms#viirs'))
    const text = await registry.metrics()
    expect(text).toContain(
      'firefront_plugin_api_calls_total{outcome="ok",endpoint="area",plugin="connector:nasa-firms#viirs"} 1',
    )
    expect(text).toContain(
      'firefront_plugin_api_calls_total{outcome="rate_limited",endpoint="area",plugin="connector:nasa-firms#viirs"} 2',
    )
    expect(text).toContain('firefront_plugin_transactions_left{map_key="k1",plugin="connector:nasa-firms#viirs"} 4990')

    const fake = createFakeContext()
    use(fake.ctx.metrics)
    expect(fake.samples).toEqual([
      { kind: 'counter', name: 'api_calls_total', value: 1, labels: { outcome: 'ok', endpoint: 'area' } },
      { kind: 'counter', name: 'api_calls_total', value: 2, labels: { outcome: 'rate_limited', endpoint: 'area' } },
      { kind: 'gauge', name: 'transactions_left', value: 4990, labels: { map_key: 'k1' } },
    ])
    expect(fake.metrics.get('api_calls_total')).toBe(3)
  })

  it('a sample with other label names, or the reserved plugin label, is refused the same way by both', () => {
    const registry = new client.Registry()
    const fake = createFakeContext()
    for (const metrics of [createPluginMetrics(registry, 'sink:x#sink'), fake.ctx.metrics]) {
      const c = metrics.counter('writes_total')
      c.inc(1, { topic: 'a' })
      expect(() => c.inc(1, { table: 'a' })).toThrow(/has the labels \[topic\]; a sample came with \[table\]/)
      expect(() => metrics.gauge('depth').set(1, { plugin: 'me' })).toThrow(/the label "plugin" is set by the runtime/)
      expect(() => metrics.gauge('depth2').set(1, { 'bad-name': 'x' })).toThrow(/not a valid label name/)
    }
  })

  it('two instances of one plugin share an instrument, told apart by the plugin label', async () => {
    const registry = new client.Registry()
    createPluginMetrics(registry, 'connector:mqtt#a').counter('messages_total').inc(1, { kind: 'sensor' })
    createPluginMetrics(registry, 'connector:mqtt#b').counter('messages_total').inc(5, { kind: 'sensor' })
    const text = await registry.metrics()
    expect(text).toContain('firefront_plugin_messages_total{kind="sensor",plugin="connector:mqtt#a"} 1')
    expect(text).toContain('firefront_plugin_messages_total{kind="sensor",plugin="connector:mqtt#b"} 5')
  })
})
