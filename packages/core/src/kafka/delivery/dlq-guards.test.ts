import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../../test/kafka/fakes'
import { DlqRateLimiter, FailureRateGuard } from './dlq-guards'

describe('DlqRateLimiter', () => {
  it('lets through at most max_records_per_minute and counts the rest', async () => {
    const clock = new FakeClock()
    const cap = new DlqRateLimiter(5, clock)
    expect(cap.take(3)).toBe(3)
    expect(cap.take(4)).toBe(2)
    expect(cap.take(1)).toBe(0)
    expect(cap.cappedRecords).toBe(3)
    expect(cap.waitMs(1)).toBe(60_000)
    await clock.advance(30_000)
    expect(cap.available()).toBe(0)
    await clock.advance(30_000)
    expect(cap.available()).toBe(5)
    expect(cap.waitMs(5)).toBe(0)
  })

  it('slides: room comes back as old dead letters leave the minute', async () => {
    const clock = new FakeClock()
    const cap = new DlqRateLimiter(4, clock)
    cap.take(2)
    await clock.advance(30_000)
    cap.take(2)
    expect(cap.available()).toBe(0)
    await clock.advance(30_000)
    expect(cap.available()).toBe(2)
  })
})

describe('FailureRateGuard', () => {
  const options = { threshold: 0.5, windowMs: 60_000, pauseMs: 30_000, minRecords: 10 }

  it('pauses when the failed share of the window crosses the threshold, then resumes', async () => {
    const clock = new FakeClock()
    const guard = new FailureRateGuard(options, clock)
    expect(guard.record(6, 0)).toBeUndefined()
    expect(guard.record(0, 5)).toBeUndefined() // 5 of 11: under 50 %
    const pause = guard.record(0, 2) // 7 of 13
    expect(pause).toMatchObject({ failed: 7, total: 13, until: clock.now() + 30_000 })
    expect(guard.paused()).toBe(true)
    expect(guard.pauses).toBe(1)
    await clock.advance(29_999)
    expect(guard.paused()).toBe(true)
    await clock.advance(1)
    expect(guard.paused()).toBe(false)
    expect(guard.rate()).toBe(0) // the window starts afresh after a pause
  })

  it('does not pause on a handful of failures', () => {
    const guard = new FailureRateGuard(options, new FakeClock())
    expect(guard.record(0, 9)).toBeUndefined()
    expect(guard.paused()).toBe(false)
  })

  it('forgets outcomes older than the window', async () => {
    const clock = new FakeClock()
    const guard = new FailureRateGuard(options, clock)
    guard.record(0, 8)
    await clock.advance(61_000)
    expect(guard.record(20, 2)).toBeUndefined()
    expect(guard.rate()).toBeCloseTo(2 / 22)
  })
})
