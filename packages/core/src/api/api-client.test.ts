import { type PollRequest, type PollResult, RetryableError } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { ApiClient, type ApiClientOptions } from './api-client'
import { ManualClock } from './manual-clock'

/** A connector that records its calls and answers with `answer`. */
function fakeConnector(answer: (request: PollRequest, call: number) => Promise<PollResult> | PollResult) {
  const requests: PollRequest[] = []
  return {
    requests,
    connector: {
      poll: async (request: PollRequest) => {
        requests.push(request)
        return answer(request, requests.length)
      },
    },
  }
}

const page = (n: number): PollResult => ({ records: [{ value: n }], cursor: n })
const never = (): Promise<PollResult> => new Promise(() => {})

function client(connector: ApiClientOptions['connector'], extra: Partial<ApiClientOptions> = {}) {
  const clock = new ManualClock(0)
  const api = new ApiClient({ sourceId: 'firms', connector, clock, rateLimitPerMinute: 6000, ...extra })
  return { api, clock }
}

describe('ApiClient', () => {
  it('passes the cursor and an AbortSignal to the connector and returns its result', async () => {
    const fake = fakeConnector((_, call) => page(call))
    const { api } = client(fake.connector)
    await expect(api.poll({ cursor: { since: 'x' } })).resolves.toEqual(page(1))
    expect(fake.requests[0]?.cursor).toEqual({ since: 'x' })
    expect(fake.requests[0]?.signal).toBeInstanceOf(AbortSignal)
    expect(api.getMetrics()).toMatchObject({ total_calls: 1, api_calls: 1, successful_calls: 1, success_rate: 1 })
  })

  describe('rate limit', () => {
    it('waits for a token when the bucket is empty and counts the wait', async () => {
      const fake = fakeConnector((_, call) => page(call))
      const { api, clock } = client(fake.connector, { rateLimitPerMinute: 60, cacheTtlSeconds: 0 })
      await api.poll({ cursor: 1 })
      let second: PollResult | undefined
      void api.poll({ cursor: 2 }).then((r) => {
        second = r
      })
      await clock.advance(999)
      expect(second).toBeUndefined()
      expect(fake.requests).toHaveLength(1)
      await clock.advance(1)
      expect(second).toEqual(page(2))
      expect(api.getMetrics()).toMatchObject({ rate_limit_waits: 1, rate_limit_wait_seconds_total: 1 })
    })

    it('gives up the wait when the caller aborts', async () => {
      const fake = fakeConnector((_, call) => page(call))
      const { api } = client(fake.connector, { rateLimitPerMinute: 1, cacheTtlSeconds: 0 })
      await api.poll({ cursor: 1 })
      const ac = new AbortController()
      const waiting = api.poll({ cursor: 2, signal: ac.signal })
      ac.abort()
      await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      expect(fake.requests).toHaveLength(1)
      expect(api.getMetrics()).toMatchObject({ aborted_calls: 1, failed_calls: 0 })
    })
  })

  describe('timeout', () => {
    it('aborts the connector and throws ERR_TIMEOUT naming the source and the timeout', async () => {
      const fake = fakeConnector(never)
      const { api, clock } = client(fake.connector, { timeoutSeconds: 30 })
      const pending = api.poll({ cursor: undefined })
      pending.catch(() => {})
      await clock.advance(29_999)
      expect(fake.requests[0]?.signal.aborted).toBe(false)
      await clock.advance(1)
      await expect(pending).rejects.toMatchObject({
        code: 'ERR_TIMEOUT',
        message: 'poll of source "firms" timed out after 30 s',
      })
      expect(fake.requests[0]?.signal.aborted).toBe(true)
      expect(api.getMetrics()).toMatchObject({
        timeouts: 1,
        failed_calls: 1,
        success_rate: 0,
        last_error: 'poll of source "firms" timed out after 30 s',
        last_error_at: new Date(30_000).toISOString(),
      })
    })

    it('reports ERR_TIMEOUT also when the connector rejects on its aborted signal', async () => {
      const fake = fakeConnector(
        ({ signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('AbortError')))),
      )
      const { api, clock } = client(fake.connector, { timeoutSeconds: 1 })
      const pending = api.poll({ cursor: undefined })
      pending.catch(() => {})
      await clock.advance(1000)
      await expect(pending).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    })

    it('passes the caller abort to the connector and throws ERR_ABORTED', async () => {
      const fake = fakeConnector(never)
      const { api, clock } = client(fake.connector)
      const ac = new AbortController()
      const pending = api.poll({ cursor: undefined, signal: ac.signal })
      await clock.flush()
      ac.abort(new Error('stream stopping'))
      await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      expect(fake.requests[0]?.signal.aborted).toBe(true)
      expect(api.getMetrics()).toMatchObject({ aborted_calls: 1, failed_calls: 0, timeouts: 0 })
      expect(clock.pendingTimers).toBe(0)
    })
  })

  describe('cache', () => {
    it('reuses a result for the same cursor within the TTL, without a call or a token', async () => {
      const fake = fakeConnector((_, call) => page(call))
      const { api, clock } = client(fake.connector, { cacheTtlSeconds: 60, rateLimitPerMinute: 1 })
      const first = await api.pollDetailed({ cursor: { since: 'a' } })
      await clock.advance(59_999)
      const again = await api.pollDetailed({ cursor: { since: 'a' } })
      expect(first).toEqual({ result: page(1), cached: false })
      expect(again).toEqual({ result: page(1), cached: true })
      expect(fake.requests).toHaveLength(1)
      expect(api.getMetrics()).toMatchObject({
        cache_hits: 1,
        cache_misses: 1,
        cache_hit_rate: 0.5,
        rate_limit_waits: 0,
      })
    })

    it('misses for another cursor and after the TTL expires', async () => {
      const fake = fakeConnector((_, call) => page(call))
      const { api, clock } = client(fake.connector, { cacheTtlSeconds: 10 })
      await api.poll({ cursor: undefined })
      await expect(api.poll({ cursor: 1 })).resolves.toEqual(page(2))
      await clock.advance(10_000)
      await expect(api.poll({ cursor: undefined })).resolves.toEqual(page(3))
      expect(api.getMetrics()).toMatchObject({ cache_hits: 0, cache_misses: 3, cache_hit_rate: 0 })
    })

    it('is off with a TTL of 0', async () => {
      const fake = fakeConnector((_, call) => page(call))
      const { api } = client(fake.connector, { cacheTtlSeconds: 0 })
      await api.poll({ cursor: 1 })
      await api.poll({ cursor: 1 })
      expect(fake.requests).toHaveLength(2)
      expect(api.getMetrics()).toMatchObject({
        cache_enabled: false,
        cache_hits: 0,
        cache_misses: 0,
        cache_hit_rate: null,
      })
    })

    it('does not cache failures', async () => {
      const fake = fakeConnector((_, call) => {
        if (call === 1) throw new RetryableError('HTTP 503')
        return page(call)
      })
      const { api } = client(fake.connector)
      await expect(api.poll({ cursor: 1 })).rejects.toMatchObject({ code: 'ERR_RETRYABLE', message: 'HTTP 503' })
      await expect(api.poll({ cursor: 1 })).resolves.toEqual(page(2))
      expect(api.getMetrics()).toMatchObject({
        failed_calls: 1,
        successful_calls: 1,
        success_rate: 0.5,
        last_error: 'HTTP 503',
      })
    })

    it('keeps at most maxCacheEntries, dropping the least recently used', async () => {
      const fake = fakeConnector((_, call) => page(call))
      const { api } = client(fake.connector, { maxCacheEntries: 2 })
      await api.poll({ cursor: 'a' })
      await api.poll({ cursor: 'b' })
      await api.poll({ cursor: 'a' }) // hit: 'a' is now the most recently used
      await api.poll({ cursor: 'c' }) // evicts 'b'
      expect(api.getMetrics().cache_size).toBe(2)
      await api.poll({ cursor: 'a' })
      await api.poll({ cursor: 'b' })
      expect(fake.requests.map((r) => r.cursor)).toEqual(['a', 'b', 'c', 'b'])
    })
  })

  it('measures latency of connector calls', async () => {
    const clock = new ManualClock(0)
    const delays = [100, 300, 200]
    const connector = { poll: async () => clock.sleep(delays.shift()!).then(() => page(0)) }
    const api = new ApiClient({ sourceId: 's', connector, clock, cacheTtlSeconds: 0, rateLimitPerMinute: 6000 })
    for (let i = 0; i < 3; i++) {
      const p = api.poll({ cursor: i })
      await clock.advance(300)
      await p
    }
    expect(api.getMetrics()).toMatchObject({
      avg_latency_ms: 200,
      p50_latency_ms: 200,
      p99_latency_ms: 300,
      max_latency_ms: 300,
      last_success_at: expect.any(String),
    })
  })

  it('rejects a poll result without a records array', async () => {
    const connector = { poll: async () => ({ data: [] }) as unknown as PollResult }
    const { api } = client(connector)
    await expect(api.poll({ cursor: undefined })).rejects.toMatchObject({
      code: 'ERR_HOOK_FAILED',
      message: expect.stringMatching(/source "firms" returned no records array/),
    })
  })

  it('starts with empty figures', () => {
    const { api } = client(fakeConnector(() => page(0)).connector)
    expect(api.getMetrics()).toMatchObject({
      source_id: 'firms',
      total_calls: 0,
      success_rate: null,
      avg_latency_ms: null,
      p99_latency_ms: null,
      last_error: null,
      last_success_at: null,
      rate_limit_per_minute: 6000,
      timeout_seconds: 30,
    })
  })
})
