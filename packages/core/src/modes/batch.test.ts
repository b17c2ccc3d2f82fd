import { validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { BatchModeConfig, batchMode } from './batch'
import { createMode, fakePull, modeTestContext, pageOf, recordingProcess } from './fake-sources'

const HOUR = 3_600_000
/** 2025-01-01T00:30:00Z */
const HALF_PAST_MIDNIGHT = Date.UTC(2025, 0, 1, 0, 30)

describe('batch config', () => {
  it('applies defaults', () => {
    expect(validateConfig(BatchModeConfig, { mode: 'batch' })).toEqual({
      ok: true,
      value: { mode: 'batch', max_pages_per_cycle: 1000 },
    })
  })

  it('rejects unknown keys', () => {
    const result = validateConfig(BatchModeConfig, { polling_intervall_seconds: 30 })
    expect(result.ok).toBe(false)
  })

  it('reports a bad cron expression or time zone at create, with its path', async () => {
    const { ctx } = modeTestContext()
    await expect(createMode(batchMode, { schedule: '61 * * * *' }, ctx)).rejects.toMatchObject({
      code: 'ERR_PLUGIN_CONFIG',
      issues: [{ path: 'schedule', message: expect.stringMatching(/invalid schedule "61 \* \* \* \*"/) }],
    })
    await expect(createMode(batchMode, { schedule: '0 * * * *', timezone: 'Mars/Base' }, ctx)).rejects.toMatchObject({
      issues: [{ path: 'timezone' }],
    })
  })
})

describe('batch mode', () => {
  it('runs a cycle at start, then every batch_interval_seconds (default one hour)', async () => {
    const { ctx, clock } = modeTestContext(0)
    const mode = await createMode(batchMode, {}, ctx)
    const pull = fakePull((n) => pageOf([n]), clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    await clock.advance(3 * HOUR)
    expect(pull.starts).toEqual([0, HOUR, 2 * HOUR, 3 * HOUR])
    await mode.stop()
  })

  it('with run_on_start false waits one interval first', async () => {
    const { ctx, clock } = modeTestContext(0)
    const mode = await createMode(batchMode, { batch_interval_seconds: 60, run_on_start: false }, ctx)
    const pull = fakePull((n) => pageOf([n]), clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    await clock.advance(59_999)
    expect(pull.starts).toEqual([])
    await clock.advance(1)
    expect(pull.starts).toEqual([60_000])
    await mode.stop()
  })

  it('runs on the cron schedule, not at start unless asked', async () => {
    const { ctx, clock } = modeTestContext(HALF_PAST_MIDNIGHT)
    const mode = await createMode(batchMode, { schedule: '0 * * * *', timezone: 'UTC' }, ctx)
    const pull = fakePull((n) => pageOf([n]), clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    expect(mode.metrics()).toMatchObject({ schedule: '0 * * * *', nextRunAt: '2025-01-01T01:00:00.000Z' })
    await clock.advance(2 * HOUR)
    expect(pull.starts.map((t) => new Date(t).toISOString())).toEqual([
      '2025-01-01T01:00:00.000Z',
      '2025-01-01T02:00:00.000Z',
    ])
    await mode.stop()
  })

  it('with a schedule and run_on_start runs at once too', async () => {
    const { ctx, clock } = modeTestContext(HALF_PAST_MIDNIGHT)
    const mode = await createMode(batchMode, { schedule: '0 * * * *', timezone: 'UTC', run_on_start: true }, ctx)
    const pull = fakePull((n) => pageOf([n]), clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    await clock.advance(HOUR)
    expect(pull.starts).toEqual([HALF_PAST_MIDNIGHT, HALF_PAST_MIDNIGHT + HOUR / 2])
    await mode.stop()
  })

  it('a cycle that overruns a scheduled time skips it', async () => {
    const { ctx, clock } = modeTestContext(HALF_PAST_MIDNIGHT)
    const mode = await createMode(batchMode, { schedule: '0 * * * *', timezone: 'UTC' }, ctx)
    // The 01:00 cycle takes 90 minutes, past 02:00.
    const pull = fakePull((n) => (n === 1 ? clock.sleep(90 * 60_000).then(() => pageOf([n])) : pageOf([n])), clock)
    await mode.start(pull.source, recordingProcess(clock).process)
    await clock.advance(3 * HOUR)
    expect(pull.starts.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['01:00', '03:00'])
    await mode.stop()
  })

  it('one cycle drains every page while hasMore', async () => {
    const { ctx, clock } = modeTestContext()
    const mode = await createMode(batchMode, {}, ctx)
    const pull = fakePull((n) => pageOf([n * 10, n * 10 + 1], `page-${n}`, n < 5), clock)
    const proc = recordingProcess(clock)
    await mode.runOnce(pull.source, proc.process)
    expect(proc.values()).toEqual([10, 11, 20, 21, 30, 31, 40, 41, 50, 51])
    expect(proc.batches.at(-1)?.cursor).toBe('page-5')
    expect(mode.metrics()).toMatchObject({ cycles: 1, pages: 5, recordsFetched: 10, recordsProcessed: 10 })
  })

  it('stops at max_pages_per_cycle', async () => {
    const { ctx, clock } = modeTestContext()
    const mode = await createMode(batchMode, { max_pages_per_cycle: 3 }, ctx)
    const pull = fakePull((n) => pageOf([n], n, true), clock)
    await mode.runOnce(pull.source, recordingProcess(clock).process)
    expect(pull.starts).toHaveLength(3)
  })
})
