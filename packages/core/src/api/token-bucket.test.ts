import { describe, expect, it } from 'vitest'
import { ManualClock } from './manual-clock'
import { TokenBucket } from './token-bucket'

describe('TokenBucket', () => {
  it('starts full and refills at the rate per minute', async () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ ratePerMinute: 60, capacity: 2, clock })
    expect(bucket.tryTake()).toBe(true)
    expect(bucket.tryTake()).toBe(true)
    expect(bucket.tryTake()).toBe(false)
    await clock.advance(999)
    expect(bucket.tryTake()).toBe(false)
    await clock.advance(1)
    expect(bucket.tryTake()).toBe(true)
  })

  it('never holds more than its capacity', async () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ ratePerMinute: 60, capacity: 3, clock })
    await clock.advance(3_600_000)
    expect(bucket.available()).toBe(3)
  })

  it('defaults the capacity to one second of tokens, at least one', () => {
    expect(new TokenBucket({ ratePerMinute: 600 }).capacity).toBe(10)
    expect(new TokenBucket({ ratePerMinute: 5 }).capacity).toBe(1)
  })

  it('take waits for the refill when empty and counts the wait', async () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ ratePerMinute: 30, clock }) // one token per 2 s
    await expect(bucket.take()).resolves.toBe(0)
    let waited: number | undefined
    void bucket.take().then((ms) => {
      waited = ms
    })
    await clock.advance(1999)
    expect(waited).toBeUndefined()
    await clock.advance(1)
    expect(waited).toBe(2000)
    expect(bucket.stats()).toMatchObject({ waits: 1, waitedMs: 2000 })
  })

  it('serves concurrent takers in order, one refill interval apart', async () => {
    const clock = new ManualClock(0)
    const bucket = new TokenBucket({ ratePerMinute: 60, clock })
    const times: number[] = []
    const takes = [1, 2, 3].map(() => bucket.take().then(() => times.push(clock.now())))
    await clock.advance(5000)
    await Promise.all(takes)
    expect(times).toEqual([0, 1000, 2000])
  })

  it('an aborted wait rejects with ERR_ABORTED and gives its token back', async () => {
    const clock = new ManualClock()
    const bucket = new TokenBucket({ ratePerMinute: 60, clock })
    await bucket.take()
    const ac = new AbortController()
    const waiting = bucket.take(ac.signal)
    expect(bucket.available()).toBe(-1)
    ac.abort(new Error('stop'))
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    expect(bucket.available()).toBe(0)
    await expect(bucket.take(AbortSignal.abort())).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('rejects a rate that is not positive', () => {
    expect(() => new TokenBucket({ ratePerMinute: 0 })).toThrow(/ratePerMinute/)
    expect(() => new TokenBucket({ ratePerMinute: 10, capacity: 0 })).toThrow(/capacity/)
  })
})
