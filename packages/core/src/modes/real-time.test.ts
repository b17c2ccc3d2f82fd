import { ConnectorConfigError, RetryableError, validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { createMode, deferred, fakePull, fakePush, modeTestContext, pageOf, recordingProcess } from './fake-sources'
import { RealTimeModeConfig, realTimeMode } from './real-time'

async function setup(config: Record<string, unknown> = {}) {
  const t = modeTestContext()
  const mode = await createMode(realTimeMode, config, t.ctx)
  return { ...t, mode }
}

describe('real_time config', () => {
  it('applies defaults and accepts the mode key', () => {
    const result = validateConfig(RealTimeModeConfig, { mode: 'real_time' })
    expect(result).toEqual({
      ok: true,
      value: { mode: 'real_time', polling_interval_seconds: 30, max_pages_per_cycle: 100 },
    })
  })

  it('rejects unknown keys and bad values', () => {
    const result = validateConfig(
      RealTimeModeConfig,
      { polling_interval_seconds: 0, buffer_sise: 10 },
      'sources.noaa.ingestion',
    )
    expect(result.ok).toBe(false)
    const paths = result.ok ? [] : result.issues.map((i) => i.path)
    expect(paths).toContain('sources.noaa.ingestion.polling_interval_seconds')
    expect(paths).toContain('sources.noaa.ingestion.buffer_sise')
  })

  it("accepts the seed's buffer keys, which only continuous_streaming uses", () => {
    expect(validateConfig(RealTimeModeConfig, { polling_interval_seconds: 30, buffer_size: 100 }).ok).toBe(true)
  })

  it('is a branded ingestion-mode plugin named real-time', () => {
    expect(realTimeMode).toMatchObject({ kind: 'ingestion-mode', name: 'real-time', $$type: '@firefront/plugin' })
  })
})

describe('real_time mode', () => {
  it('polls at once, then every interval measured start to start', async () => {
    const { mode, clock } = await setup({ polling_interval_seconds: 30 })
    // Each poll takes 2 s of (manual) time.
    const pull = fakePull((n) => clock.sleep(2000).then(() => pageOf([n], n)), clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.advance(95_000)
    expect(pull.starts).toEqual([0, 30_000, 60_000, 90_000])
    expect(proc.batches.slice(0, 3).map((b) => [b.values, b.cursor, b.at])).toEqual([
      [[1], 1, 2000],
      [[2], 2, 32_000],
      [[3], 3, 62_000],
    ])
    await mode.stop()
  })

  it('never overlaps: a poll longer than the interval is followed at once by the next', async () => {
    const { mode, clock } = await setup({ polling_interval_seconds: 30 })
    const pull = fakePull(() => clock.sleep(45_000).then(() => pageOf([1])), clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    await clock.advance(100_000)
    expect(pull.starts).toEqual([0, 45_000, 90_000])
    expect(mode.metrics().overruns).toBe(2)
    // the third poll is in flight until 135 s: stop waits for it
    const stopping = mode.stop()
    await clock.advance(45_000)
    await stopping
    expect(pull.starts).toHaveLength(3)
  })

  it('fetches every page the connector has ready within one cycle', async () => {
    const { mode, clock } = await setup({ polling_interval_seconds: 60 })
    const pages = [pageOf([1, 2], 'a', true), pageOf([3], 'b', true), pageOf([4], 'c')]
    const pull = fakePull((n) => pages[(n - 1) % 3]!, clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.advance(0)
    expect(proc.batches.map((b) => [b.values, b.cursor])).toEqual([
      [[1, 2], 'a'],
      [[3], 'b'],
      [[4], 'c'],
    ])
    expect(mode.metrics()).toMatchObject({ cycles: 1, pages: 3, recordsProcessed: 4 })
    await mode.stop()
  })

  it('bounds a cycle by max_pages_per_cycle and says so', async () => {
    const { mode, clock, logs } = await setup({ max_pages_per_cycle: 2 })
    const pull = fakePull((n) => pageOf([n], n, true), clock)
    await mode.runOnce(pull.source, recordingProcess(clock).process)
    expect(pull.starts).toHaveLength(2)
    expect(logs.some((l) => l.level === 40 && /max_pages_per_cycle \(2\)/.test(l.msg))).toBe(true)
  })

  it('counts and logs a failed cycle, and the next cycle retries', async () => {
    const { mode, clock, logs } = await setup({ polling_interval_seconds: 10 })
    const pull = fakePull((n) => {
      if (n === 1) throw new RetryableError('HTTP 503')
      return pageOf([n])
    }, clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.advance(0)
    expect(mode.metrics()).toMatchObject({
      running: true,
      errors: 1,
      cycles: 1,
      lastError: 'HTTP 503',
      lastSuccess: null,
    })
    expect(logs.find((l) => l.level === 50)?.fields).toMatchObject({ code: 'ERR_RETRYABLE' })
    await clock.advance(10_000)
    expect(proc.values()).toEqual([2])
    expect(mode.metrics()).toMatchObject({ errors: 1, cycles: 2, lastSuccess: new Date(10_000).toISOString() })
    await mode.stop()
  })

  it('stops itself on ConnectorConfigError and reports it through done() and metrics', async () => {
    const { mode, clock } = await setup({ polling_interval_seconds: 10 })
    const pull = fakePull(() => {
      throw new ConnectorConfigError('invalid MAP_KEY')
    }, clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    const exit = await mode.done()
    expect(exit).toMatchObject({ reason: 'fatal', error: { code: 'ERR_CONNECTOR_CONFIG' } })
    expect(mode.metrics()).toMatchObject({ running: false, fatal: true, errors: 1, lastError: 'invalid MAP_KEY' })
    await clock.advance(60_000)
    expect(pull.starts).toHaveLength(1)
    await mode.stop()
  })

  it('stop waits for the cycle in flight and its processing', async () => {
    const { mode, clock } = await setup()
    const page = deferred<ReturnType<typeof pageOf>>()
    const pull = fakePull(() => page.promise, clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.flush()
    let stopped = false
    const stopping = mode.stop().then(() => {
      stopped = true
    })
    await clock.flush()
    expect(stopped).toBe(false)
    expect(mode.metrics().running).toBe(false)
    page.resolve(pageOf([1], 'c1', true))
    await stopping
    expect(proc.batches).toEqual([{ values: [1], cursor: 'c1', at: 0 }])
    // stopping ends a multi-page cycle after the page in flight
    expect(pull.starts).toHaveLength(1)
    expect(await mode.done()).toEqual({ reason: 'stopped' })
    await clock.advance(120_000)
    expect(pull.starts).toHaveLength(1)
  })

  it('stop interrupts the wait between polls', async () => {
    const { mode, clock } = await setup({ polling_interval_seconds: 3600 })
    const pull = fakePull(() => pageOf([1]), clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    await clock.advance(1000)
    await mode.stop()
    expect(clock.pendingTimers).toBe(0)
    expect(mode.metrics()).toMatchObject({ running: false, runtimeSeconds: 1 })
  })

  it('runOnce runs exactly one cycle, every page, and rethrows its error', async () => {
    const { mode, clock } = await setup()
    const pull = fakePull((n) => pageOf([n], n, n < 3), clock)
    const proc = recordingProcess(clock)
    await mode.runOnce(pull.source, proc.process)
    expect(proc.values()).toEqual([1, 2, 3])
    expect(mode.metrics()).toMatchObject({ cycles: 1, recordsProcessed: 3, running: false })

    const failing = fakePull(() => {
      throw new RetryableError('down')
    }, clock)
    await expect(mode.runOnce(failing.source, proc.process)).rejects.toMatchObject({ code: 'ERR_RETRYABLE' })
    expect(mode.metrics()).toMatchObject({ cycles: 2, errors: 1, lastError: 'down' })
  })

  it('needs a pull source', async () => {
    const { mode, clock } = await setup()
    await expect(mode.runOnce(fakePush().source, recordingProcess(clock).process)).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: expect.stringMatching(/needs a pull connector/),
    })
  })

  it('refuses a second start and a start after stop', async () => {
    const { mode, clock } = await setup()
    const pull = fakePull(() => pageOf([]), clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await expect(mode.start(pull.source, proc.process)).rejects.toMatchObject({ code: 'ERR_SOURCE_RUNNING' })
    await mode.stop()
    await mode.stop()
    await expect(mode.start(pull.source, proc.process)).rejects.toMatchObject({ code: 'ERR_STOPPED' })
  })

  it('ends quietly when the runtime aborts the context', async () => {
    const { mode, clock, abort } = await setup({ polling_interval_seconds: 10 })
    const pull = fakePull((_, signal) => {
      if (signal.aborted) throw new Error('aborted')
      return pageOf([1])
    }, clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    await clock.advance(0)
    abort()
    expect(await mode.done()).toEqual({ reason: 'stopped' })
    expect(mode.metrics()).toMatchObject({ running: false, errors: 0 })
  })

  it('runOnce never overlaps the running loop: it waits for the cycle in flight', async () => {
    const { mode, clock } = await setup({ polling_interval_seconds: 60 })
    const first = deferred<ReturnType<typeof pageOf>>()
    let inFlight = 0
    let maxInFlight = 0
    const pull = fakePull(async (n) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      const page = n === 1 ? await first.promise : pageOf([n])
      inFlight--
      return page
    }, clock)
    const proc = recordingProcess(clock)
    await mode.start(pull.source, proc.process)
    await clock.flush()
    const once = mode.runOnce(pull.source, proc.process)
    await clock.flush()
    expect(pull.starts).toHaveLength(1)
    first.resolve(pageOf([1]))
    await once
    expect(proc.values()).toEqual([1, 2])
    expect(maxInFlight).toBe(1)
    await mode.stop()
  })

  it('hands on a cursor even when a page has no records', async () => {
    const { mode, clock } = await setup()
    const pull = fakePull(() => ({ records: [], cursor: { since: 't1' } }), clock)
    const proc = recordingProcess(clock)
    await mode.runOnce(pull.source, proc.process)
    expect(proc.batches).toEqual([{ values: [], cursor: { since: 't1' }, at: 0 }])
  })
})
