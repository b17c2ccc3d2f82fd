/**
 * HTTP to FIRMS: URL building, the MAP_KEY's redaction, and the mapping of FIRMS's answers to
 * the SDK's errors. The MAP_KEY is a path segment, so every URL or text that leaves this module
 * (log fields, error messages, rejected-row locations) goes through {@link FirmsClient.redact}.
 */
import { ConnectorConfigError, type FetchFn, type InvalidUtf8, RetryableError } from '@firefront/sdk'
import { createHttpClient, type HttpClient, HttpBodyTooLargeError, type HttpErrorAnswer } from '@firefront/sdk/http'
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
export { retryAfterMs } from '@firefront/sdk/http'

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
 * An answer larger than `max_body_bytes` (the SDK's `HttpBodyTooLargeError`). Not retried (the
 * same request would bring the same body): the connector dead-letters it with its size and a
 * preview, and goes on.
 */
export const FirmsBodyTooLargeError = HttpBodyTooLargeError
export type FirmsBodyTooLargeError = HttpBodyTooLargeError

/** Talks to one FIRMS host with one MAP_KEY. */
export class FirmsClient {
  private readonly keyForms: string[]
  private readonly http: HttpClient

  constructor(private readonly options: FirmsClientOptions) {
    const key = options.mapKey
    this.keyForms = [...new Set([key, encodeURIComponent(key)])].sort((a, b) => b.length - a.length)
    this.http = createHttpClient({
      name: 'FIRMS',
      ctx: { fetch: options.fetch, clock: { now: options.now ?? Date.now } },
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      headers: { accept: 'text/csv, text/plain, */*' },
      redact: (text) => this.redact(text),
      describeError: (a) => refusalOf(a.text) ?? JSON.stringify(this.snippet(a.text)),
      classify: (a) => this.refusalError(a),
    })
  }

  /** FIRMS's own refusals: a refusal text on a 4xx, and a refused MAP_KEY; 429, 408 and 5xx keep the SDK's mapping. */
  private refusalError(a: HttpErrorAnswer): Error | undefined {
    if (a.status === 429 || a.status === 408 || a.status >= 500) return undefined
    const refusal = refusalOf(a.text)
    if (refusal !== undefined) return new ConnectorConfigError(`FIRMS refused the request: ${refusal} (${a.url})`)
    if (a.status === 401 || a.status === 403)
      return new ConnectorConfigError(`FIRMS refused the MAP_KEY (HTTP ${a.status}) (${a.url})`)
    return undefined
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

  /** GET through the SDK's HTTP client (timeout, body cap, error mapping); returns a 2xx answer's body. */
  async get(url: string, signal: AbortSignal): Promise<FirmsResponse> {
    const res = await this.http.get(url, { signal })
    if (res.notModified) throw new RetryableError(`FIRMS answered 304 to an unconditional request (${res.url})`)
    const { text, invalid, bytes, status, ms } = res
    return invalid ? { text, invalid, bytes, url: res.url, status, ms } : { text, url: res.url, status, ms }
  }

  private snippet(text: string): string {
    const flat = this.redact(text).replace(/\s+/g, ' ').trim()
    return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat
  }
}
