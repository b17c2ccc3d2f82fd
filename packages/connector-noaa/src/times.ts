/** Strict ISO-8601 date-times as NWS writes them; anything else (placeholders, free text) is refused. */

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/

/** The instant of an ISO-8601 date-time with a zone, as UTC `…Z`; `undefined` when `value` is not one. */
export function isoUtc(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ISO.test(value)) return undefined
  // Date.parse rolls impossible days over (Feb 31 → Mar 3); a real calendar day is required.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number]
  const day = new Date(Date.UTC(y, m - 1, d))
  if (day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

/** `JSON.stringify` of `value`, cut to `max` characters for messages. */
export function shown(value: unknown, max = 80): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > max ? `${text.slice(0, max)}…` : text
}
