import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../../test/kafka/fakes'
import { backoffDelay, RetryController } from './retry-controller'

const opts = { baseMs: 1000, maxMs: 30_000 }

describe('backoffDelay', () => {
  it('doubles from the base: 1, 2, 4, 8 s', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts, () => 0.5))).toEqual([1000, 2000, 4000, 8000])
  })

  it('jitters by ±20 % around each step', () => {
    expect(backoffDelay(1, opts, () => 0)).toBe(800)
    expect(backoffDelay(1, opts, () => 0.999999)).toBe(1200)
    expect(backoffDelay(3, opts, () => 0)).toBe(3200)
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(4800)
  })

  it('caps the delay at retry_backoff_max', () => {
    expect(backoffDelay(3, { baseMs: 1000, maxMs: 3000 }, () => 0.5)).toBe(3000)
    expect(backoffDelay(40, { baseMs: 1000, maxMs: 30_000 }, () => 0.999999)).toBe(30_000)
  })
})

describe('RetryController', () => {
  it('holds every caller at one gate, and the delay grows with the failures of the whole producer', async () => {
    const clock = new FakeClock()
    const retry = new RetryController(opts, clock, () => 0.5)
    expect(retry.failure()).toBe(1000)
    const passed: string[] = []
    const a = retry.wait().then(() => passed.push('a'))
    const b = retry.wait().then(() => passed.push('b'))
    await clock.advance(999)
    expect(passed).toEqual([])
    await clock.advance(1)
    await Promise.all([a, b])
    expect(passed).toEqual(['a', 'b'])
    // A second failure, from whichever send, backs off for 2 s, not 1 s again.
    expect(retry.failure()).toBe(2000)
    retry.success()
    expect(retry.state()).toEqual({ consecutiveFailures: 0, backoffUntil: 0 })
    expect(retry.failure()).toBe(1000)
  })

  it('opens at once when not backing off', async () => {
    const clock = new FakeClock()
    const retry = new RetryController(opts, clock)
    await retry.wait()
    expect(clock.sleeps).toEqual([])
  })
})
