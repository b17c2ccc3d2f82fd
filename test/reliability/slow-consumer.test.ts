// A consumer group that reads far slower than a push source produces: its real lag (read from the
// broker) passes critical_consumer_lag, the throttle backs off, the bounded queue fills and
// drop_oldest drops — and every record is accounted for exactly: each either in the topic once or
// counted as dropped with its reason. Memory stays bounded by queue_max_size.
import { randomUUID } from 'node:crypto'
import { defineConnector, type SourceRecord, Type } from '@firefront/sdk'
import { Kafka, logLevel } from 'kafkajs'
import { describe, expect, inject, it } from 'vitest'
import { countKeys } from '../../packages/core/test/cluster/harness'
import { configFrom, quietLogger, tempDir } from '../../packages/core/test/pipeline/helpers'
import { recordTotals } from '../../packages/core/src/runtime/metrics'
import { StreamManager } from '../../packages/core/src/runtime/stream-manager'
import { LONG, report, tally } from './ledger'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A push source emitting `total` numbered records, `per_tick` every 10 ms, then waiting for the stop. */
const steadyConnector = defineConnector({
  name: 'steady',
  version: '1.0.0',
  sourceTypes: ['steady'],
  configSchema: Type.Object({ total: Type.Integer({ minimum: 1 }), per_tick: Type.Integer({ minimum: 1 }) }),
  create(config) {
    return {
      mode: 'push',
      async subscribe(emit, signal) {
        for (let n = 0; n < config.total && !signal.aborted; ) {
          const records: SourceRecord[] = []
          for (let i = 0; i < config.per_tick && n < config.total; i++, n++)
            records.push({ key: `p-${n}`, value: { n } })
          await emit(records)
          await sleep(10)
        }
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
      },
    }
  },
})

describe('a slow consumer past the critical lag', () => {
  it('throttle engages, the queue stays within its bound, drops are counted exactly (drop_oldest)', async () => {
    const brokers = inject('kafkaBrokers')
    const topic = `reliability-slow-${randomUUID().slice(0, 8)}`
    const group = `reliability-slow-reader-${randomUUID().slice(0, 8)}`
    const total = LONG ? 60_000 : 12_000
    const perTick = 20 // ~2,000 records/s offered
    const queueMax = 500
    const config = configFrom(`
state_dir: ${tempDir('firefront-reliability-slow-')}
kafka: { bootstrap_servers: "${brokers}", batch_size: 100, batch_timeout_seconds: 0.05, topics: { partitions: 1 } }
queue_max_size: ${queueMax}
queue_overflow_strategy: drop_oldest
shutdown_timeout_seconds: 10
throttling:
  enabled: true
  consumer_groups: [${group}]
  target_consumer_lag: 200
  critical_consumer_lag: 1000
  min_send_rate: 1
  max_send_rate: 50
  check_interval_seconds: 0.5
  max_backoff_seconds: 2
sources:
  sensors:
    source_type: steady
    topic: ${topic}
    ingestion: { mode: continuous_streaming, buffer_size: 20, buffer_flush_interval_seconds: 0.1 }
    config: { total: ${total}, per_tick: ${perTick} }
`)
    const manager = new StreamManager({ config, raw: { kafka: {} }, logger: quietLogger(), plugins: [steadyConnector] })

    // the slow reader: ~40 records/s, committing as it goes
    const kafka = new Kafka({ clientId: 'reliability-slow', brokers: [brokers], logLevel: logLevel.NOTHING })
    const consumer = kafka.consumer({ groupId: group })
    await manager.start()
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ autoCommitInterval: 500, eachMessage: () => sleep(25) })

    const states = new Set<string>()
    let maxQueue = 0
    let maxLag = 0
    const rss: number[] = []
    await manager.startAll()
    const deadline = Date.now() + (LONG ? 240_000 : 60_000)
    for (;;) {
      const m = await manager.getMetrics()
      states.add(String(m.throttling?.current_state))
      maxQueue = Math.max(maxQueue, m.queue?.size ?? 0)
      maxLag = Math.max(maxLag, Number(m.throttling?.consumer_lag ?? 0))
      rss.push(process.memoryUsage().rss)
      const t = recordTotals(m)
      if (t.fetched >= total || Date.now() > deadline) break
      await sleep(250)
    }
    await manager.stop()
    await consumer.disconnect()
    const m = await manager.getMetrics()
    const totals = recordTotals(m)
    const keys = Array.from({ length: total }, (_, n) => `p-${n}`)
    const seen = await countKeys(brokers, topic)
    const t = tally(keys, seen)
    const dropped = Object.values(m.stream_manager.dropped_by_reason).reduce((a, b) => a + b, 0)
    const reasons = Object.entries(m.stream_manager.dropped_by_reason)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r}=${n}`)
      .join(' ')
    report('slow consumer past critical lag (drop_oldest)', {
      checked: total,
      lost: t.lost.length - dropped,
      duplicated: t.duplicated,
      accounted: total - t.lost.length + dropped,
      detail: `delivered ${total - t.lost.length}, dropped ${dropped} (${reasons}), throttle states ${[...states].join('/')}, max lag ${maxLag}, max queue ${maxQueue}/${queueMax}, RSS ${Math.round(Math.min(...rss) / 2 ** 20)}–${Math.round(Math.max(...rss) / 2 ** 20)} MiB`,
    })
    expect(totals.fetched).toBe(total)
    expect(states).toContain('throttle_critical')
    expect(maxLag).toBeGreaterThan(1000)
    expect(maxQueue).toBeLessThanOrEqual(queueMax)
    // drops happened, and exactly the records missing from the topic are the ones counted as dropped
    expect(dropped).toBeGreaterThan(0)
    expect(t.lost.length).toBe(dropped)
    // the streams agree: queue drops as `dropped`, records abandoned at the shutdown timeout as `failed`
    expect(totals.dropped + totals.failed).toBe(dropped)
    expect(totals.failed).toBe(m.stream_manager.dropped_by_reason.shutdown_timeout ?? 0)
    expect(t.duplicated).toBe(0)
    expect(t.unexpected).toBe(0)
  }, 600_000)
})
