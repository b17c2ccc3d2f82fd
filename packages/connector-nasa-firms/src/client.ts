/**
 * HTTP to FIRMS: URL building, the MAP_KEY's redaction, and the mapping of FIRMS's answers to
 * the SDK's errors. The MAP_KEY is a path segment, so every URL or text that leaves this module
 * (log fields, error messages, rejected-row locations) goes through {@link FirmsClient.redact}.
 */
import {
  BodyTooLargeError,
  ConnectorConfigError,
  type FetchFn,
  type InvalidUtf8,
  RetryableError,
  decodeUtf8,
  linkSignals,
  readBody,
} from '@firefront/sdk'
import type { FirmsSource, FirmsTarget } from './config'
import { isFirmsHeader } from './parse'

/** What stands in for the MAP_KEY in logs and errors. */
export const REDACTED = '***'

/** Options of {@link FirmsClient}. */
export interface FirmsClientOptions {
  readonly baseUrl: string
  readonly mapKey: string
  readonly fetch: FetchFn
  /** Timeout of one request, body included. */
  readonly timeoutMs: number
  /** The largest body read; a larger one is refused with {@link FirmsBodyTooLargeError}. */
  readonly maxBodyBytes: number
  /** Wall-clock time (for Retry-After dates). */
  readonly now?: () => number
}

/** A successful answer. */
export interface FirmsResponse {
  /** The body decoded as UTF-8 (bytes that are not UTF-8 show as U+FFFD: see `invalid`). */
  readonly text: string
  /** Set when some bytes were not valid UTF-8; `bytes` then holds the body as received. */
  readonly invalid?: InvalidUtf8
  readonly bytes?: Uint8Array
  /** The request URL with the MAP_KEY replaced by `***`. */
  readonly url: string
  readonly status: number
  readonly ms: number
}

/** `/mapserver/mapkey_status` as read leniently. */
export interface KeyStatus {
  readonly transactionLimit?: number
  readonly currentTransactions?: number
  /** The interval as FIRMS printed it (a number or a string such as `"10 minutes"`). */
  readonly interval?: number | string
  /** The interval in ms, when it names its unit. */
  readonly intervalMs?: number
}

// FIRMS's refusals are short plain-text bodies, sent with 400 and sometimes with 200.
const REFUSAL = /^(invalid [^\n]{1,80}|MAP_KEY is invalid[^\n]*)$/i

/** The FIRMS refusal text of `body` (`Invalid MAP_KEY.`, `Invalid area.`…), if it is one. */
export function refusalOf(body: string): string | undefined {
  const text = body.trim()
  return text.length <= 200 && REFUSAL.test(text) ? text : undefined
}

/** Milliseconds asked by a Retry-After header (seconds or an HTTP date), if it parses. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const value = header.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** Reads `"10 minutes"`, `"600 seconds"`, `"1 hour"` into ms; other values give `undefined`. */
export function intervalMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)\s*$/i.exec(value)
  if (!m) return undefined
  const n = Number(m[1])
  const unit = m[2]!.toLowerCase()
  return n * (unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000)
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
  return Number.isFinite(n) ? n : undefined
}

/**
 * An answer larger than `max_body_bytes`. Not retried (the same request would bring the same
 * body): the connector dead-letters it with its size and a preview, and goes on.
 */
export class FirmsBodyTooLargeError extends BodyTooLargeError {
  /** The request URL, the MAP_KEY redacted. */
  readonly url: string
  readonly status: number

  constructor(cause: BodyTooLargeError, url: string, status: number, redact: (text: string) => string) {
    super({
      maxBytes: cause.maxBytes,
      declaredBytes: cause.declaredBytes,
      bytesRead: cause.bytesRead,
      preview: redact(cause.preview),
    })
    this.message = `FIRMS answer (HTTP ${status}) over max_body_bytes, not read: ${cause.message} (${url})`
    this.url = url
    this.status = status
  }
}

/** Bytes of an error answer read for its message (a refusal text, a problem+json, a CDN page). */
const ERROR_BODY_BYTES = 64 * 1024

/** Talks to one FIRMS host with one MAP_KEY. */
export class FirmsClient {
  private readonly keyForms: string[]

  constructor(private readonly options: FirmsClientOptions) {
    const key = options.mapKey
    this.keyForms = [...new Set([key, encodeURIComponent(key)])].sort((a, b) => b.length - a.length)
  }

  /** `text` with every occurrence of the MAP_KEY replaced by `***`. */
  redact(text: string): string {
    let out = text
    for (const form of this.keyForms) out = out.split(form).join(REDACTED)
    return out
  }

  /** URL of an area or country CSV request. */
  detectionsUrl(target: FirmsTarget, source: FirmsSource | string, dayRange: number, date?: string): string {
    const where = target.api === 'area' ? target.area : target.country
    const tail = date === undefined ? '' : `/${date}`
    return `${this.options.baseUrl}/api/${target.api}/csv/${encodeURIComponent(this.options.mapKey)}/${source}/${where}/${dayRange}${tail}`
  }

  /** URL of the data_availability table of every dataset. */
  availabilityUrl(): string {
    return `${this.options.baseUrl}/api/data_availability/csv/${encodeURIComponent(this.options.mapKey)}/ALL`
  }

  /**
   * GETs a FIRMS CSV body. Throws {@link ConnectorConfigError} for FIRMS's refusals (`Invalid
   * MAP_KEY.`, `Invalid area.`, `Invalid day range.`, whatever the status) and other 4xx answers,
   * {@link RetryableError} for 429, 5xx, timeouts, network errors, cut-off bodies and bodies that
   * are not CSV; rethrows the caller's abort reason when `signal` aborts.
   */
  async csv(url: string, signal: AbortSignal): Promise<FirmsResponse> {
    const res = await this.get(url, signal)
    // Leading blank lines are tolerated, as the parser tolerates them.
    const firstLine = res.text
      .replace(/^[\uFEFF\s]+/, '')
      .split('\n', 1)[0]!
      .replace(/\r$/, '')
    if (!isFirmsHeader(firstLine)) {
      const refusal = refusalOf(res.text)
      if (refusal !== undefined) {
        throw new ConnectorConfigError(`FIRMS refused the request: ${this.redact(refusal)} (${res.url})`)
      }
      throw new RetryableError(
        `FIRMS answered HTTP ${res.status} with a body that is not CSV: ${JSON.stringify(this.snippet(res.text))} (${res.url})`,
      )
    }
    return res
  }

  /** Checks the MAP_KEY and reads its transaction count. A refusal text means a bad or exhausted key. */
  async keyStatus(signal: AbortSignal): Promise<KeyStatus> {
    const url = `${this.options.baseUrl}/mapserver/mapkey_status/?MAP_KEY=${encodeURIComponent(this.options.mapKey)}`
    const res = await this.get(url, signal)
    let body: unknown
    try {
      body = JSON.parse(res.text)
    } catch {
      const refusal = refusalOf(res.text)
      if (refusal !== undefined) throw new ConnectorConfigError(`FIRMS refused the MAP_KEY: ${this.redact(refusal)}`)
      throw new RetryableError(
        `mapkey_status answered with a body that is not JSON: ${JSON.stringify(this.snippet(res.text))}`,
      )
    }
    if (typeof body !== 'object' || body === null) return {}
    const b = body as Record<string, unknown>
    const interval =
      typeof b.transaction_interval === 'number' || typeof b.transaction_interval === 'string'
        ? b.transaction_interval
        : undefined
    return {
      transactionLimit: num(b.transaction_limit),
      currentTransactions: num(b.current_transactions),
      interval,
      intervalMs: intervalMs(interval),
    }
  }

  /** GETs the data_availability table; a refusal text (even with 200) is a {@link ConnectorConfigError}. */
  async availability(signal: AbortSignal): Promise<FirmsResponse> {
    const res = await this.get(this.availabilityUrl(), signal)
    const refusal = refusalOf(res.text)
    if (refusal !== undefined) {
      throw new ConnectorConfigError(`FIRMS refused the request: ${this.redact(refusal)} (${res.url})`)
    }
    return res
  }

  /** GET with timeout and error mapping; returns the body of a 2xx answer. */
  async get(url: string, signal: AbortSignal): Promise<FirmsResponse> {
    const shown = this.redact(url)
    const started = Date.now()
    signal.throwIfAborted()
    const linked = linkSignals([signal], this.options.timeoutMs)
    const failed = (err: unknown, what: string): Error => {
      if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason))
      if (linked.timedOut()) {
        return new RetryableError(`FIRMS request timed out after ${this.options.timeoutMs} ms (${shown})`)
      }
      return new RetryableError(`${what}: ${this.redact(describe(err))} (${shown})`, { cause: this.safeCause(err) })
    }
    let response: Response
    let bytes: Uint8Array
    try {
      try {
        response = await this.options.fetch(url, {
          signal: linked.signal,
          headers: { accept: 'text/csv, text/plain, */*' },
        })
      } catch (err) {
        throw failed(err, 'FIRMS request failed')
      }
      try {
        // An error answer is read only as far as its message needs: it is never data.
        const maxBytes = response.ok ? this.options.maxBodyBytes : Math.min(this.options.maxBodyBytes, ERROR_BODY_BYTES)
        bytes = await readBody(response, { maxBytes, signal: linked.signal })
      } catch (err) {
        if (err instanceof BodyTooLargeError && !response.ok && !signal.aborted) {
          bytes = new TextEncoder().encode(err.preview)
        } else {
          if (err instanceof BodyTooLargeError && !signal.aborted) {
            throw new FirmsBodyTooLargeError(err, shown, response.status, (t) => this.redact(t))
          }
          throw failed(err, `FIRMS body cut off (HTTP ${response.status})`)
        }
      }
    } finally {
      linked.dispose()
    }
    const ms = Date.now() - started
    const status = response.status
    const { text, invalid } = decodeUtf8(bytes)
    if (status >= 200 && status < 300)
      return invalid ? { text, invalid, bytes, url: shown, status, ms } : { text, url: shown, status, ms }
    const wait = retryAfterMs(response.headers.get('retry-after'), (this.options.now ?? Date.now)())
    const found = refusalOf(text)
    const refusal = found === undefined ? undefined : this.redact(found)
    if (status === 429) {
      throw new RetryableError(`FIRMS rate limit (HTTP 429)${refusal ? `: ${refusal}` : ''} (${shown})`, {
        retryAfterMs: wait,
      })
    }
    if (status >= 500 || status === 408) {
      throw new RetryableError(`FIRMS answered HTTP ${status}: ${JSON.stringify(this.snippet(text))} (${shown})`, {
        retryAfterMs: wait,
      })
    }
    if (refusal !== undefined) throw new ConnectorConfigError(`FIRMS refused the request: ${refusal} (${shown})`)
    if (status === 401 || status === 403) {
      throw new ConnectorConfigError(`FIRMS refused the MAP_KEY (HTTP ${status}) (${shown})`)
    }
    throw new ConnectorConfigError(`FIRMS answered HTTP ${status}: ${JSON.stringify(this.snippet(text))} (${shown})`)
  }

  private snippet(text: string): string {
    const flat = this.redact(text).replace(/\s+/g, ' ').trim()
    return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat
  }

  /** A copy of `err` safe to attach as a cause: its message (and its cause's) redacted. */
  private safeCause(err: unknown): Error {
    const copy = new Error(this.redact(describe(err)))
    copy.name = err instanceof Error ? err.name : 'Error'
    return copy
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  return `${err.message}${cause}`
}
