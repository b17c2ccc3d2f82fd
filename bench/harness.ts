/**
 * The benchmark harness: each `bench/*.bench.ts` default-exports a function returning rows.
 * Figures are medians over repeated runs on a shared, noisy machine; ratios are measured side by
 * side in the same run.
 */

/** One line of the printed table and of bench/results.json. */
export interface BenchRow {
  /** Group, e.g. `queue`, `firms-parse`, `kafka`. */
  readonly suite: string
  /** What was measured, e.g. `enqueue+dequeue pairs/s @ 1M`. */
  readonly name: string
  readonly value: number
  readonly unit: string
  /** Target, when the spec gives one, e.g. `>= 10000000`. */
  readonly target?: string
  readonly note?: string
  /**
   * More figures of the same subject (e.g. a contestant's CPU and memory next to its rate). Rows
   * that have them are printed in a table of their suite, one column per key.
   */
  readonly columns?: Readonly<Record<string, number>>
}

/** A benchmark module's default export. */
export type Bench = () => Promise<BenchRow[]>

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Percentile (0–100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** Runs `fn` `runs` times and returns the median of what it returns (e.g. ops/s). */
export async function medianOf(runs: number, fn: () => Promise<number> | number): Promise<number> {
  const values: number[] = []
  for (let i = 0; i < runs; i++) values.push(await fn())
  return median(values)
}
