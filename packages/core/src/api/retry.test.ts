import { ConnectorConfigError, RetryableError } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { ManualClock } from './manual-clock'
import { isRetryableError, RetryAfterTooLongError, retryPoll, type RetryInfo } from './retry'

/** An attempt function that throws the given errors in turn, then returns 'ok'. */
function failing(...errors: unknown[]) {
  const calls: number[] = []
  const fn = async (attempt: number): Promise<string> => {
    calls.push(attempt)
    const err = errors.shift()
    if (err !== undefined) throw err
    return 'ok'
  }
  return { fn, calls }
}

describe('retryPoll', () => {
  it('retries transient errors with exponential backoff and returns the result', async () => {
    const clock = new ManualClock(0)
    const { fn, calls } = failing(new RetryableError('503'), new RetryableError('503'))
    const retries: RetryInfo[] = []
    const result = retryPoll(fn, { clock, random: () => 0, baseMs: 1000, onRetry: (r) => retries.push(r) })
    await clock.advance(10_000)
    await expect(result).resolves.toBe('ok')
    expect(calls).toEqual([0, 1, 2])
    // random 0: 20 % under the nominal 1 s, 2 s delays (the SDK's backoffDelay)
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 800],
      [2, 1600],
    ])
  })

  it('waits at least the retryAfterMs the remote asked for', async () => {
    const clock = new ManualClock(0)
    const { fn } = failing(new RetryableError('429', { retryAfterMs: 45_000 }))
    const retries: RetryInfo[] = []
    const result = retryPoll(fn, { clock, random: () => 0, onRetry: (r) => retries.push(r) })
    await clock.advance(44_999)
    expect(retries[0]?.delayMs).toBe(45_000)
    let done = false
    void result.then(() => {
      done = true
    })
    await clock.flush()
    expect(done).toBe(false)
    await clock.advance(1)
    await expect(result).resolves.toBe('ok')
  })

  it('does not wait for a Retry-After longer than maxRetryAfterMs: it fails at once, saying so', async () => {
    const clock = new ManualClock(0)
    const asked = new RetryableError('FIRMS rate limit (HTTP 429)', { retryAfterMs: 86_400_000 })
    const { fn, calls } = failing(asked)
    const retries: RetryInfo[] = []
    const err = await retryPoll(fn, { clock, maxRetryAfterMs: 300_000, onRetry: (r) => retries.push(r) }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(RetryAfterTooLongError)
    expect(err).toMatchObject({ code: 'ERR_RETRYABLE', askedMs: 86_400_000, maxMs: 300_000, cause: asked })
    expect((err as Error).message).toBe(
      'FIRMS rate limit (HTTP 429): the remote asked to wait 86400 s before retrying, more than max_retry_after_seconds (300 s); not retried now: this source is tried again at its next scheduled poll (with --once: at the next run)',
    )
    expect(calls).toEqual([0])
    expect(retries).toEqual([])
    expect(clock.now()).toBe(0)
  })

  it('caps the asked wait at 5 minutes by default, and honours one within the cap', async () => {
    const over = failing(new RetryableError('429', { retryAfterMs: 300_001 }))
    await expect(retryPoll(over.fn, { clock: new ManualClock(0) })).rejects.toBeInstanceOf(RetryAfterTooLongError)
    const clock = new ManualClock(0)
    const within = failing(new RetryableError('429', { retryAfterMs: 300_000 }))
    const result = retryPoll(within.fn, { clock, random: () => 0 })
    await clock.advance(300_000)
    await expect(result).resolves.toBe('ok')
  })

  it('never retries a ConnectorConfigError', async () => {
    const { fn, calls } = failing(new ConnectorConfigError('invalid MAP_KEY'))
    await expect(retryPoll(fn, { clock: new ManualClock() })).rejects.toMatchObject({ code: 'ERR_CONNECTOR_CONFIG' })
    expect(calls).toEqual([0])
  })

  it('throws the last error unchanged when the retries run out', async () => {
    const clock = new ManualClock()
    const last = new RetryableError('still down')
    const { fn, calls } = failing(new RetryableError('down'), new RetryableError('down'), last)
    const result = retryPoll(fn, { clock, maxRetries: 2 })
    result.catch(() => {})
    await clock.advance(60_000)
    await expect(result).rejects.toBe(last)
    expect(calls).toEqual([0, 1, 2])
  })

  it('stops waiting when the signal aborts', async () => {
    const clock = new ManualClock()
    const ac = new AbortController()
    const cause = new RetryableError('down')
    const { fn, calls } = failing(cause)
    const result = retryPoll(fn, { clock, signal: ac.signal })
    await clock.flush()
    ac.abort()
    await expect(result).rejects.toMatchObject({ code: 'ERR_ABORTED', cause })
    expect(calls).toEqual([0])
  })

  it('retries network TypeErrors and timeouts but not programming errors', async () => {
    const clock = new ManualClock()
    const network = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
    const { fn, calls } = failing(network, Object.assign(new Error('slow'), { code: 'ERR_TIMEOUT' }))
    const result = retryPoll(fn, { clock })
    await clock.advance(60_000)
    await expect(result).resolves.toBe('ok')
    expect(calls).toEqual([0, 1, 2])

    const bug = failing(new TypeError('connector.parse is not a function'))
    await expect(retryPoll(bug.fn, { clock })).rejects.toBeInstanceOf(TypeError)
    expect(bug.calls).toEqual([0])
  })

  it('accepts a custom retry rule', async () => {
    const clock = new ManualClock()
    const { fn, calls } = failing(new Error('flaky'))
    const result = retryPoll(fn, { clock, isRetryable: () => true })
    await clock.advance(10_000)
    await expect(result).resolves.toBe('ok')
    expect(calls).toEqual([0, 1])
  })
})

describe('isRetryableError', () => {
  it('classifies by code and by kind', () => {
    expect(isRetryableError(new RetryableError('x'))).toBe(true)
    expect(isRetryableError(new ConnectorConfigError('x'))).toBe(false)
    expect(isRetryableError(new TypeError('fetch failed'))).toBe(true)
    expect(isRetryableError(new TypeError('x is undefined'))).toBe(false)
    expect(isRetryableError(new Error('boom'))).toBe(false)
    expect(isRetryableError('string')).toBe(false)
  })
})
