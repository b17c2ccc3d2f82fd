import { ConnectorConfigError, RetryableError, validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { ContinuousStreamingModeConfig, continuousStreamingMode } from './continuous-streaming'
import { createMode, deferred, fakePull, fakePush, modeTestContext, pageOf, recordingProcess } from './fake-sources'

async function setup(config: Record<string, unknown> = {}) {
  const t = modeTestContext()
  const mode = await createMode(continuousStreamingMode, config, t.ctx)
  return { ...t, mode }
}

describe('continuous_streaming config', () => {
  it('applies the seed defaults', () => {
    expect(validateConfig(ContinuousStreamingModeConfig, { mode: 'continuous_streaming' })).toEqual({
      ok: true,
      value: {
        mode: 'continuous_streaming',
        polling_interval_seconds: 1,
        buffer_size: 100,
        buffer_flush_interval_seconds: 5,
        max_pages_per_cycle: 100,
        max_resubscribe_wait_seconds: 300,
      },
    })
  })

  it('rejects unknown keys and a zero buffer', () => {
    expect(validateConfig(ContinuousStreamingModeConfig, { schedule: '* * * * *' }).ok).toBe(false)
    expect(validateConfig(ContinuousStreamingModeConfig, { buffer_size: 0 }).ok).toBe(false)
  })
})

describe('continuous_streaming with a pull source', () => {
  it('polls every polling_interval_seconds and flushes when the buffer fills', async () => {
    const { mode, clock } = await setup({ buffer_size: 3, buffer_flush_interval_seconds: 60 })
    const pull = fakePull((n) => pageOf([n * 10, n * 10 + 1], `c${n}`), clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.advance(2500)
    expect(pull.starts).toEqual([0, 1000, 2000])
    // 2 records + 2 records fill the buffer of 3: one flush of 4, with the cursor after them
    expect(proc.batches).toEqual([{ values: [10, 11, 20, 21], cursor: 'c2', at: 1000 }])
    expect(mode.metrics()).toMatchObject({ bufferedRecords: 2, flushes: 1, recordsProcessed: 4, cycles: 3 })
    await mode.stop()
  })

  it('flushes on the interval when the buffer does not fill', async () => {
    const { mode, clock } = await setup({ buffer_size: 100, buffer_flush_interval_seconds: 5 })
    const pull = fakePull((n) => pageOf([n], n), clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.advance(4999)
    expect(proc.batches).toEqual([])
    await clock.advance(1)
    expect(proc.batches).toHaveLength(1)
    expect(proc.batches[0]).toMatchObject({ at: 5000, cursor: proc.batches[0]!.values.at(-1) })
    expect(proc.batches[0]!.values.length).toBeGreaterThanOrEqual(5)
    await mode.stop()
  })

  it('stop flushes what is left in the buffer', async () => {
    const { mode, clock } = await setup({ buffer_size: 100, buffer_flush_interval_seconds: 60 })
    const pull = fakePull((n) => pageOf([n], n), clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.advance(2000)
    expect(proc.batches).toEqual([])
    await mode.stop()
    expect(proc.batches).toEqual([{ values: [1, 2, 3], cursor: 3, at: 2000 }])
    expect(mode.metrics()).toMatchObject({ running: false, bufferedRecords: 0, recordsProcessed: 3 })
  })

  it('a failed interval flush is retried by the next one, records and cursor intact', async () => {
    const { mode, clock, logs } = await setup({
      buffer_size: 100,
      buffer_flush_interval_seconds: 5,
      polling_interval_seconds: 2,
    })
    let fail = true
    const pull = fakePull((n) => pageOf([n], n), clock)
    const proc = recordingProcess(clock, async () => {
      if (fail) throw new Error('queue is busy')
    })
    await mode.start(pull.source, proc.process)
    await clock.advance(5000)
    expect(mode.metrics()).toMatchObject({ errors: 1, lastError: 'queue is busy', bufferedRecords: 3 })
    expect(logs.some((l) => l.level === 50 && /next flush retries/.test(l.msg))).toBe(true)
    fail = false
    await clock.advance(5000)
    // polls at 0, 2, 4, 6, 8 s; the flush at 10 s comes before that instant's poll
    expect(proc.batches).toEqual([{ values: [1, 2, 3, 4, 5], cursor: 5, at: 10_000 }])
    await mode.stop()
  })

  it('runOnce fetches every page, then flushes once', async () => {
    const { mode, clock } = await setup({ buffer_size: 1000 })
    const pull = fakePull((n) => pageOf([n], `c${n}`, n < 4), clock)
    const proc = recordingProcess(clock)
    await mode.runOnce(pull.source, proc.process)
    expect(proc.batches).toEqual([{ values: [1, 2, 3, 4], cursor: 'c4', at: 0 }])
  })

  it('stops itself on ConnectorConfigError', async () => {
    const { mode, clock } = await setup()
    const pull = fakePull(() => {
      throw new ConnectorConfigError('unknown station')
    }, clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    expect(await mode.done()).toMatchObject({ reason: 'fatal' })
    expect(mode.metrics()).toMatchObject({ running: false, lastError: 'unknown station' })
  })
})

describe('continuous_streaming with a push source', () => {
  it('buffers emitted records and flushes on size; emit resolves once they are buffered', async () => {
    const { mode, clock } = await setup({ buffer_size: 2, buffer_flush_interval_seconds: 60 })
    const push = fakePush()
    const proc = recordingProcess(clock)
    await mode.start(push.source, proc.process)
    await clock.flush()
    expect(push.subscribed).toBe(1)
    await push.emit({ value: 'a' })
    await clock.flush()
    expect(proc.batches).toEqual([])
    await push.emit([{ value: 'b' }, { value: 'c' }])
    await clock.flush()
    expect(proc.batches).toEqual([{ values: ['a', 'b', 'c'], cursor: undefined, at: 0 }])
    expect(mode.metrics()).toMatchObject({ recordsFetched: 3, recordsProcessed: 3, cycles: 1 })
    await mode.stop()
  })

  it('flushes on the interval and on stop, and refuses records after it stopped', async () => {
    const { mode, clock } = await setup({ buffer_size: 100, buffer_flush_interval_seconds: 5 })
    const push = fakePush()
    const proc = recordingProcess(clock)
    await mode.start(push.source, proc.process)
    await clock.flush()
    const emit = push.emit.bind(push)
    await emit({ value: 1 })
    await clock.advance(5000)
    await emit({ value: 2 })
    await mode.stop()
    expect(proc.batches.map((b) => [b.values, b.at])).toEqual([
      [[1], 5000],
      [[2], 5000],
    ])
    expect(push.subscribed).toBe(1)
  })

  it('emit waits while the buffer is full and process is slow (backpressure)', async () => {
    const { mode, clock } = await setup({ buffer_size: 1, buffer_flush_interval_seconds: 60 })
    const push = fakePush()
    const gate = deferred()
    const proc = recordingProcess(clock, () => gate.promise)
    await mode.start(push.source, proc.process)
    await clock.flush()
    await push.emit({ value: 1 }) // fills the buffer: a flush starts and waits on process
    await push.emit({ value: 2 }) // goes into the fresh buffer, which is full again
    let accepted = false
    const third = push.emit({ value: 3 }).then(() => {
      accepted = true
    })
    await clock.flush()
    expect(accepted).toBe(false)
    gate.resolve()
    await third
    expect(accepted).toBe(true)
    await mode.stop()
    expect(proc.values()).toEqual([1, 2, 3])
  })

  it('resubscribes with backoff after a RetryableError', async () => {
    const { mode, clock } = await setup()
    const push = fakePush()
    await mode.start(push.source, recordingProcess(clock).process)
    await clock.flush()
    push.end(new RetryableError('broker connection lost'))
    await clock.flush()
    expect(mode.metrics()).toMatchObject({ errors: 1, lastError: 'broker connection lost', running: true })
    await clock.advance(999)
    expect(push.subscribed).toBe(1)
    await clock.advance(1)
    expect(push.subscribed).toBe(2)
    push.end(new RetryableError('again'))
    await clock.advance(1999)
    expect(push.subscribed).toBe(2)
    await clock.advance(1)
    expect(push.subscribed).toBe(3)
    await mode.stop()
  })

  it('caps a Retry-After longer than max_resubscribe_wait_seconds, and says so', async () => {
    const { mode, clock } = await setup({ max_resubscribe_wait_seconds: 120 })
    const push = fakePush()
    await mode.start(push.source, recordingProcess(clock).process)
    await clock.flush()
    push.end(new RetryableError('429 from the bridge', { retryAfterMs: 86_400_000 }))
    await clock.flush()
    expect(String(mode.metrics().lastError)).toBe('429 from the bridge')
    await clock.advance(119_999)
    expect(push.subscribed).toBe(1)
    await clock.advance(1)
    expect(push.subscribed).toBe(2)
    await mode.stop()
  })

  it('ends on any other subscription error, as the push contract says', async () => {
    const { mode, clock } = await setup()
    const push = fakePush()
    await mode.start(push.source, recordingProcess(clock).process)
    await clock.flush()
    push.end(new Error('bad topic filter'))
    expect(await mode.done()).toMatchObject({ reason: 'fatal', error: { message: 'bad topic filter' } })
    expect(mode.metrics()).toMatchObject({ running: false, errors: 1 })
  })

  it('ends when the subscription ends by itself, flushing the buffer', async () => {
    const { mode, clock } = await setup()
    const push = fakePush()
    const proc = recordingProcess(clock)
    await mode.start(push.source, proc.process)
    await clock.flush()
    await push.emit({ value: 'last' })
    push.end()
    expect(await mode.done()).toEqual({ reason: 'ended' })
    expect(proc.values()).toEqual(['last'])
  })

  it('runOnce collects for one flush interval, then flushes', async () => {
    const { mode, clock } = await setup({ buffer_flush_interval_seconds: 5 })
    const push = fakePush()
    const proc = recordingProcess(clock)
    const once = mode.runOnce(push.source, proc.process)
    await clock.flush()
    await push.emit([{ value: 1 }, { value: 2 }])
    await clock.advance(5000)
    await once
    expect(proc.batches).toEqual([{ values: [1, 2], cursor: undefined, at: 5000 }])
    expect(push.subscribed).toBe(1)
  })
})
