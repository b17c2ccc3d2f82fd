import { describe, expect, it } from 'vitest'
import { FakeClock } from '../../../test/kafka/fakes'
import { RetryController } from './retry-controller'

const opts = { baseMs: 1000, maxMs: 30_000 }

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
