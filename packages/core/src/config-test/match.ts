/** Compares what a case produced with what it expects; each mismatch is one line of text. */
import { HEADERS } from '@firefront/sdk'
import type { ExpectedDeadLetter, ExpectedRecord } from './cases'
import type { WrittenMessage } from './memory-sink'

/** True when `actual` has everything `expected` gives: objects by the keys given, arrays element by element. */
export function partialMatch(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => partialMatch(e, actual[i]))
    )
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false
    const a = actual as Record<string, unknown>
    return Object.entries(expected).every(([k, v]) => partialMatch(v, a[k]))
  }
  return Object.is(expected, actual)
}

const recordMatches = (e: ExpectedRecord, m: WrittenMessage): boolean =>
  (e.topic === undefined || e.topic === m.topic) &&
  (e.key === undefined || e.key === m.key) &&
  (e.headers === undefined || partialMatch(e.headers, m.headers)) &&
  (e.value === undefined || partialMatch(e.value, m.value))

const deadLetterMatches = (e: ExpectedDeadLetter, m: WrittenMessage): boolean =>
  (e.reason === undefined || (m.headers[HEADERS.error] ?? '').includes(e.reason)) &&
  (e.code === undefined || m.headers[HEADERS.errorCode] === e.code) &&
  (e.rejected === undefined || (m.headers[HEADERS.rejected] === 'true') === e.rejected)

/** Pairs each expectation with a distinct message (first fit); lists what is left on either side. */
function pair<E>(
  expected: readonly E[],
  actual: readonly WrittenMessage[],
  matches: (e: E, m: WrittenMessage) => boolean,
): { missing: E[]; extra: WrittenMessage[] } {
  const left = [...actual]
  const missing: E[] = []
  for (const e of expected) {
    const i = left.findIndex((m) => matches(e, m))
    if (i === -1) missing.push(e)
    else left.splice(i, 1)
  }
  return { missing, extra: left }
}

const show = (m: WrittenMessage): string =>
  JSON.stringify({ topic: m.topic, key: m.key, headers: m.headers, value: m.value }).slice(0, 400)

/** Every difference between the expectations and the messages written, one line each. */
export function compare(
  expect: { records?: readonly ExpectedRecord[]; dead_letters?: readonly ExpectedDeadLetter[] },
  records: readonly WrittenMessage[],
  deadLetters: readonly WrittenMessage[],
): string[] {
  const out: string[] = []
  if (expect.records !== undefined) {
    const { missing, extra } = pair(expect.records, records, recordMatches)
    for (const e of missing) out.push(`expected a record ${JSON.stringify(e)}, none matches`)
    for (const m of extra) out.push(`unexpected record ${show(m)}`)
  }
  if (expect.dead_letters !== undefined) {
    const { missing, extra } = pair(expect.dead_letters, deadLetters, deadLetterMatches)
    for (const e of missing) out.push(`expected a dead letter ${JSON.stringify(e)}, none matches`)
    for (const m of extra)
      out.push(`unexpected dead letter (${m.headers[HEADERS.errorCode] ?? '?'}: ${m.headers[HEADERS.error] ?? '?'})`)
  }
  return out
}
