/**
 * The two brakes on the dead-letter path: a cap on dead-lettered records per minute, and a
 * failure-rate threshold that pauses sending instead of dead-lettering everything when most
 * records fail (a misconfigured topic, a revoked ACL).
 */
import type { Clock } from '@firefront/sdk'

/** Counts in one-second buckets over a sliding window. */
class SlidingCounts {
  private readonly buckets: Array<{ second: number; a: number; b: number }> = []

  constructor(
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  add(a: number, b = 0): void {
    const second = Math.floor(this.clock.now() / 1000)
    const last = this.buckets.at(-1)
    if (last && last.second === second) {
      last.a += a
      last.b += b
    } else this.buckets.push({ second, a, b })
    this.prune()
  }

  totals(): { a: number; b: number } {
    this.prune()
    let a = 0
    let b = 0
    for (const x of this.buckets) {
      a += x.a
      b += x.b
    }
    return { a, b }
  }

  /** Epoch ms when the oldest bucket leaves the window (undefined when empty). */
  oldestExpiry(): number | undefined {
    this.prune()
    const first = this.buckets[0]
    return first ? first.second * 1000 + this.windowMs : undefined
  }

  clear(): void {
    this.buckets.length = 0
  }

  private prune(): void {
    const floor = this.clock.now() - this.windowMs
    while (this.buckets.length > 0 && this.buckets[0]!.second * 1000 <= floor) this.buckets.shift()
  }
}

/** Caps dead-lettered records per minute (`dlq.max_records_per_minute`). */
export class DlqRateLimiter {
  private readonly counts: SlidingCounts
  private capped = 0

  constructor(
    readonly maxPerMinute: number,
    private readonly clock: Clock,
  ) {
    this.counts = new SlidingCounts(60_000, clock)
  }

  /** Room left in the current minute. */
  available(): number {
    return Math.max(0, this.maxPerMinute - this.counts.totals().a)
  }

  /** Takes room for up to `n` records; returns how many may go to the dead-letter topic now. */
  take(n: number): number {
    const allowed = Math.min(n, this.available())
    if (allowed > 0) this.counts.add(allowed)
    this.capped += n - allowed
    return allowed
  }

  /** Records `n` dead-lettered records whatever the room (a spooled dead-letter entry sent whole). */
  consume(n: number): void {
    this.counts.add(n)
  }

  /** Milliseconds until at least `n` (at most the cap) records fit; 0 when they fit now. */
  waitMs(n: number): number {
    if (this.available() >= Math.min(n, this.maxPerMinute)) return 0
    const expiry = this.counts.oldestExpiry()
    return expiry === undefined ? 0 : Math.max(1, expiry - this.clock.now())
  }

  /** Records that found the cap reached (and were spooled instead). */
  get cappedRecords(): number {
    return this.capped
  }
}

/** Settings of {@link FailureRateGuard}. */
export interface FailureRateOptions {
  /** Share of failed records (0–1) above which sending pauses (`dlq.failure_rate_threshold`). */
  readonly threshold: number
  /** Window of the rate (`dlq.window_seconds`), in ms. */
  readonly windowMs: number
  /** How long a pause lasts (`dlq.pause_seconds`), in ms. */
  readonly pauseMs: number
  /** Records the window must hold before the rate counts. */
  readonly minRecords: number
}

/** Why sending paused, as {@link FailureRateGuard.record} reports it. */
export interface PauseEvent {
  readonly failed: number
  readonly total: number
  readonly rate: number
  readonly until: number
}

/**
 * Watches the share of records that fail (are refused and dead-lettered) and pauses sending for
 * `pauseMs` when it crosses the threshold. The window starts afresh after each pause.
 */
export class FailureRateGuard {
  private readonly counts: SlidingCounts
  private pausedUntil = 0
  private pauseCount = 0

  constructor(
    private readonly options: FailureRateOptions,
    private readonly clock: Clock,
  ) {
    this.counts = new SlidingCounts(options.windowMs, clock)
  }

  /** Adds an outcome; returns a {@link PauseEvent} when this outcome starts a pause. */
  record(delivered: number, failed: number): PauseEvent | undefined {
    if (delivered + failed === 0) return undefined
    this.counts.add(delivered, failed)
    if (this.paused()) return undefined
    const { a, b } = this.counts.totals()
    const total = a + b
    const rate = total === 0 ? 0 : b / total
    if (total < this.options.minRecords || rate <= this.options.threshold) return undefined
    this.pausedUntil = this.clock.now() + this.options.pauseMs
    this.pauseCount++
    this.counts.clear()
    return { failed: b, total, rate, until: this.pausedUntil }
  }

  /** True while a pause lasts. */
  paused(): boolean {
    return this.clock.now() < this.pausedUntil
  }

  /** Epoch ms when the pause ends (0 or past when not paused). */
  get until(): number {
    return this.pausedUntil
  }

  /** Pauses so far. */
  get pauses(): number {
    return this.pauseCount
  }

  /** The failure rate over the current window. */
  rate(): number {
    const { a, b } = this.counts.totals()
    return a + b === 0 ? 0 : b / (a + b)
  }
}
