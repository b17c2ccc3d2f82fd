/**
 * A {@link Clock} whose time moves only when told to: tests of rate limits, timeouts, caches and
 * schedules run in microseconds and never depend on the machine's speed.
 * @packageDocumentation
 */
import type { Clock } from '@firefront/sdk'

interface Timer {
  readonly at: number
  readonly seq: number
  readonly resolve: () => void
}

/** Lets pending promise callbacks and I/O callbacks run (one macrotask turn). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * A clock for tests. `sleep` registers a timer; {@link ManualClock.advance} moves time forward,
 * firing due timers in order and letting the code they wake up run before the next one fires.
 *
 * @example
 * ```ts
 * const clock = new ManualClock()
 * const done = clock.sleep(1000).then(() => 'woke')
 * await clock.advance(1000)   // done resolves now
 * ```
 */
export class ManualClock implements Clock {
  private current: number
  private timers: Timer[] = []
  private seq = 0

  /** @param start - the initial time, in milliseconds since the epoch. */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
    })
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.length
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, earliest first; after each,
   * lets the woken code run (it may set new timers, which fire too when they fall in range).
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms
    for (let guard = 0; guard < 100_000; guard++) {
      await turn()
      const next = this.nextDue(target)
      if (!next) break
      this.timers = this.timers.filter((t) => t !== next)
      this.current = Math.max(this.current, next.at)
      next.resolve()
    }
    this.current = Math.max(this.current, target)
    await turn()
  }

  /** Lets pending callbacks run without moving time. */
  async flush(): Promise<void> {
    await turn()
    await turn()
  }

  private nextDue(target: number): Timer | undefined {
    let best: Timer | undefined
    for (const t of this.timers) {
      if (t.at > target) continue
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    }
    return best
  }
}
