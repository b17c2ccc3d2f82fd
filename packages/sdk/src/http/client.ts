/**
 * The HTTP GET every pull connector needs, written once: the plugin context's signal and a
 * timeout on each request (body included), the body read up to a cap, conditional requests
 * (ETag / Last-Modified), and each failure turned into the SDK error the runtime acts on.
 * @packageDocumentation
 */
import { BodyTooLargeError, readBody } from '../body'
import type { Clock, FetchFn } from '../context'
import { ConnectorConfigError, RateLimitedError, RetryableError } from '../errors'
import { linkSignals } from '../signals'
import { decodeUtf8, type InvalidUtf8 } from '../utf8'
import { retryAfterMs } from './retry-after'

/** Bytes of an error answer read for its message by default (a refusal text, a problem+json, a CDN page). */
export const DEFAULT_ERROR_BODY_BYTES = 64 * 1024

/** The parts of a plugin context the client uses; pass `ctx` itself. */
export interface HttpContext {
  readonly fetch: FetchFn
  /** Aborted when the plugin stops; every request follows it. */
  readonly signal?: AbortSignal
  readonly clock?: Pick<Clock, 'now'>
}

/** A non-2xx, non-304 answer, as {@link HttpClientOptions.classify} and `describeError` see it. */
export interface HttpErrorAnswer {
  readonly status: number
  /** The request URL as shown in messages (redacted). */
  readonly url: string
  readonly headers: Headers
  /** The start of the body (at most `errorBodyBytes`), decoded leniently and redacted. */
  readonly text: string
  /** The Retry-After the answer asked for, in ms, before the cap; undefined when absent. */
  readonly retryAfterMs: number | undefined
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Names the remote in messages: `FIRMS answered HTTP 503: ...`. */
  readonly name: string
  /** The plugin context (its `fetch`, `signal` and `clock`). */
  readonly ctx: HttpContext
  /** Timeout of one request, body included. */
  readonly timeoutMs: number
  /** The largest 2xx body read; a larger one throws {@link HttpBodyTooLargeError}. */
  readonly maxBodyBytes: number
  /** How much of an error answer is read for its message. Default {@link DEFAULT_ERROR_BODY_BYTES}. */
  readonly errorBodyBytes?: number
  /** Headers sent with every request (User-Agent, Accept). */
  readonly headers?: Readonly<Record<string, string>>
  /**
   * The longest wait a Retry-After may set on an error; a longer one is cut to this and the
   * message says so. Default: none, and that is right under the runtime: it honours
   * `retryAfterMs` up to the source's `max_retry_after_seconds` (default 300 s) and fails a poll
   * asked to wait longer with a message naming both, instead of waiting a day. Set it when the
   * client is used outside the runtime, or to bound a remote tighter than the source does.
   */
  readonly maxRetryAfterMs?: number
  /** The shortest wait after a 429 (or a status in `rateLimitedStatuses`), whatever Retry-After says. Default 0. */
  readonly minRateLimitWaitMs?: number
  /** The wait suggested after a timeout, a network error or a retryable status without Retry-After. Default none. */
  readonly failureRetryAfterMs?: number
  /** Statuses treated like 429 besides 429 itself (NWS's CDN answers 403 when it throttles). */
  readonly rateLimitedStatuses?: readonly number[]
  /** Replaces secrets (a key in the URL) in every URL and text that leaves the client. */
  readonly redact?: (text: string) => string
  /** The detail of an error answer for its message; default a short flattened snippet of its body. */
  readonly describeError?: (answer: HttpErrorAnswer) => string
  /**
   * Decides the error for an answer before the default mapping does (a remote that refuses with
   * 200 or a text of its own). Return undefined to keep the default.
   */
  readonly classify?: (answer: HttpErrorAnswer) => Error | undefined
}

/** Options of one GET. */
export interface HttpGetOptions {
  /** The poll's signal; the context's signal and the timeout are added to it. */
  readonly signal?: AbortSignal
  /** Headers of this request, laid over the client's. */
  readonly headers?: Readonly<Record<string, string>>
  /** Sends `If-None-Match`: the ETag of the copy already read. */
  readonly etag?: string
  /** Sends `If-Modified-Since`: the Last-Modified of the copy already read. */
  readonly lastModified?: string
}

/** A 2xx answer, its body read. */
export interface HttpResponse {
  readonly notModified: false
  readonly status: number
  /** The request URL (redacted). */
  readonly url: string
  readonly headers: Headers
  readonly bytes: Uint8Array
  /** The body decoded as UTF-8; bytes that are not UTF-8 read as U+FFFD (see `invalid`). */
  readonly text: string
  readonly invalid?: InvalidUtf8
  /** The validators to send back next time (see {@link HttpGetOptions}). */
  readonly etag?: string
  readonly lastModified?: string
  /** Time from the request to the last byte. */
  readonly ms: number
}

/** A 304: the copy named by `etag`/`lastModified` is still current. */
export interface HttpNotModified {
  readonly notModified: true
  readonly status: 304
  readonly url: string
  readonly headers: Headers
  readonly ms: number
}

/** What {@link HttpClient.get} resolves with. */
export type HttpAnswer = HttpResponse | HttpNotModified

/**
 * A 2xx answer larger than `maxBodyBytes`. Not retryable (the same request brings the same body):
 * a connector dead-letters it (`ctx.reject`) with its size and preview and goes on.
 */
export class HttpBodyTooLargeError extends BodyTooLargeError {
  /** The request URL (redacted). */
  readonly url: string
  readonly status: number

  constructor(name: string, cause: BodyTooLargeError, url: string, status: number, redact: (text: string) => string) {
    super({
      maxBytes: cause.maxBytes,
      declaredBytes: cause.declaredBytes,
      bytesRead: cause.bytesRead,
      preview: redact(cause.preview),
    })
    this.message = `${name} answer (HTTP ${status}) over max_body_bytes, not read: ${cause.message} (${url})`
    this.url = url
    this.status = status
  }
}

/** A GET-only HTTP client bound to one remote; see {@link createHttpClient}. */
export interface HttpClient {
  /**
   * GETs `url`. Resolves with the 2xx answer and its body, or `notModified` on a 304. Rejects with:
   * - the abort reason of `signal` or the context's signal when either aborts;
   * - {@link RetryableError} on a timeout, a network error, a body cut off, HTTP 408 or 5xx;
   * - {@link RateLimitedError} (a `RetryableError`) on 429 (and `rateLimitedStatuses`);
   * - {@link ConnectorConfigError} on any other 4xx (a bad key, area, station...);
   * - {@link HttpBodyTooLargeError} when a 2xx body is over `maxBodyBytes`.
   *
   * `retryAfterMs` of a retryable error is the answer's Retry-After (seconds or a date; within
   * `maxRetryAfterMs` when set), else `failureRetryAfterMs`.
   */
  get(url: string, options?: HttpGetOptions): Promise<HttpAnswer>
  /** `text` with the client's secrets replaced. */
  redact(text: string): string
}

/** A short one-line form of a body for a message: tags and runs of blanks flattened, 120 characters at most. */
export function bodySnippet(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  return `${err.message}${cause}`
}

const reasonOf = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason))

/**
 * Makes the HTTP client of a connector.
 *
 * @example
 * ```ts
 * const http = createHttpClient({ name: 'my-feed', ctx, timeoutMs: 30_000, maxBodyBytes: 8 << 20 })
 * const res = await http.get(`${config.url}/items`, { signal, etag: cursor?.etag })
 * if (res.notModified) return { records: [], cursor }
 * const items = JSON.parse(res.text)
 * ```
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { name, ctx, timeoutMs, maxBodyBytes } = options
  const redact = options.redact ?? ((text: string) => text)
  const errorBytes = Math.min(maxBodyBytes, options.errorBodyBytes ?? DEFAULT_ERROR_BODY_BYTES)
  const maxWait = options.maxRetryAfterMs ?? Number.POSITIVE_INFINITY
  const minRateWait = options.minRateLimitWaitMs ?? 0
  const rateStatuses = new Set([429, ...(options.rateLimitedStatuses ?? [])])
  const now = (): number => (ctx.clock ? ctx.clock.now() : Date.now())
  const describeError = options.describeError ?? ((a: HttpErrorAnswer) => JSON.stringify(bodySnippet(a.text)))

  /** The wait of a retryable answer: what it asked (capped), else the failure default; and a note when capped. */
  const waitOf = (asked: number | undefined, floor: number): { ms: number | undefined; note: string } => {
    const base = asked ?? options.failureRetryAfterMs
    if (base === undefined) return { ms: floor > 0 ? floor : undefined, note: '' }
    const ms = Math.max(floor, Math.min(base, maxWait))
    return { ms, note: asked !== undefined && asked > maxWait ? `; Retry-After ${asked} ms cut to ${maxWait} ms` : '' }
  }

  const errorFor = (answer: HttpErrorAnswer): Error => {
    const own = options.classify?.(answer)
    if (own) return own
    const { status, url } = answer
    const detail = describeError(answer)
    if (rateStatuses.has(status)) {
      const wait = waitOf(answer.retryAfterMs, minRateWait)
      return new RateLimitedError(`${name} rate limited: answered HTTP ${status}: ${detail} (${url})${wait.note}`, {
        retryAfterMs: wait.ms,
      })
    }
    if (status === 408 || status >= 500) {
      const wait = waitOf(answer.retryAfterMs, 0)
      return new RetryableError(`${name} answered HTTP ${status}: ${detail} (${url})${wait.note}`, {
        retryAfterMs: wait.ms,
      })
    }
    // Other 4xx (and unexpected 1xx/3xx): the same request cannot succeed; the configuration is wrong.
    return new ConnectorConfigError(`${name} refused the request (HTTP ${status}): ${detail} (${url})`)
  }

  const get = async (url: string, request: HttpGetOptions = {}): Promise<HttpAnswer> => {
    const shown = redact(url)
    const started = Date.now()
    const parents = [request.signal, ctx.signal].filter((s): s is AbortSignal => s !== undefined)
    for (const parent of parents) parent.throwIfAborted()
    const linked = linkSignals(parents, timeoutMs)
    const failed = (err: unknown, what: string): Error => {
      const aborted = parents.find((p) => p.aborted)
      if (aborted) return reasonOf(aborted)
      const retryAfter = options.failureRetryAfterMs
      if (linked.timedOut()) {
        return new RetryableError(`${name} request timed out after ${timeoutMs} ms (${shown})`, {
          retryAfterMs: retryAfter,
        })
      }
      const cause = new Error(redact(describe(err)))
      cause.name = err instanceof Error ? err.name : 'Error'
      return new RetryableError(`${what}: ${cause.message} (${shown})`, { cause, retryAfterMs: retryAfter })
    }
    const headers: Record<string, string> = { ...options.headers, ...request.headers }
    if (request.etag !== undefined) headers['if-none-match'] = request.etag
    if (request.lastModified !== undefined) headers['if-modified-since'] = request.lastModified
    let response: Response
    let bytes: Uint8Array
    try {
      try {
        response = await ctx.fetch(url, { signal: linked.signal, headers })
      } catch (err) {
        throw failed(err, `${name} request failed`)
      }
      if (response.status === 304) {
        await response.body?.cancel().catch(() => {})
        return { notModified: true, status: 304, url: shown, headers: response.headers, ms: Date.now() - started }
      }
      const ok = response.ok
      try {
        // An error answer is read only as far as its message needs: it is never data.
        bytes = await readBody(response, { maxBytes: ok ? maxBodyBytes : errorBytes, signal: linked.signal })
      } catch (err) {
        const stopped = parents.some((p) => p.aborted)
        if (err instanceof BodyTooLargeError && !stopped && !ok) bytes = new TextEncoder().encode(err.preview)
        else if (err instanceof BodyTooLargeError && !stopped)
          throw new HttpBodyTooLargeError(name, err, shown, response.status, redact)
        else throw failed(err, `${name} body cut off (HTTP ${response.status})`)
      }
    } finally {
      linked.dispose()
    }
    const ms = Date.now() - started
    const { text, invalid } = decodeUtf8(bytes)
    if (response.ok) {
      const etag = response.headers.get('etag') ?? undefined
      const lastModified = response.headers.get('last-modified') ?? undefined
      return {
        notModified: false,
        status: response.status,
        url: shown,
        headers: response.headers,
        bytes,
        text,
        ms,
        ...(invalid ? { invalid } : {}),
        ...(etag !== undefined ? { etag } : {}),
        ...(lastModified !== undefined ? { lastModified } : {}),
      }
    }
    throw errorFor({
      status: response.status,
      url: shown,
      headers: response.headers,
      text: redact(text),
      retryAfterMs: retryAfterMs(response.headers.get('retry-after'), now()),
    })
  }

  return { get, redact }
}
