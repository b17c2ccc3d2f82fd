/**
 * Dotted config paths (`sources.firms.ingestion.mode`, `plugins[0]`), the form every config issue
 * names its place by.
 */

/** One step of a path: a map key, or a list index. */
export type PathSegment = string | number

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/

/**
 * Formats segments as a dotted path: `kafka.sasl.password`, `plugins[0]`, and `sources["a.b"]` for a
 * key that is not plain.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (PLAIN_KEY.test(segment)) out += out ? `.${segment}` : segment
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

/**
 * Parses a dotted path back into segments. Accepts what {@link formatPath} and the SDK's
 * `pointerToPath` write; `[n]` becomes the number n.
 */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = []
  let rest = path
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      rest = rest.slice(1)
      continue
    }
    const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest)
    if (quoted?.[1]) {
      segments.push(JSON.parse(quoted[1]) as string)
      rest = rest.slice(quoted[0].length)
      continue
    }
    const index = /^\[(\d+)\]/.exec(rest)
    if (index?.[1]) {
      segments.push(Number(index[1]))
      rest = rest.slice(index[0].length)
      continue
    }
    const key = /^[^.[]+/.exec(rest)?.[0] ?? rest.slice(0, 1)
    segments.push(key)
    rest = rest.slice(key.length)
  }
  return segments
}

/** Converts a JSON pointer (`/a/0/b`) to segments, using `value` to tell list indexes from map keys. */
export function pointerToSegments(pointer: string, value: unknown): PathSegment[] {
  const segments: PathSegment[] = []
  let node = value
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    const segment: PathSegment = Array.isArray(node) && /^\d+$/.test(part) ? Number(part) : part
    segments.push(segment)
    node = node !== null && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[segment] : undefined
  }
  return segments
}

/** The value at `segments` inside a plain JS value, or undefined. */
export function valueAt(value: unknown, segments: readonly PathSegment[]): unknown {
  let node = value
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<PathSegment, unknown>)[segment]
  }
  return node
}

/**
 * The segments of a path as they are in `root`: a key that contains dots, written unquoted by
 * someone else (`sources.firms.us.topic` for the source `firms.us`), is joined back into one
 * segment. Segments past what `root` holds are kept as they are.
 */
export function canonicalSegments(root: unknown, segments: readonly PathSegment[]): PathSegment[] {
  const out: PathSegment[] = []
  let node = root
  let i = 0
  while (i < segments.length) {
    if (node === null || typeof node !== 'object') break
    const container = node as Record<string, unknown>
    let step = 0
    for (let j = i; j < segments.length && step === 0; j++) {
      const key =
        j === i
          ? segments[i]!
          : segments
              .slice(i, j + 1)
              .map(String)
              .join('.')
      if (Object.hasOwn(container, String(key))) {
        out.push(Array.isArray(node) ? Number(key) : typeof key === 'number' ? String(key) : key)
        node = container[String(key)]
        step = j - i + 1
      }
    }
    if (step === 0) break
    i += step
  }
  return [...out, ...segments.slice(i)]
}
