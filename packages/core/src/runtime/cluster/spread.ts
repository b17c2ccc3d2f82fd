/**
 * The even, sticky spread of source slots over workers: every worker gets ⌊n/m⌋ or ⌈n/m⌉ slots,
 * and a slot stays with the worker that runs it whenever the balance allows, so a rebalance moves
 * as few sources as possible (6 sources over 3 workers: 2 each; a fourth joins: 2 move).
 */

/** A worker taking part in the spread. */
export interface SpreadMember {
  readonly id: string
  /** Slots it runs now. */
  readonly owned: readonly number[]
}

/**
 * Spreads `slots` slots (0..slots-1) over `members`; returns each member's sorted slots. Members
 * are taken in id order, so every leader computes the same spread from the same input.
 */
export function spreadSlots(members: readonly SpreadMember[], slots: number): Map<string, number[]> {
  const ordered = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const result = new Map<string, number[]>(ordered.map((m) => [m.id, []]))
  if (ordered.length === 0 || slots <= 0) return result
  const base = Math.floor(slots / ordered.length)
  let extra = slots % ordered.length
  const taken = new Set<number>()
  // keep what each runs, up to ⌈n/m⌉, first come first kept (a slot two claim goes to the first)
  for (const m of ordered) {
    const mine = result.get(m.id)!
    for (const slot of [...m.owned].sort((a, b) => a - b)) {
      if (slot < 0 || slot >= slots || taken.has(slot) || mine.length >= base + (extra > 0 ? 1 : 0)) continue
      mine.push(slot)
      taken.add(slot)
    }
  }
  // only `extra` members may hold ⌈n/m⌉: the ones that keep most keep theirs, the others give one back
  const over = ordered.filter((m) => result.get(m.id)!.length > base)
  over.sort((a, b) => result.get(b.id)!.length - result.get(a.id)!.length)
  for (const [i, m] of over.entries()) {
    if (i < extra) continue
    const mine = result.get(m.id)!
    while (mine.length > base) taken.delete(mine.pop()!)
  }
  extra -= Math.min(extra, over.length)
  const free = Array.from({ length: slots }, (_, i) => i).filter((s) => !taken.has(s))
  // fill everyone up to ⌊n/m⌋, then hand the rest out one each
  for (const m of ordered) {
    const mine = result.get(m.id)!
    while (mine.length < base && free.length > 0) mine.push(free.shift()!)
  }
  for (const m of ordered) {
    if (free.length === 0 || extra === 0) break
    const mine = result.get(m.id)!
    if (mine.length === base) {
      mine.push(free.shift()!)
      extra--
    }
  }
  for (const mine of result.values()) mine.sort((a, b) => a - b)
  return result
}
