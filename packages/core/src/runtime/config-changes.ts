/**
 * What changed between two configs, for a reload: which sources were added, removed or changed,
 * and which top-level keys outside `sources:` changed (those need a restart).
 */
import { isDeepStrictEqual } from 'node:util'
import type { FirefrontConfig } from '../config/schema'

/** The difference of two configs, as a reload sees it. */
export interface ConfigChanges {
  readonly added: readonly string[]
  readonly removed: readonly string[]
  readonly changed: readonly string[]
  readonly unchanged: readonly string[]
  /** Top-level keys other than `sources` and `plugins` whose values differ. */
  readonly outside: readonly string[]
}

type Raw = { sources?: Record<string, unknown> } | undefined

/**
 * Compares `before` and `after` (validated, defaults applied) and, when given, the blocks as
 * written (`rawBefore`, `rawAfter`): a source block that differs in either is changed. `plugins`
 * may change freely: a source restarted after a reload uses the plugins of the new file.
 */
export function configChanges(
  before: FirefrontConfig,
  after: FirefrontConfig,
  rawBefore?: unknown,
  rawAfter?: unknown,
): ConfigChanges {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  const outside = [...keys]
    .filter((k) => k !== 'sources' && k !== 'plugins')
    .filter((k) => !isDeepStrictEqual((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k]))
    .sort()
  const old = before.sources
  const now = after.sources
  const rawOld = (rawBefore as Raw)?.sources ?? {}
  const rawNow = (rawAfter as Raw)?.sources ?? {}
  const added = Object.keys(now).filter((id) => !(id in old))
  const removed = Object.keys(old).filter((id) => !(id in now))
  const changed: string[] = []
  const unchanged: string[] = []
  for (const id of Object.keys(now).filter((i) => i in old)) {
    const same = isDeepStrictEqual(old[id], now[id]) && isDeepStrictEqual(rawOld[id], rawNow[id])
    ;(same ? unchanged : changed).push(id)
  }
  return { added, removed, changed, unchanged, outside }
}
