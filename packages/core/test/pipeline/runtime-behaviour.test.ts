import { join } from 'node:path'
import { defineConnector, type SinkBatch, type SinkInstance, Type } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/api/manual-clock'
import { loadConfigText } from '../../src/config/load'
import { startMetricsServer } from '../../src/observability/metrics-server'
import { StreamManager } from '../../src/runtime/stream-manager'
import { StreamManagerV1 } from '../../src/runtime/v1-compat'
import {
  advanceUntil,
  advanceWhile,
  configFrom,
  quietLogger,
  readOutput,
  sequenceConnector,
  tempDir,
  until,
} from './helpers'

const base = (dir: string) => `
state_dir: ${dir}/state
sink: { type: file, config: { directory: ${dir}/out } }
kafka: { batch_size: 50, batch_timeout_seconds: 0.02, retry_backoff_base: 0.01, retry_backoff_max: 0.05 }
`

describe('runtime behaviour', () => {
  it('the V1 facade: startStreaming(connector, { sourceId, pollingIntervalSeconds }) runs a real_time stream', async () => {
    const dir = tempDir()
    const clock = new ManualClock()
    const manager = new StreamManager({ config: configFrom(`${base(dir)}sources: {}\n`), logger: quietLogger(), clock })
    const v1 = new StreamManagerV1(manager)
    let n = 0
    const streamId = await v1.startStreaming(
      {
        mode: 'pull',
        poll: async ({ cursor }) => ({
          records: [{ key: String(n), value: { n: n++ } }],
          cursor: (Number(cursor ?? 0) || 0) + 1,
        }),
      },
      { sourceId: 'noaa_weather', pollingIntervalSeconds: 0.01 },
    )
    expect(streamId).toMatch(/^noaa_weather_\d+$/)
    // V1 sources get the seed's API client limit (60 calls a minute), so a second poll needs a second
    await advanceUntil(clock, () => n > 1, { stepMs: 100, maxMs: 5_000, what: 'a second poll' })
    // a poll in flight may finish while the stream stops: its rate-limit wait runs on the clock too
    await advanceWhile(clock, v1.stopAll(), { stepMs: 100, maxMs: 10_000 })
    const metrics = await manager.getMetrics()
    const stream = (metrics.streams as Record<string, { mode: { mode: string }; records: { sent: number } }>)[streamId]!
    expect(stream.mode.mode).toBe('real_time')
    expect(stream.records.sent).toBeGreaterThan(1)
    // no topic configured: the seed's pattern maps noaa_weather to wildfire-weather-data
    expect(readOutput(join(dir, 'out')).get('wildfire-weather-data')!.length).toBe(stream.records.sent)
  })

  it('a V1 source polls at most 60 times a minute: the second poll waits until the clock has moved a second', async () => {
    const dir = tempDir()
    const clock = new ManualClock()
    const manager = new StreamManager({ config: configFrom(`${base(dir)}sources: {}\n`), logger: quietLogger(), clock })
    const v1 = new StreamManagerV1(manager)
    const polls: number[] = []
    const start = clock.now()
    const streamId = await v1.startStreaming(
      {
        mode: 'pull',
        poll: async () => {
          polls.push(clock.now())
          return { records: [{ value: polls.length }] }
        },
      },
      { sourceId: 'noaa_weather', pollingIntervalSeconds: 0.01 },
    )
    const api = async () => (await manager.getMetrics()).streams[streamId]!.api!
    await until(() => polls.length === 1, 'the first poll')
    expect(polls).toEqual([start])
    // the polling interval passes; the next poll then waits for the rate limit's token
    await advanceUntil(clock, async () => (await api()).rate_limit_waits === 1, {
      stepMs: 10,
      maxMs: 100,
      what: 'the second poll to wait for the rate limit',
    })
    await clock.advance(start + 990 - clock.now())
    expect(polls).toHaveLength(1)
    await advanceUntil(clock, () => polls.length === 2, { stepMs: 1, maxMs: 20, what: 'the second poll' })
    // one token a second; the bucket's wait is rounded up to the millisecond
    expect(polls[1]! - start).toBeGreaterThanOrEqual(1000)
    expect(polls[1]! - start).toBeLessThanOrEqual(1001)
    expect((await api()).rate_limit_per_minute).toBe(60)
    await advanceWhile(clock, v1.stopAll(), { stepMs: 100, maxMs: 10_000 })
  })

  it('a connector that throws at start fails its own stream, named, and the others run', async () => {
    const dir = tempDir()
    const broken = defineConnector({
      name: 'broken',
      version: '1.0.0',
      sourceTypes: ['broken'],
      configSchema: Type.Object({}),
      create: () => ({
        mode: 'pull',
        start: async () => {
          throw new Error('certificate expired')
        },
        poll: async () => ({ records: [] }),
      }),
    })
    const config = configFrom(`${base(dir)}sources:
  bad: { source_type: broken, ingestion: { mode: batch } }
  good: { source_type: sequence, topic: ok, rate_limit_per_minute: 600000, ingestion: { mode: batch }, config: { total: 5 } }
`)
    const clock = new ManualClock()
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [broken, sequenceConnector], clock })
    const committed: unknown[] = []
    manager.events.on('cursor:committed', (e) => committed.push(e.cursor))
    await expect(manager.startStream('bad')).rejects.toThrow(
      'connector:broken for source bad failed to start: certificate expired',
    )
    await manager.startStream('good')
    // the consumer lingers for a fuller batch on the clock, then the cursor follows the delivery
    await advanceUntil(clock, () => committed.includes(5), { stepMs: 20, maxMs: 1_000, what: "good's cursor" })
    await manager.stop()
    expect(readOutput(join(dir, 'out')).get('ok')).toHaveLength(5)
    expect(manager.listStreams().map((s) => [s.sourceId, s.status])).toEqual([
      ['bad', 'failed'],
      ['good', 'stopped'],
    ])
  })

  it('a push subscription that fails ends its stream as failed, with its error, after what it emitted is delivered', async () => {
    const dir = tempDir()
    const feed = defineConnector({
      name: 'feed',
      version: '1.0.0',
      sourceTypes: ['feed'],
      configSchema: Type.Object({}),
      create: () => ({
        mode: 'push',
        async subscribe(emit) {
          await emit([{ value: 1 }, { value: 2 }])
          throw new Error('broker closed the subscription: not authorized')
        },
      }),
    })
    const config = configFrom(`${base(dir)}sources:
  live: { source_type: feed, topic: live, ingestion: { mode: continuous_streaming, buffer_size: 1, buffer_flush_interval_seconds: 0.01 } }
`)
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [feed], clock: new ManualClock() })
    const stopped: string[] = []
    manager.events.on('stream:stopped', (e) => stopped.push(`${e.sourceId}:${e.reason}:${e.error?.message ?? ''}`))
    await manager.startStream('live')
    // a failure that is not retryable ends the stream at once: no resubscribe wait on the clock
    await until(() => stopped.length > 0, 'the stream to stop')
    await manager.stop()
    expect(stopped[0]).toMatch(/^live:failed:.*not authorized/)
    expect(manager.listStreams()).toEqual([expect.objectContaining({ sourceId: 'live', status: 'failed' })])
    expect(readOutput(join(dir, 'out')).get('live')).toHaveLength(2)
  })

  it('a push connector on a source that names no mode runs under continuous_streaming', async () => {
    const dir = tempDir()
    let emitted = 0
    const ticks = defineConnector({
      name: 'ticks',
      version: '1.0.0',
      sourceTypes: ['ticks'],
      configSchema: Type.Object({}),
      create: () => ({
        mode: 'push',
        async subscribe(emit, signal) {
          for (let i = 0; i < 3; i++) {
            await emit({ key: String(i), value: i })
            emitted++
          }
          await new Promise((r) => signal.addEventListener('abort', r, { once: true }))
        },
      }),
    })
    const loaded = loadConfigText(`${base(dir)}sources:\n  t: { source_type: ticks, topic: ticks }\n`, {
      file: 'x.yaml',
      env: {},
    })
    const manager = new StreamManager({
      config: loaded.config,
      raw: loaded.raw as { kafka?: unknown },
      logger: quietLogger(),
      plugins: [ticks],
      clock: new ManualClock(),
    })
    const started: string[] = []
    manager.events.on('stream:started', (e) => started.push(e.mode))
    await manager.startStream('t')
    // what sits in the mode's buffer when the stream stops is flushed and delivered
    await until(() => emitted === 3, 'the three records to be emitted')
    await manager.stop()
    expect(started).toEqual(['continuous-streaming'])
    expect(readOutput(join(dir, 'out')).get('ticks')).toHaveLength(3)
  })

  it('a batch the sink rejects is retried, in order, until it is accounted for; the cursor waits for it', async () => {
    const dir = tempDir()
    const sent: number[][] = []
    let failures = 2
    const flaky: SinkInstance = {
      async send(batch: SinkBatch) {
        if (failures-- > 0) throw new Error('broker unreachable')
        sent.push(batch.records.map((r) => (r.value as { n: number }).n))
        return { delivered: batch.records.length, deadLettered: 0, spooled: 0 }
      },
    }
    const config = configFrom(`${base(dir)}sources:
  s: { source_type: sequence, topic: t, rate_limit_per_minute: 600000, ingestion: { mode: batch }, config: { total: 20, per_poll: 20 } }
`)
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [sequenceConnector], sink: flaky })
    const failed: number[] = []
    manager.events.on('batch:failed', (e) => failed.push(e.attempt))
    await manager.runOnce()
    await manager.stop()
    expect(failed).toEqual([1, 2])
    expect(sent.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(manager.cursors.get('s')?.cursor).toBe(20)
  })

  it('records the sink never takes are reported at shutdown and their cursor stays uncommitted', async () => {
    const dir = tempDir()
    const down: SinkInstance = {
      send: async () => {
        throw new Error('no route to broker')
      },
    }
    const config = configFrom(`${base(dir)}shutdown_timeout_seconds: 0.3
sources:
  s: { source_type: sequence, topic: t, rate_limit_per_minute: 600000, ingestion: { mode: batch }, config: { total: 10, per_poll: 10 } }
`)
    const clock = new ManualClock()
    const manager = new StreamManager({
      config,
      logger: quietLogger(),
      plugins: [sequenceConnector],
      sink: down,
      clock,
    })
    const dropped: string[] = []
    const attempts: number[] = []
    manager.events.on('record:dropped', (e) => dropped.push(`${e.reason}:${e.count}`))
    manager.events.on('batch:failed', (e) => attempts.push(e.attempt))
    await manager.start()
    await manager.startStream('s')
    // the batch fails and is retried with backoff on the clock until the stop's deadline passes
    await advanceUntil(clock, () => attempts.length >= 2, { stepMs: 10, maxMs: 1_000, what: 'a retried batch' })
    await advanceWhile(clock, manager.stop(), { stepMs: 10, maxMs: 5_000 })
    const metrics = await manager.getMetrics()
    const rec = Object.values(metrics.streams)[0]!.records
    expect(rec.fetched).toBe(10)
    expect(rec.failed).toBe(10)
    expect(dropped).toEqual(['shutdown_timeout:10'])
    expect(manager.cursors.get('s')).toBeUndefined()
  })

  it('a poll in flight at stop gets half the shutdown budget of clock time, then it is aborted', async () => {
    const dir = tempDir()
    const clock = new ManualClock()
    let abortedAt: number | undefined
    const slow = defineConnector({
      name: 'slow',
      version: '1.0.0',
      sourceTypes: ['slow'],
      configSchema: Type.Object({}),
      create: () => ({
        mode: 'pull',
        // a request that never answers: only the stop's abort ends it
        poll: ({ signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener(
              'abort',
              () => {
                abortedAt = clock.now()
                reject(signal.reason)
              },
              { once: true },
            )
          }),
      }),
    })
    const config = configFrom(`${base(dir)}shutdown_timeout_seconds: 4
sources:
  s: { source_type: slow, topic: t, rate_limit_per_minute: 600000, timeout_seconds: 60, ingestion: { mode: real_time } }
`)
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [slow], clock })
    await manager.startStream('s')
    await until(async () => (await manager.getMetrics()).streams.s_1?.api?.total_calls === 1, 'the poll')
    const stopAt = clock.now()
    let stopped = false
    const stopping = manager.stop().then(() => {
      stopped = true
    })
    await clock.advance(1_999)
    expect(stopped).toBe(false)
    expect(abortedAt).toBeUndefined()
    await clock.advance(1)
    // the grace period is clock time: the stop ends within a few turns, not after two real seconds
    await until(() => stopped, 'the stop', 1_000)
    await stopping
    expect(abortedAt).toBe(stopAt + 2_000)
    expect(manager.listStreams()).toEqual([expect.objectContaining({ sourceId: 's', status: 'stopped' })])
  })

  it('send hooks: beforeSend replaces records one for one, afterSend observes, a failing hook is reported and skipped', async () => {
    const dir = tempDir()
    const config = configFrom(`${base(dir)}sources:
  s: { source_type: sequence, topic: t, rate_limit_per_minute: 600000, ingestion: { mode: batch }, config: { total: 20, per_poll: 20 } }
`)
    const observed: number[] = []
    const errors: string[] = []
    const manager = new StreamManager({
      config,
      logger: quietLogger(),
      plugins: [sequenceConnector],
      hooks: [
        {
          name: 'enrich',
          beforeSend: (batch) => ({
            ...batch,
            records: batch.records.map((r) => ({ ...r, value: { ...(r.value as object), region: 'CA' } })),
          }),
        },
        {
          name: 'broken',
          beforeSend: () => {
            throw new Error('lookup table missing')
          },
        },
      ],
    })
    manager.addHooks({ name: 'audit', afterSend: (_batch, result) => void observed.push(result.delivered) })
    manager.events.on('error', (e) => errors.push(e.message))
    await manager.runOnce()
    await manager.stop()
    const rows = readOutput(join(dir, 'out')).get('t')!
    expect(rows).toHaveLength(20)
    expect(rows.every((r) => (r.value as { region?: string }).region === 'CA')).toBe(true)
    expect(observed.reduce((a, b) => a + b, 0)).toBe(20)
    expect(errors[0]).toBe('hook:broken failed in beforeSend: lookup table missing')
  })

  it('topic_rules route by content, between custom mappings and the connector default', async () => {
    const dir = tempDir()
    const config = configFrom(`${base(dir)}topic_rules:
  - { field: n, min: 15, topic: late-numbers }
  - { field: n, in: [0, 1], topic: first-numbers }
custom_topic_mappings: { other: mapped }
sources:
  s: { source_type: sequence, rate_limit_per_minute: 600000, ingestion: { mode: batch }, config: { total: 20, per_poll: 20 } }
  other: { source_type: sequence, rate_limit_per_minute: 600000, ingestion: { mode: batch }, config: { total: 3, per_poll: 3 } }
`)
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [sequenceConnector] })
    await manager.runOnce()
    const metrics = await manager.getMetrics()
    await manager.stop()
    const out = readOutput(join(dir, 'out'))
    expect(out.get('late-numbers')!.map((r) => (r.value as { n: number }).n)).toEqual([15, 16, 17, 18, 19])
    expect(out.get('first-numbers')!.map((r) => (r.value as { n: number }).n)).toEqual([0, 1])
    expect(out.get('wildfire-default')).toHaveLength(13)
    expect(out.get('mapped')).toHaveLength(3) // custom mapping wins over content rules
    expect((metrics.topic_resolver as { chain: string[] }).chain).toEqual([
      'explicit',
      'custom-mapping',
      'content-rule',
      'connector-default',
      'pattern',
      'default',
    ])
  })

  it('serves /metrics, /ready, /health and the status page', async () => {
    const dir = tempDir()
    const config = configFrom(`${base(dir)}sources:
  s: { source_type: sequence, topic: t, rate_limit_per_minute: 600000, ingestion: { mode: batch }, config: { total: 33, per_poll: 11, skip_every: 11 } }
`)
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [sequenceConnector] })
    const server = await startMetricsServer(manager, { host: '127.0.0.1', port: 0 })
    // not ready before every part has started
    const early = await fetch(`${server.url}/ready`)
    expect(early.status).toBe(503)
    expect(await early.json()).toEqual({ ready: false, state: 'idle' })
    await manager.start()
    await manager.runOnce()
    try {
      const ready = await fetch(`${server.url}/ready`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ ready: true, state: 'running' })
      const text = await (await fetch(`${server.url}/metrics`)).text()
      expect(text).toContain('firefront_records_sent_total{source="s",plugin="connector:sequence"} 30')
      expect(text).toContain('firefront_records_fetched_total{source="s",plugin="connector:sequence"} 30')
      expect(text).toContain(
        'firefront_records_skipped_total{source="s",plugin="connector:sequence",reason="duplicate"} 3',
      )
      expect(text).toContain('firefront_queue_capacity_records 10000')
      expect(text).toContain('firefront_topic_resolved_records_total{topic="t"} 30')
      expect(text).toMatch(/^firefront_batch_send_duration_seconds_count\{source="s",topic="t"\} [1-9]/m)
      expect(text).toMatch(/^firefront_record_latency_seconds_count\{source="s"\} 30$/m)
      expect(text).toMatch(/^firefront_poll_duration_seconds_count\{source="s",outcome="success"\} [1-9]/m)
      expect(text).toContain('# TYPE process_cpu_seconds_total counter')
      const health = await fetch(`${server.url}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ healthy: true, queue: { size: 0, full: false } })
      expect(await (await fetch(`${server.url}/`)).text()).toContain('<title>Firefront status</title>')
      const status = (await (await fetch(`${server.url}/api/status`)).json()) as {
        ready: boolean
        streams: Array<{ source: string; sent: number; status: string }>
      }
      expect(status.ready).toBe(true)
      expect(status.streams).toEqual([expect.objectContaining({ source: 's', sent: 30 })])
      const api = (await (await fetch(`${server.url}/api/metrics`)).json()) as Record<string, unknown>
      expect(Object.keys(api)).toEqual(
        expect.arrayContaining(['stream_manager', 'queue', 'producer', 'throttling', 'topic_resolver', 'streams']),
      )
    } finally {
      await server.close()
      await manager.stop()
    }
  })
})
