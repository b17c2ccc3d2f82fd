import type { Clock } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { TRANSACTION_WINDOW_MS, TransactionBudget, budgetForKey } from './budget'

/** A clock whose sleep moves time forward at once. */
const manualClock = (start = 0): Clock & { slept: number[] } => {
  let t = start
  const slept: number[] = []
  return {
    slept,
    now: () => t,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted()
      slept.push(ms)
      t += ms
    },
  }
}

describe('TransactionBudget', () => {
  it('lets transactions through until the limit, then waits for the oldest to leave the 10-minute window', async () => {
    const clock = manualClock(1_000_000)
    const budget = new TransactionBudget(10)
    expect(await budget.acquire(5, clock)).toBe(0)
    expect(await budget.acquire(5, clock)).toBe(0)
    expect(budget.usedAt(clock.now())).toBe(10)
    const waited = await budget.acquire(1, clock)
    expect(waited).toBe(TRANSACTION_WINDOW_MS)
    expect(clock.slept).toEqual([TRANSACTION_WINDOW_MS])
    expect(budget.usedAt(clock.now())).toBe(1)
  })

  it('slides: a transaction frees its slot exactly one window after it was spent', () => {
    const budget = new TransactionBudget(3)
    budget.record(1, 0)
    budget.record(2, 60_000)
    expect(budget.waitFor(1, 60_000)).toBe(TRANSACTION_WINDOW_MS - 60_000)
    expect(budget.waitFor(2, 60_000)).toBe(TRANSACTION_WINDOW_MS) // needs the 60 s spend gone too
    expect(budget.waitFor(1, TRANSACTION_WINDOW_MS)).toBe(0)
    expect(budget.usedAt(TRANSACTION_WINDOW_MS + 60_000)).toBe(0)
  })

  it('counts a cost above the limit as the limit, so it can still go', async () => {
    const clock = manualClock()
    const budget = new TransactionBudget(3)
    expect(await budget.acquire(5, clock)).toBe(0)
    expect(budget.usedAt(clock.now())).toBe(3)
  })

  it('stops waiting when the signal aborts', async () => {
    const budget = new TransactionBudget(1)
    const clock: Clock = {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
    }
    await budget.acquire(1, clock)
    const controller = new AbortController()
    const waiting = budget.acquire(1, clock, controller.signal)
    controller.abort(new Error('stopping'))
    await expect(waiting).rejects.toThrow('stopping')
    expect(budget.usedAt(0)).toBe(1)
  })

  it('is shared by every instance using one MAP_KEY; a lower limit wins', () => {
    const a = budgetForKey('budget-test-key-a', 5000)
    expect(budgetForKey('budget-test-key-a', 4000)).toBe(a)
    expect(a.limit).toBe(4000)
    expect(budgetForKey('budget-test-key-b', 5000)).not.toBe(a)
  })
})
