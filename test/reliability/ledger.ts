/**
 * What every reliability test reports: how many records were expected, lost, duplicated and
 * accounted for (delivered, dropped where a drop strategy says so, or dead-lettered). One line per
 * test on stdout, and with `FIREFRONT_RELIABILITY_RESULTS=file` one JSON line appended to that file
 * (`npm run test:reliability` writes test/reliability/results.jsonl, which docs/reliability.md quotes).
 */
import { appendFileSync } from 'node:fs'

/** `npm run test:reliability` sets FIREFRONT_RELIABILITY=long; `npm test` runs the short versions. */
export const LONG = process.env.FIREFRONT_RELIABILITY === 'long'

/** One test's figures. */
export interface Figures {
  /** Records the test produced or checked. */
  readonly checked: number
  readonly lost: number
  readonly duplicated: number
  /** Records whose fate is known: delivered once, or dropped/dead-lettered and counted as such. */
  readonly accounted: number
  /** Anything else worth printing (drops by reason, restarts, RSS). */
  readonly detail?: string
  /** Measurements to keep in the results file. */
  readonly measured?: Readonly<Record<string, number | string>>
}

/** Prints the figures of one test and appends them to the results file when one is named. */
export function report(name: string, f: Figures): void {
  const line = `reliability | ${name}: checked ${f.checked}, lost ${f.lost}, duplicated ${f.duplicated}, accounted ${f.accounted}/${f.checked}${f.detail ? ` | ${f.detail}` : ''}`
  process.stdout.write(`${line}\n`)
  const file = process.env.FIREFRONT_RELIABILITY_RESULTS
  if (file) {
    appendFileSync(
      file,
      `${JSON.stringify({ name, scale: LONG ? 'long' : 'short', at: new Date().toISOString(), ...f })}\n`,
    )
  }
}

/** Delivered copies per expected key: which keys are missing and how many extra copies arrived. */
export function tally(
  expected: Iterable<string>,
  seen: ReadonlyMap<string, number>,
): { checked: number; lost: string[]; duplicated: number; unexpected: number } {
  const lost: string[] = []
  let checked = 0
  let duplicated = 0
  const want = new Set<string>()
  for (const key of expected) {
    want.add(key)
    checked++
    const n = seen.get(key) ?? 0
    if (n === 0) lost.push(key)
    else duplicated += n - 1
  }
  let unexpected = 0
  for (const [key, n] of seen) if (!want.has(key)) unexpected += n
  return { checked, lost, duplicated, unexpected }
}
