/**
 * The FIRMS transaction budget: 5000 transactions per 10-minute interval per MAP_KEY.
 *
 * Cost model (FIRMS documents only that multi-day requests count as several transactions): an
 * area or country request costs one transaction per day of its DAY_RANGE; any other call
 * (data_availability, mapkey_status) costs one. The window slides: a transaction stops counting
 * ten minutes after it was spent. Every connector instance in the process that uses one MAP_KEY
 * shares one budget.
 */
import { createHash } from 'node:crypto'
import type { Clock } from '@firefront/sdk'

/** FIRMS's interval for the transaction limit. */
export const TRANSACTION_WINDOW_MS = 10 * 60_000

interface Spend {
  readonly at: number
  readonly cost: number
}

/** A sliding-window counter that makes callers wait instead of going over the limit. */
export class TransactionBudget {
  private readonly spent: Spend[] = []
  private used = 0

  constructor(
    /** Transactions allowed per window. */
    public limit: number,
    /** Length of the window, ms. */
    public windowMs: number = TRANSACTION_WINDOW_MS,
  ) {}

  /** Transactions counted in the window ending at `now`. */
  usedAt(now: number): number {
    this.expire(now)
    return this.used
  }

  /** Records `cost` transactions spent at `now` without waiting (e.g. ones the key had already spent). */
  record(cost: number, now: number): void {
    if (cost <= 0) return
    this.spent.push({ at: now, cost })
    this.used += cost
  }

  /** How long from `now` until `cost` more transactions fit (0 when they fit now). */
  waitFor(cost: number, now: number): number {
    this.expire(now)
    const need = Math.min(cost, this.limit)
    let excess = this.used + need - this.limit
    if (excess <= 0) return 0
    for (const s of this.spent) {
      excess -= s.cost
      if (excess <= 0) return Math.max(1, s.at + this.windowMs - now)
    }
    return this.windowMs
  }

  /**
   * Waits until `cost` transactions fit, then records them. Resolves with the time waited (ms).
   * Rejects with the signal's reason if it aborts while waiting. A cost above the whole limit is
   * counted as the limit, so it can still go (after the window has emptied).
   */
  async acquire(cost: number, clock: Clock, signal?: AbortSignal): Promise<number> {
    const started = clock.now()
    for (;;) {
      signal?.throwIfAborted()
      const now = clock.now()
      const wait = this.waitFor(cost, now)
      if (wait === 0) {
        this.record(Math.min(cost, this.limit), now)
        return now - started
      }
      await clock.sleep(wait, signal)
    }
  }

  private expire(now: number): void {
    const from = now - this.windowMs
    let drop = 0
    while (drop < this.spent.length && this.spent[drop]!.at <= from) {
      this.used -= this.spent[drop]!.cost
      drop++
    }
    if (drop > 0) this.spent.splice(0, drop)
  }
}

const shared = new Map<string, TransactionBudget>()

/**
 * The budget of one MAP_KEY, shared across connector instances in this process. The key is held
 * only as a hash. A lower `limit` from a later instance lowers the shared limit.
 */
export function budgetForKey(mapKey: string, limit: number): TransactionBudget {
  const id = createHash('sha256').update(mapKey).digest('hex')
  let budget = shared.get(id)
  if (budget === undefined) {
    budget = new TransactionBudget(limit)
    shared.set(id, budget)
  } else if (limit < budget.limit) {
    budget.limit = limit
  }
  return budget
}
