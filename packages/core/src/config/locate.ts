/**
 * Maps a config path to the line and column it is written at, through the parsed YAML document.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml'
import type { LocateAt, PathSegment } from '@firefront/sdk'

export type { LocateAt }

/** A 1-based place in the config file. */
export interface SourcePosition {
  readonly line: number
  readonly column: number
}

/**
 * Returns the position of `segments`. A path that exists points at its value (at its key for a
 * block map or list, or an empty value), or at its key with `at: 'key'`. A path that does not exist
 * (a missing key) points at the key of the deepest ancestor that does.
 */
export type Locator = (segments: readonly PathSegment[], at?: LocateAt) => SourcePosition

type AnyPair = Pair<unknown, unknown>

const isMergeKey = (key: unknown): boolean => isScalar(key) && typeof key.value === 'symbol'

const keyText = (key: unknown): string | undefined =>
  isScalar(key) && typeof key.value !== 'symbol' ? String(key.value) : undefined

/** Builds the {@link Locator} of a parsed document. */
export function createLocator(doc: Document, lineCounter: LineCounter): Locator {
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const resolve = (node: unknown): unknown => {
    let current = node
    // aliases cannot nest deeply; the bound guards against a malformed document
    for (let i = 0; i < 64 && isAlias(current); i++) current = current.resolve(doc)
    return current
  }
  const findPair = (map: unknown, key: string, depth = 0): AnyPair | undefined => {
    if (!isMap(map) || depth > 16) return undefined
    const items = map.items as AnyPair[]
    const direct = items.find((pair) => keyText(pair.key) === key)
    if (direct) return direct
    // a `<<: *anchor` merge brings the anchor's keys in
    for (const pair of items) {
      if (!isMergeKey(pair.key)) continue
      const value = resolve(pair.value)
      for (const source of isSeq(value) ? value.items : [value]) {
        const found = findPair(resolve(source), key, depth + 1)
        if (found) return found
      }
    }
    return undefined
  }
  const startOf = (node: unknown): number | undefined => {
    const range = (node as Node | null)?.range
    return Array.isArray(range) ? range[0] : undefined
  }
  const keyPosition = (pair: AnyPair): SourcePosition | undefined => {
    const start = startOf(pair.key)
    return start === undefined ? undefined : position(start)
  }
  const root = (): SourcePosition => {
    const start = startOf(doc.contents)
    return start === undefined ? { line: 1, column: 1 } : position(start)
  }

  return (segments, at = 'value') => {
    let node: unknown = doc.contents
    let pair: AnyPair | undefined
    let i = 0
    while (i < segments.length) {
      const target = resolve(node)
      const segment = segments[i]!
      let step = 0
      if (isMap(target)) {
        // a key may itself contain dots (`sources.a.b` for the source `a.b`): try longer keys too
        for (let j = i; j < segments.length && step === 0; j++) {
          const found = findPair(
            target,
            segments
              .slice(i, j + 1)
              .map(String)
              .join('.'),
          )
          if (found) {
            pair = found
            node = found.value
            step = j - i + 1
          }
        }
      } else if (isSeq(target) && /^\d+$/.test(String(segment))) {
        const item = target.items[Number(segment)]
        if (item !== undefined) {
          pair = undefined
          node = item
          step = 1
        }
      }
      if (step === 0) break
      i += step
    }
    const found = i === segments.length
    if (found && at === 'value') {
      const start = startOf(node)
      const empty = isScalar(node) && (node as { source?: string }).source === '' && node.value === null
      const block = (isMap(node) || isSeq(node)) && !node.flow
      if (start !== undefined && !empty && !(block && pair)) return position(start)
    }
    if (pair) return keyPosition(pair) ?? root()
    if (i > 0) {
      const start = startOf(node)
      if (start !== undefined) return position(start)
    }
    return root()
  }
}
