/**
 * "Did you mean" suggestions for misspelt keys and values.
 */

/** Edit distance with adjacent transpositions (optimal string alignment, a Damerau–Levenshtein variant). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const row = d[i]!
      let best = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      row[j] = best
    }
  }
  return d[a.length]![b.length]!
}

// `queueMaxSize`, `Queue-Max-Size` and `queue_max_size` all compare equal.
const normalise = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]/g, '_')
    .toLowerCase()

/**
 * The candidate closest to `input`, when it is close enough to be a plausible typo: the same
 * words in another case or separator style, a prefix (`drop_old` → `drop_oldest`), a part
 * (`newest` → `drop_newest`), or at most
 * max(2, a third of the longer length) edits away.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const wanted = normalise(input)
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    if (candidate === input) continue
    const norm = normalise(candidate)
    if (norm === wanted) return candidate
    let distance = editDistance(wanted, norm)
    if (wanted.length >= 3 && norm.startsWith(wanted)) distance = Math.min(distance, 1)
    else if (wanted.length >= 4 && norm.includes(wanted)) distance = Math.min(distance, 2)
    const limit = Math.max(2, Math.floor(Math.max(wanted.length, norm.length) / 3))
    if (distance <= limit && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}
