import { join } from 'node:path'
import { defineConnector, Type } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/api/manual-clock'
import { StreamManager } from '../../src/runtime/stream-manager'
import {
  advanceUntil,
  advanceWhile,
  burstConnector,
  configFrom,
  quietLogger,
  readOutput,
  sequenceConnector,
  tempDir,
} from './helpers'

const yaml = (dir: string, sources: string, extra = '') => `
state_dir: ${dir}/state
sink: { type: file, config: { directory: ${dir}/out } }
kafka: { batch_size: 7, batch_timeout_seconds: 0.05 }
${extra}
sources:
${sources}
`

const make = (config: ReturnType<typeof configFrom>, clock?: ManualClock) =>
  new StreamManager({ config, logger: quietLogger(), plugins: [sequenceConnector], ...(clock ? { clock } : {}) })

describe('StreamManager end to end (file sink)', () => {
  it('runOnce delivers every record, in order per source, with exact accounting and a committed cursor', async () => {
    const dir = tempDir()
    const config = configFrom(
      yaml(
        dir,
        `  alpha: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t-alpha, ingestion: { mode: batch }, config: { total: 95, per_poll: 10, reject_every: 10 } }
  beta: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t-beta, ingestion: { mode: batch }, config: { total: 40, per_poll: 8 } }`,
      ),
    )
    const manager = make(config)
    await manager.start()
    await manager.runOnce()
    const metrics = await manager.getMetrics()
    await manager.stop()

    const out = readOutput(join(dir, 'out'))
    const alpha = out.get('t-alpha')!.map((r) => (r.value as { n: number }).n)
    const beta = out.get('t-beta')!.map((r) => (r.value as { n: number }).n)
    // 95 numbers, every 10th rejected: 86 records in order, 9 rejected inputs to the DLQ file
    expect(alpha).toEqual(Array.from({ length: 95 }, (_, n) => n).filter((n) => (n + 1) % 10 !== 0))
    expect(beta).toEqual(Array.from({ length: 40 }, (_, n) => n))
    const dlq = out.get('firefront-dlq')!
    expect(dlq).toHaveLength(9)
    expect(dlq[0]).toMatchObject({
      headers: { 'firefront.error': 'number 9 is malformed', 'firefront.location': 'item 9' },
      sourceId: 'alpha',
    })

    const streams = Object.values(metrics.streams)
    const a = streams.find((s) => s.source_id === 'alpha')!.records
    expect(a).toMatchObject({ fetched: 86, rejected: 9, sent: 95, dropped: 0, failed: 0 })
    // records in (fetched + rejected) = written (sent, incl. the 9 dead-lettered inputs) + dropped
    expect(a.fetched! + a.rejected!).toBe(a.sent! + a.dropped! + a.dead_lettered!)
    expect(manager.cursors.get('alpha')?.cursor).toBe(95)
    expect(manager.cursors.get('beta')?.cursor).toBe(40)
  })

  it('a restart resumes from the committed cursor and emits nothing twice', async () => {
    const dir = tempDir()
    const src = `  gamma: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t-gamma, ingestion: { mode: batch, max_pages_per_cycle: 2 }, config: { total: 50, per_poll: 10 } }`
    const first = make(configFrom(yaml(dir, src)))
    await first.runOnce()
    await first.stop()
    expect(readOutput(join(dir, 'out')).get('t-gamma')).toHaveLength(20)

    const second = make(configFrom(yaml(dir, src)))
    await second.runOnce()
    await second.stop()
    const third = make(configFrom(yaml(dir, src)))
    await third.runOnce()
    await third.stop()
    const ns = readOutput(join(dir, 'out'))
      .get('t-gamma')!
      .map((r) => (r.value as { n: number }).n)
    expect(ns).toEqual(Array.from({ length: 50 }, (_, n) => n))
  })

  it('orders critical before normal and keeps FIFO within a priority', async () => {
    const dir = tempDir()
    const config = configFrom(
      yaml(
        dir,
        `  low_src: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: mixed, ingestion: { mode: batch }, config: { total: 30, per_poll: 30, priority: low } }
  urgent: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: mixed, ingestion: { mode: batch }, config: { total: 30, per_poll: 30, priority: critical } }`,
        'kafka: { batch_size: 1000, batch_timeout_seconds: 0.5 }',
      ).replace(/kafka: \{ batch_size: 7, batch_timeout_seconds: 0.05 \}\n/, ''),
    )
    const manager = make(config)
    await manager.start()
    // Both sources are queued before the consumer's linger ends, so one batch holds both.
    await manager.runOnce(['low_src', 'urgent'])
    await manager.stop()
    const rows = readOutput(join(dir, 'out')).get('mixed')!
    const order = rows.map((r) => `${r.sourceId}:${(r.value as { n: number }).n}`)
    expect(order.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, n) => `urgent:${n}`))
    expect(order.slice(30)).toEqual(Array.from({ length: 30 }, (_, n) => `low_src:${n}`))
  })

  it('a graceful stop while streaming loses nothing: everything fetched is written and committed', async () => {
    const dir = tempDir()
    const config = configFrom(
      yaml(
        dir,
        `  delta: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t-delta, ingestion: { mode: real_time, polling_interval_seconds: 0.01 }, config: { total: 100000, per_poll: 50 } }`,
        // backpressure, not drops: the fetcher outruns a sink that fsyncs every 7 records
        'queue_max_size: 500\nqueue_overflow_strategy: block',
      ),
    )
    const clock = new ManualClock()
    const manager = make(config, clock)
    const fetched = async () => Object.values((await manager.getMetrics()).streams)[0]!.records.fetched
    await manager.start()
    await manager.startStream('delta')
    // a few pages in, the fetcher is ahead of the sink: the stop comes with records still queued
    await advanceUntil(clock, async () => (await fetched()) >= 150, { stepMs: 10, maxMs: 10_000, what: 'three pages' })
    expect((await manager.getMetrics()).queue?.size).toBeGreaterThan(0)
    await advanceWhile(clock, manager.stop(), { stepMs: 10, maxMs: 60_000 })
    const metrics = await manager.getMetrics()
    const rec = Object.values(metrics.streams)[0]!.records
    const written = readOutput(join(dir, 'out')).get('t-delta')!
    expect(rec.fetched).toBeGreaterThan(0)
    expect(rec.dropped).toBe(0)
    expect(written).toHaveLength(rec.fetched!)
    expect(rec.sent).toBe(rec.fetched)
    expect(written.map((r) => (r.value as { n: number }).n)).toEqual(Array.from({ length: rec.fetched! }, (_, n) => n))
    expect(manager.cursors.get('delta')?.cursor).toBe(rec.fetched)
  })

  it('a pull poll larger than the queue waits for room under drop_oldest: nothing dropped, the cursor covers all', async () => {
    const dir = tempDir()
    const config = configFrom(
      yaml(
        dir,
        `  eps: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t-eps, ingestion: { mode: batch }, config: { total: 500, per_poll: 500 } }`,
        'queue_max_size: 100\nqueue_overflow_strategy: drop_oldest',
      ),
    )
    const manager = make(config)
    const dropped: number[] = []
    manager.events.on('record:dropped', (e) => dropped.push(e.count))
    await manager.runOnce()
    const metrics = await manager.getMetrics()
    await manager.stop()
    const rec = Object.values(metrics.streams)[0]!.records
    const written = (readOutput(join(dir, 'out')).get('t-eps') ?? []).map((r) => (r.value as { n: number }).n)
    expect(rec).toMatchObject({ fetched: 500, sent: 500, dropped: 0, failed: 0 })
    expect(written).toEqual(Array.from({ length: 500 }, (_, n) => n))
    expect(dropped).toEqual([])
    expect(metrics.queue?.total_blocked).toBeGreaterThan(0)
    expect(manager.cursors.get('eps')?.cursor).toBe(500)
  })

  it('a push source under drop_oldest drops on overflow, counted by reason, and the accounting balances', async () => {
    const dir = tempDir()
    const config = configFrom(
      yaml(
        dir,
        `  burst: { source_type: burst, topic: t-burst, ingestion: { mode: continuous_streaming, buffer_size: 1000, buffer_flush_interval_seconds: 0.05 }, config: { total: 500 } }`,
        'queue_max_size: 100\nqueue_overflow_strategy: drop_oldest',
      ),
    )
    const clock = new ManualClock()
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [burstConnector], clock })
    const dropped: Array<{ reason: string; count: number }> = []
    manager.events.on('record:dropped', (e) => dropped.push(e))
    await manager.startAll()
    // the buffer's flush interval and the consumer's linger pass on the clock
    await advanceUntil(
      clock,
      async () => {
        const r = Object.values((await manager.getMetrics()).streams)[0]!.records
        return r.fetched === 500 && r.sent + r.dropped === 500
      },
      { stepMs: 50, maxMs: 60_000, what: 'every record to be sent or dropped' },
    )
    await manager.stop()
    const metrics = await manager.getMetrics()
    const rec = Object.values(metrics.streams)[0]!.records
    const written = readOutput(join(dir, 'out')).get('t-burst') ?? []
    expect(rec.fetched).toBe(500)
    expect(rec.dropped).toBeGreaterThan(0)
    expect(written.length + rec.dropped).toBe(500)
    expect(rec.sent).toBe(written.length)
    expect(dropped.reduce((a, b) => a + b.count, 0)).toBe(rec.dropped)
    expect(metrics.stream_manager.dropped_by_reason.queue_overflow_oldest).toBe(rec.dropped)
  })

  it('refuses an unknown and a disabled source, naming them', async () => {
    const dir = tempDir()
    const manager = make(
      configFrom(
        yaml(
          dir,
          `  off: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, enabled: false, ingestion: { mode: batch }, config: {} }`,
        ),
      ),
    )
    await expect(manager.startStream('nope')).rejects.toThrow('Source not configured: nope')
    await expect(manager.startStream('off')).rejects.toThrow('Source is disabled: off')
    await manager.stop()
  })
})

describe('rejected inputs', () => {
  /** Like a day's FIRMS file re-read by a real_time source: the same rows, one of them bad, every poll. */
  const sameFile = defineConnector({
    name: 'same-file',
    version: '1.0.0',
    sourceTypes: ['same-file'],
    configSchema: Type.Object({}),
    create: (_config, ctx) => {
      let polls = 0
      return {
        mode: 'pull',
        poll: async () => {
          polls++
          // the bad row moves down as the file grows: it is the same input all the same
          for (let i = 0; i < polls; i++) ctx.reject({ reason: 'filler', input: `filler-${i}`, location: `row ${i}` })
          ctx.reject({ reason: 'expected 14 columns, got 9', input: 'a,b,c,d,e,f,g,h,i', location: `row ${polls + 1}` })
          return { records: [{ key: 'good', value: { ok: true } }] }
        },
      }
    },
  })

  it('a bad input fetched again by a real_time source is dead-lettered once, and the repeats are counted', async () => {
    const dir = tempDir()
    const config = configFrom(
      yaml(
        dir,
        `  day: { source_type: same-file, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t-day, ingestion: { mode: real_time, polling_interval_seconds: 0.05 }, config: {} }`,
      ),
    )
    const clock = new ManualClock()
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [sameFile], clock })
    await manager.startAll()
    const cycles = async () => Object.values((await manager.getMetrics()).streams)[0]?.mode.cycles ?? 0
    // one poll every polling interval of the clock
    await advanceUntil(clock, async () => (await cycles()) >= 3, { stepMs: 50, maxMs: 10_000, what: 'three polls' })
    await advanceWhile(clock, manager.stop(), { stepMs: 50, maxMs: 10_000 })
    const metrics = await manager.getMetrics()
    const rec = Object.values(metrics.streams)[0]!.records
    const polls = Object.values(metrics.streams)[0]!.mode.cycles
    const dlq = readOutput(join(dir, 'out')).get('firefront-dlq') ?? []
    const reasons = dlq.map((r) => (r.value as { reason: string }).reason)
    expect(polls).toBeGreaterThanOrEqual(3)
    expect(reasons.filter((r) => r === 'expected 14 columns, got 9')).toHaveLength(1)
    // filler-0 is seen every poll, filler-k from poll k+1 on: each dead-lettered once
    expect(reasons.filter((r) => r === 'filler')).toHaveLength(polls)
    expect(rec.rejected).toBe(polls + 1)
    expect(rec.rejected_repeats).toBe(((polls + 1) * polls) / 2 + polls - (polls + 1))
    expect(rec.dead_lettered + rec.sent).toBe(dlq.length + (readOutput(join(dir, 'out')).get('t-day')?.length ?? 0))
  })
})
