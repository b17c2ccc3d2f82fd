/**
 * The one backoff rule of Firefront, for plugins as for the runtime: the API client's poll
 * retries, the producer's retries and the queue consumer's re-sends all wait by it.
 * @packageDocumentation
 */

/** Backoff settings, in milliseconds. */
export interface BackoffOptions {
  /** First delay, doubled each attempt: base, 2·base, 4·base... */
  readonly baseMs: number
  /** Cap of one delay. */
  readonly maxMs: number
  /** Share of the delay randomised either way (0.2 → ±20 %, the default, as kafkajs and the Java client use). */
  readonly jitter?: number
  /** A number in [0, 1); `Math.random` by default (tests pass a fixed one). */
  readonly random?: () => number
}

/** The default share of jitter: ±20 %. */
export const DEFAULT_BACKOFF_JITTER = 0.2

/**
 * The delay before retry number `attempt` (1-based): `baseMs · 2^(attempt-1)`, randomised by
 * ±`jitter` so that many retrying clients spread out, then capped at `maxMs`.
 *
 * @example
 * ```ts
 * backoffDelay(3, { baseMs: 1000, maxMs: 30_000, random: () => 0.5 }) // 4000
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const jitter = Math.min(1, Math.max(0, options.jitter ?? DEFAULT_BACKOFF_JITTER))
  const random = options.random ?? Math.random
  const nominal = options.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30))
  const jittered = nominal * (1 - jitter + 2 * jitter * random())
  return Math.max(0, Math.min(options.maxMs, Math.round(jittered)))
}
