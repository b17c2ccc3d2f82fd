/**
 * Logs dropped records without flooding the log: the first drop of a source and reason is logged
 * at once, later ones are summed and logged at most once per interval.
 */
import type { Clock, Logger } from '@firefront/sdk'

interface Pending {
  count: number
  /** The latest noted example (e.g. a rejected input's reason and location). */
  example?: Record<string, unknown>
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
    private readonly describe: (count: number, reason: string) => string = (count, reason) =>
      `${count} record(s) dropped (${reason}); counted in dropped_by_reason`,
    /** The logger already binds `source` (a stream's child logger): a line names it once. */
    private readonly sourceBound = false,
  ) {}

  /** Notes `count` records of `sourceId` dropped for `reason`, with an optional example for the log line. */
  note(sourceId: string, reason: string, count: number, example?: Record<string, unknown>): void {
    const key = `${sourceId}\u0000${reason}`
    let p = this.#pending.get(key)
    const now = this.clock.now()
    if (!p) {
      p = { count: 0, lastLoggedAt: Number.NEGATIVE_INFINITY }
      this.#pending.set(key, p)
    }
    p.count += count
    if (example) p.example = example
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
      {
        ...(this.sourceBound ? {} : { source: sourceId }),
        reason,
        count: p.count,
        ...(p.example ? { example: p.example } : {}),
      },
      this.describe(p.count, reason),
    )
    p.count = 0
    p.example = undefined
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
