/**
 * Logs dropped records without flooding the log: the first drop of a source and reason is logged
 * at once, later ones are summed and logged at most once per interval.
 */
import type { Clock, Logger } from '@firefront/sdk'

interface Pending {
  count: number
  lastLoggedAt: number
  timer?: ReturnType<typeof setTimeout>
}

/** A rate-limited logger of drops; see the module comment. */
export class DropLog {
  readonly #pending = new Map<string, Pending>()

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = 10_000,
  ) {}

  /** Notes `count` records of `sourceId` dropped for `reason`. */
  note(sourceId: string, reason: string, count: number): void {
    const key = `${sourceId}\u0000${reason}`
    let p = this.#pending.get(key)
    const now = this.clock.now()
    if (!p) {
      p = { count: 0, lastLoggedAt: Number.NEGATIVE_INFINITY }
      this.#pending.set(key, p)
    }
    p.count += count
    if (now - p.lastLoggedAt >= this.intervalMs) {
      this.#emit(sourceId, reason, p, now)
    } else if (!p.timer) {
      const timer = setTimeout(() => this.#emit(sourceId, reason, p!, this.clock.now()), this.intervalMs)
      timer.unref?.()
      p.timer = timer
    }
  }

  #emit(sourceId: string, reason: string, p: Pending, now: number): void {
    if (p.timer) clearTimeout(p.timer)
    p.timer = undefined
    if (p.count === 0) return
    this.logger.warn(
      { source: sourceId, reason, count: p.count },
      `${p.count} record(s) dropped (${reason}); counted in dropped_by_reason`,
    )
    p.count = 0
    p.lastLoggedAt = now
  }

  /** Logs what is still pending (at shutdown). */
  flush(): void {
    for (const [key, p] of this.#pending) {
      const [sourceId, reason] = key.split('\u0000') as [string, string]
      this.#emit(sourceId, reason, p, this.clock.now())
    }
  }
}
