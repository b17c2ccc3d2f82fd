/**
 * The API client (the seed's `ConnectorAPIClient`): wraps one pull connector's `poll` with a
 * rate limit, a timeout and a response cache, and measures it.
 * @packageDocumentation
 */
import {
  type Clock,
  type Cursor,
  FirefrontError,
  type PollRequest,
  type PollResult,
  type PullConnector,
  systemClock,
} from '@firefront/sdk'
import { TokenBucket } from './token-bucket'

/** Options of {@link ApiClient}; the seed's per-source keys in camelCase. */
export interface ApiClientOptions {
  /** The source this client serves; named in errors and metrics. */
  readonly sourceId: string
  /** The connector whose `poll` is wrapped (only `poll` is used). */
  readonly connector: Pick<PullConnector, 'poll'>
  /** `rate_limit_per_minute`. Default 60. */
  readonly rateLimitPerMinute?: number
  /** Largest burst of calls; default one second's worth (see {@link TokenBucket}). */
  readonly rateLimitBurst?: number
  /** `timeout_seconds`: the bound of one connector call. Default 30. */
  readonly timeoutSeconds?: number
  /** `cache_ttl_seconds`: how long a result is reused for the same cursor; 0 disables. Default 60. */
  readonly cacheTtlSeconds?: number
  /** The most results kept; the least recently used goes first. Default 256. */
  readonly maxCacheEntries?: number
  /** Default: the system clock. Injectable so tests run without real waits. */
  readonly clock?: Clock
  /** Told of every connector call that ended (not of cache hits or aborts), for a duration histogram. */
  readonly onCallEnded?: (call: { durationMs: number; outcome: 'success' | 'failure' | 'timeout' }) => void
}

/** Arguments of {@link ApiClient.poll}: the connector's {@link PollRequest}, the signal optional. */
export interface ApiPollRequest {
  readonly cursor: Cursor | undefined
  /** The caller's cancellation; combined with the timeout before it reaches the connector. */
  readonly signal?: AbortSignal
}

/** The client's figures in the seed's snake_case shape (`StreamManager.getMetrics()` per-stream `api`). */
export type ApiClientMetrics = {
  source_id: string
  /** `poll()` calls, cache hits included. */
  total_calls: number
  /** Calls that reached the connector. */
  api_calls: number
  successful_calls: number
  /** Connector calls that threw or timed out. */
  failed_calls: number
  timeouts: number
  /** Calls the caller cancelled (not failures). */
  aborted_calls: number
  /** `successful_calls / (successful_calls + failed_calls)`, or null before the first call ends. */
  success_rate: number | null
  cache_enabled: boolean
  cache_hits: number
  cache_misses: number
  /** `cache_hits / (cache_hits + cache_misses)`, or null before the first lookup. */
  cache_hit_rate: number | null
  cache_size: number
  rate_limit_per_minute: number
  /** Calls that waited for the rate limit. */
  rate_limit_waits: number
  rate_limit_wait_seconds_total: number
  tokens_available: number
  timeout_seconds: number
  /** Latency of connector calls over the last 1024, in milliseconds; null before the first. */
  avg_latency_ms: number | null
  p50_latency_ms: number | null
  p99_latency_ms: number | null
  max_latency_ms: number | null
  last_error: string | null
  last_error_at: string | null
  last_success_at: string | null
}

interface CacheEntry {
  readonly result: PollResult
  readonly expiresAt: number
}

const LATENCY_WINDOW = 1024

/** The cache key of a cursor; `undefined` (the very first poll) has its own. */
function cacheKey(cursor: Cursor | undefined): string {
  return cursor === undefined ? '\u0000initial' : JSON.stringify(cursor)
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/**
 * Wraps one pull connector's `poll`:
 *
 * 1. **Cache** — a successful result is reused for the same cursor (compared as JSON) for
 *    `cacheTtlSeconds`; a hit costs no rate-limit token and no call.
 * 2. **Rate limit** — a token bucket refilled at `rateLimitPerMinute`; an empty bucket waits
 *    (honouring the caller's signal) and counts the wait.
 * 3. **Timeout** — the connector gets an AbortSignal that aborts after `timeoutSeconds` or when
 *    the caller's signal aborts. A connector that ignores its signal is not waited for: the call
 *    settles at the timeout all the same.
 *
 * Retries are not done here: the caller wraps `poll` with {@link retryPoll} (or lets the next
 * cycle retry). Errors from the connector are rethrown unchanged, so `err.code` still tells
 * `ERR_RETRYABLE` from `ERR_CONNECTOR_CONFIG`.
 *
 * @example
 * ```ts
 * const api = new ApiClient({ sourceId: 'firms', connector, rateLimitPerMinute: 10, timeoutSeconds: 30 })
 * const { records, cursor } = await api.poll({ cursor: lastCursor, signal })
 * ```
 */
export class ApiClient {
  readonly sourceId: string
  readonly timeoutSeconds: number
  readonly cacheTtlSeconds: number
  private readonly connector: Pick<PullConnector, 'poll'>
  private readonly bucket: TokenBucket
  private readonly clock: Clock
  private readonly maxCacheEntries: number
  private readonly cache = new Map<string, CacheEntry>()
  private readonly latencies: number[] = []
  private latencyNext = 0
  private latencySum = 0
  private latencyCount = 0
  private latencyMax = 0
  private counts = { total: 0, api: 0, ok: 0, failed: 0, timeouts: 0, aborted: 0, hits: 0, misses: 0 }
  private lastError: { message: string; at: number } | undefined
  private lastSuccessAt: number | undefined
  private readonly onCallEnded: ApiClientOptions['onCallEnded']

  constructor(options: ApiClientOptions) {
    this.sourceId = options.sourceId
    this.connector = options.connector
    this.clock = options.clock ?? systemClock
    this.onCallEnded = options.onCallEnded
    this.timeoutSeconds = options.timeoutSeconds ?? 30
    if (!(this.timeoutSeconds > 0))
      throw new RangeError(`timeoutSeconds must be more than 0, got ${this.timeoutSeconds}`)
    this.cacheTtlSeconds = options.cacheTtlSeconds ?? 60
    if (!(this.cacheTtlSeconds >= 0))
      throw new RangeError(`cacheTtlSeconds must be 0 or more, got ${this.cacheTtlSeconds}`)
    this.maxCacheEntries = Math.max(1, options.maxCacheEntries ?? 256)
    this.bucket = new TokenBucket({
      ratePerMinute: options.rateLimitPerMinute ?? 60,
      capacity: options.rateLimitBurst,
      clock: this.clock,
    })
  }

  /**
   * Polls the connector from `cursor`, through the cache, the rate limit and the timeout.
   *
   * @throws FirefrontError `ERR_TIMEOUT` when the connector takes longer than `timeoutSeconds`.
   * @throws FirefrontError `ERR_ABORTED` when the caller's signal aborts (while waiting for the
   * rate limit or during the call).
   * @throws whatever the connector throws, unchanged.
   */
  async poll(request: ApiPollRequest): Promise<PollResult> {
    return (await this.pollDetailed(request)).result
  }

  /**
   * {@link ApiClient.poll}, saying whether the result came from the cache. A cached result holds
   * the records an earlier poll already returned; a caller that must not hand them on twice
   * (a connector whose cursor did not move) can skip it.
   */
  async pollDetailed(request: ApiPollRequest): Promise<{ readonly result: PollResult; readonly cached: boolean }> {
    const { cursor, signal } = request
    this.counts.total++
    const key = this.cacheTtlSeconds > 0 ? cacheKey(cursor) : undefined
    if (key !== undefined) {
      const cached = this.cacheGet(key)
      if (cached) {
        this.counts.hits++
        return { result: cached, cached: true }
      }
      this.counts.misses++
    }
    if (signal?.aborted) throw this.aborted(signal)
    try {
      await this.bucket.take(signal)
    } catch (err) {
      this.counts.aborted++
      throw err
    }
    const result = await this.call(cursor, signal)
    if (key !== undefined) this.cacheSet(key, result)
    return { result, cached: false }
  }

  /** Forgets every cached result. */
  clearCache(): void {
    this.cache.clear()
  }

  /** The client's figures in the seed's snake_case shape. */
  getMetrics(): ApiClientMetrics {
    const c = this.counts
    const ended = c.ok + c.failed
    const lookups = c.hits + c.misses
    const sorted = [...this.latencies].sort((a, b) => a - b)
    const stats = this.bucket.stats()
    const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())
    return {
      source_id: this.sourceId,
      total_calls: c.total,
      api_calls: c.api,
      successful_calls: c.ok,
      failed_calls: c.failed,
      timeouts: c.timeouts,
      aborted_calls: c.aborted,
      success_rate: ended === 0 ? null : c.ok / ended,
      cache_enabled: this.cacheTtlSeconds > 0,
      cache_hits: c.hits,
      cache_misses: c.misses,
      cache_hit_rate: lookups === 0 ? null : c.hits / lookups,
      cache_size: this.cache.size,
      rate_limit_per_minute: this.bucket.ratePerMinute,
      rate_limit_waits: stats.waits,
      rate_limit_wait_seconds_total: stats.waitedMs / 1000,
      tokens_available: Math.max(0, stats.available),
      timeout_seconds: this.timeoutSeconds,
      avg_latency_ms: this.latencyCount === 0 ? null : this.latencySum / this.latencyCount,
      p50_latency_ms: sorted.length === 0 ? null : percentile(sorted, 50),
      p99_latency_ms: sorted.length === 0 ? null : percentile(sorted, 99),
      max_latency_ms: this.latencyCount === 0 ? null : this.latencyMax,
      last_error: this.lastError?.message ?? null,
      last_error_at: iso(this.lastError?.at),
      last_success_at: iso(this.lastSuccessAt),
    }
  }

  /** One connector call under the timeout and the caller's signal. */
  private async call(cursor: Cursor | undefined, signal: AbortSignal | undefined): Promise<PollResult> {
    this.counts.api++
    const controller = new AbortController()
    const timer = new AbortController()
    const timeoutError = new FirefrontError(
      'ERR_TIMEOUT',
      `poll of source "${this.sourceId}" timed out after ${this.timeoutSeconds} s`,
    )
    let timedOut = false
    const onCallerAbort = (): void => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onCallerAbort, { once: true })
    // Settles the race below even when the connector ignores its signal.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
    })
    aborted.catch(() => {})
    this.clock.sleep(this.timeoutSeconds * 1000, timer.signal).then(
      () => {
        timedOut = true
        controller.abort(timeoutError)
      },
      () => {}, // cancelled: the call ended first
    )
    const started = this.clock.now()
    const pollRequest: PollRequest = { cursor, signal: controller.signal }
    try {
      const result = await Promise.race([Promise.resolve().then(() => this.connector.poll(pollRequest)), aborted])
      if (typeof result !== 'object' || result === null || !Array.isArray(result.records)) {
        throw new FirefrontError(
          'ERR_HOOK_FAILED',
          `the connector of source "${this.sourceId}" returned no records array from poll`,
        )
      }
      this.observeLatency(this.clock.now() - started, 'success')
      this.counts.ok++
      this.lastSuccessAt = this.clock.now()
      return result
    } catch (err) {
      if (timedOut) {
        this.observeLatency(this.clock.now() - started, 'timeout')
        this.counts.failed++
        this.counts.timeouts++
        this.recordError(timeoutError.message)
        throw timeoutError
      }
      if (signal?.aborted) {
        this.counts.aborted++
        throw this.aborted(signal)
      }
      this.observeLatency(this.clock.now() - started, 'failure')
      this.counts.failed++
      this.recordError(err instanceof Error ? err.message : String(err))
      throw err
    } finally {
      timer.abort()
      signal?.removeEventListener('abort', onCallerAbort)
    }
  }

  private aborted(signal: AbortSignal): FirefrontError {
    return new FirefrontError('ERR_ABORTED', `poll of source "${this.sourceId}" was aborted`, { cause: signal.reason })
  }

  private recordError(message: string): void {
    this.lastError = { message, at: this.clock.now() }
  }

  private observeLatency(ms: number, outcome: 'success' | 'failure' | 'timeout'): void {
    this.onCallEnded?.({ durationMs: ms, outcome })
    this.latencies[this.latencyNext] = ms
    this.latencyNext = (this.latencyNext + 1) % LATENCY_WINDOW
    this.latencySum += ms
    this.latencyCount++
    if (ms > this.latencyMax) this.latencyMax = ms
  }

  private cacheGet(key: string): PollResult | undefined {
    const entry = this.cache.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.clock.now()) {
      this.cache.delete(key)
      return undefined
    }
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.cache.delete(key)
    this.cache.set(key, entry)
    return entry.result
  }

  private cacheSet(key: string, result: PollResult): void {
    this.cache.delete(key)
    this.cache.set(key, { result, expiresAt: this.clock.now() + this.cacheTtlSeconds * 1000 })
    while (this.cache.size > this.maxCacheEntries) {
      const oldest = this.cache.keys().next().value
      if (oldest === undefined) break
      this.cache.delete(oldest)
    }
  }
}
