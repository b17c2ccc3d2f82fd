/** Date-time helpers shared by the payload formats. */

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/
// Tasmota's ISO form, and v5's localised one (`2017.11.04 10:05:12` in German builds).
const LOCAL = /^(\d{4})([-.])(\d{2})\2(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?$/

/** Parses an RFC 3339 date-time (with `Z` or an offset) to ISO-8601 UTC; undefined when it is not one. */
export function rfc3339ToUtc(text: unknown): string | undefined {
  if (typeof text !== 'string' || !RFC3339.test(text)) return undefined
  // Date.parse reads at most milliseconds; drop finer digits (TTN sends nanoseconds).
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1').replace(' ', 'T'))
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  const wall = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  )
  return wall - Math.floor(ms / 1000) * 1000
}

/**
 * Reads a local date-time without offset (`2023-05-21T01:06:38`) as wall-clock time in `timeZone`
 * and returns it as ISO-8601 UTC. In a DST gap or overlap the earlier offset wins.
 */
export function localToUtc(text: unknown, timeZone: string): string | undefined {
  if (typeof text !== 'string') return undefined
  const withOffset = rfc3339ToUtc(text)
  if (withOffset) return withOffset
  const m = LOCAL.exec(text)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = [m[1], m[3], m[4], m[5], m[6], m[7]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, Number((m[8] ?? '0').padEnd(3, '0')))
  const check = new Date(wall)
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined
  const first = wall - offsetAt(wall, timeZone)
  const second = wall - offsetAt(first, timeZone)
  return new Date(Math.min(first, second)).toISOString()
}
