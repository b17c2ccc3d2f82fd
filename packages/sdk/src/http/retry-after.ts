/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date. */

/** Milliseconds asked by a Retry-After header value (seconds or an HTTP date), if it parses. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined
  const value = header.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
