/**
 * A token bucket: the rate limit of one source's API calls (`rate_limit_per_minute`).
 * @packageDocumentation
 */
import { type Clock, FirefrontError, systemClock } from '@firefront/sdk'

/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per minute (the seed's `rate_limit_per_minute`); more than 0. */
  readonly ratePerMinute: number
  /**
   * The most tokens it holds, i.e. the largest burst. Default: one second's worth, at least 1
   * (`max(1, floor(ratePerMinute / 60))`), so a limit of N per minute never allows much more than
   * N calls in any one minute, even after a quiet spell.
   */
  readonly capacity?: number
  /** Default: the system clock. */
  readonly clock?: Clock
}

/** Token bucket figures. */
export interface TokenBucketStats {
  /** Takes that had to wait for a token. */
  readonly waits: number
  /** Milliseconds spent waiting, in total. */
  readonly waitedMs: number
  /** Tokens available now (negative while takers wait). */
  readonly available: number
}

/**
 * Starts full; refills continuously at `ratePerMinute / 60000` tokens per millisecond up to
 * `capacity`. {@link TokenBucket.take} waits when it is empty.
 *
 * Concurrent takers are served in order by reservation: each take removes its token at once
 * (the balance may go negative) and waits until the refill has covered it, so no taker can be
 * overtaken and none waits longer than its place in line requires.
 */
export class TokenBucket {
  readonly ratePerMinute: number
  readonly capacity: number
  private readonly perMs: number
  private readonly clock: Clock
  private tokens: number
  private last: number
  private waitCount = 0
  private waitedTotal = 0

  constructor(options: TokenBucketOptions) {
    const { ratePerMinute } = options
    if (!(ratePerMinute > 0) || !Number.isFinite(ratePerMinute)) {
      throw new RangeError(`ratePerMinute must be a positive number, got ${ratePerMinute}`)
    }
    const capacity = options.capacity ?? Math.max(1, Math.floor(ratePerMinute / 60))
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`)
    this.ratePerMinute = ratePerMinute
    this.capacity = capacity
    this.perMs = ratePerMinute / 60_000
    this.clock = options.clock ?? systemClock
    this.tokens = capacity
    this.last = this.clock.now()
  }

  /** Takes a token if one is available now; never waits. */
  tryTake(): boolean {
    this.refill()
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  /**
   * Takes a token, waiting for the refill when none is available.
   *
   * @returns the milliseconds it waited (0 when a token was there).
   * @throws FirefrontError `ERR_ABORTED` when `signal` aborts first; the token is given back.
   */
  async take(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw abortError(signal)
    this.refill()
    this.tokens -= 1
    if (this.tokens >= 0) return 0
    const waitMs = Math.ceil(-this.tokens / this.perMs)
    this.waitCount++
    const started = this.clock.now()
    try {
      await this.clock.sleep(waitMs, signal)
    } catch (err) {
      this.tokens += 1
      throw signal?.aborted ? abortError(signal) : err
    } finally {
      this.waitedTotal += this.clock.now() - started
    }
    return waitMs
  }

  /** Tokens available now (negative while takers wait for theirs). */
  available(): number {
    this.refill()
    return this.tokens
  }

  stats(): TokenBucketStats {
    return { waits: this.waitCount, waitedMs: this.waitedTotal, available: this.available() }
  }

  private refill(): void {
    const now = this.clock.now()
    const elapsed = now - this.last
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perMs)
      this.last = now
    }
  }
}

function abortError(signal: AbortSignal): FirefrontError {
  return new FirefrontError('ERR_ABORTED', 'aborted while waiting for the rate limit', { cause: signal.reason })
}
