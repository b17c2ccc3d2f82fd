/**
 * HTTP to the NWS API: the headers it needs (User-Agent, `Accept: application/geo+json`,
 * If-Modified-Since), and the mapping of its answers to the SDK's errors. Refusals of the
 * configuration come as RFC 7807 problem+json; throttling comes from the CDN as HTML, so any
 * answer that is not problem+json is read by its status alone.
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

/** The wait NWS suggests after throttling ("typically within 5 seconds"). */
export const MIN_BACKOFF_MS = 5000

/** Options of {@link NwsClient}. */
export interface NwsClientOptions {
  readonly userAgent: string
  readonly fetch: FetchFn
  /** Timeout of one request, body included. */
  readonly timeoutMs: number
  /** The largest body read; a larger one is refused with {@link NwsBodyTooLargeError}. */
  readonly maxBodyBytes: number
  /** Wall-clock time (for Retry-After dates). */
  readonly now?: () => number
}

/** A GeoJSON FeatureCollection as read: its features are checked one by one by the parsers. */
export interface FeatureCollection {
  readonly type: 'FeatureCollection'
  readonly features: readonly unknown[]
  readonly [key: string]: unknown
}

/** A single GeoJSON Feature (a gridpoint forecast): its properties are checked by the parser. */
export interface Feature {
  readonly type: 'Feature'
  readonly properties: Readonly<Record<string, unknown>>
  readonly [key: string]: unknown
}

/** The GeoJSON types the client reads. */
export type GeoJsonKind = 'FeatureCollection' | 'Feature'

/** The answer to a conditional GET. */
export type CollectionResponse<B = FeatureCollection> =
  | { readonly status: 304; readonly url: string }
  | {
      readonly status: number
      readonly url: string
      readonly body: B
      /** The Last-Modified header, to send back as If-Modified-Since. */
      readonly lastModified?: string
      readonly ms: number
      /** Set when some bytes of the body were not valid UTF-8 (they read as U+FFFD). */
      readonly invalid?: InvalidUtf8
    }

/** An RFC 7807 problem as NWS sends it. */
export interface Problem {
  readonly name?: string
  readonly title?: string
  readonly detail?: string
  readonly status?: number
}

/** Milliseconds asked by a Retry-After header (seconds or an HTTP date), if it parses. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const value = header.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** Reads a problem+json body; `undefined` when the body is not one. */
export function parseProblem(text: string, contentType: string | null): Problem | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as Record<string, unknown>
  const isProblem =
    (contentType ?? '').includes('problem+json') || (typeof b.type === 'string' && b.type.includes('/problems/'))
  if (!isProblem) return undefined
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined)
  return {
    name: str(b.type)?.split('/').pop(),
    title: str(b.title),
    detail: str(b.detail),
    status: typeof b.status === 'number' ? b.status : undefined,
  }
}

const describeProblem = (p: Problem): string =>
  [p.name, p.title, p.detail].filter((s): s is string => s !== undefined).join(': ') || 'no detail'

function snippet(text: string): string {
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

/**
 * An answer larger than `max_body_bytes`. Not retried (the same request would bring the same
 * body): the connector dead-letters it with its size and a preview, and goes on.
 */
export class NwsBodyTooLargeError extends BodyTooLargeError {
  readonly url: string
  readonly status: number

  constructor(cause: BodyTooLargeError, url: string, status: number) {
    super({
      maxBytes: cause.maxBytes,
      declaredBytes: cause.declaredBytes,
      bytesRead: cause.bytesRead,
      preview: cause.preview,
    })
    this.message = `NWS answer (HTTP ${status}) over max_body_bytes, not read: ${cause.message} (${url})`
    this.url = url
    this.status = status
  }
}

/** Bytes of an error answer read for its message (a problem+json, a CDN page). */
const ERROR_BODY_BYTES = 64 * 1024

/** Talks to one NWS host. */
export class NwsClient {
  constructor(private readonly options: NwsClientOptions) {}

  /**
   * GETs a GeoJSON FeatureCollection, conditionally when `ifModifiedSince` is given. Throws
   * {@link ConnectorConfigError} for problem+json 4xx answers that mean the configuration is
   * wrong, {@link RetryableError} for 429, 403 (CDN blocks), 5xx, timeouts, network errors,
   * cut-off bodies and bodies that are not a FeatureCollection; rethrows the caller's abort reason.
   */
  collection(url: string, signal: AbortSignal, ifModifiedSince?: string): Promise<CollectionResponse> {
    return this.geojson<FeatureCollection>(url, 'FeatureCollection', signal, ifModifiedSince)
  }

  /** GETs a single GeoJSON Feature (a gridpoint), with the same error mapping as {@link collection}. */
  feature(url: string, signal: AbortSignal, ifModifiedSince?: string): Promise<CollectionResponse<Feature>> {
    return this.geojson<Feature>(url, 'Feature', signal, ifModifiedSince)
  }

  private async geojson<B>(
    url: string,
    kind: GeoJsonKind,
    signal: AbortSignal,
    ifModifiedSince?: string,
  ): Promise<CollectionResponse<B>> {
    const started = Date.now()
    signal.throwIfAborted()
    const linked = linkSignals([signal], this.options.timeoutMs)
    const failed = (err: unknown, what: string): Error => {
      if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason))
      if (linked.timedOut()) {
        return new RetryableError(`NWS request timed out after ${this.options.timeoutMs} ms (${url})`, {
          retryAfterMs: MIN_BACKOFF_MS,
        })
      }
      return new RetryableError(`${what}: ${describe(err)} (${url})`, { cause: err, retryAfterMs: MIN_BACKOFF_MS })
    }
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: 'application/geo+json',
    }
    if (ifModifiedSince !== undefined) headers['if-modified-since'] = ifModifiedSince
    let response: Response
    let bytes: Uint8Array
    try {
      try {
        response = await this.options.fetch(url, { signal: linked.signal, headers })
      } catch (err) {
        throw failed(err, 'NWS request failed')
      }
      try {
        // An error answer is read only as far as its message needs: it is never data.
        const maxBytes = response.ok ? this.options.maxBodyBytes : Math.min(this.options.maxBodyBytes, ERROR_BODY_BYTES)
        bytes = await readBody(response, { maxBytes, signal: linked.signal })
      } catch (err) {
        if (err instanceof BodyTooLargeError && !response.ok && !signal.aborted) {
          bytes = new TextEncoder().encode(err.preview)
        } else {
          if (err instanceof BodyTooLargeError && !signal.aborted)
            throw new NwsBodyTooLargeError(err, url, response.status)
          throw failed(err, `NWS body cut off (HTTP ${response.status})`)
        }
      }
    } finally {
      linked.dispose()
    }
    const status = response.status
    if (status === 304) return { status: 304, url }
    const { text, invalid } = decodeUtf8(bytes)
    if (status >= 200 && status < 300) {
      return {
        status,
        url,
        body: this.parseBody(text, kind, status, url) as B,
        lastModified: response.headers.get('last-modified') ?? undefined,
        ms: Date.now() - started,
        ...(invalid ? { invalid } : {}),
      }
    }
    throw this.refusal(status, text, response.headers, url)
  }

  /** The error for a non-2xx, non-304 answer. */
  private refusal(status: number, text: string, headers: Headers, url: string): Error {
    const problem = parseProblem(text, headers.get('content-type'))
    const asked = retryAfterMs(headers.get('retry-after'), (this.options.now ?? Date.now)())
    const what = problem ? describeProblem(problem) : JSON.stringify(snippet(text))
    if (status === 429 || status === 403 || status === 408 || status >= 500) {
      // Throttling and blocks come from the CDN as HTML; 5xx and timeouts are transient too.
      const floor = status === 429 || status === 403 ? MIN_BACKOFF_MS : 0
      return new RetryableError(`NWS answered HTTP ${status}: ${what} (${url})`, {
        retryAfterMs: Math.max(asked ?? MIN_BACKOFF_MS, floor),
      })
    }
    // Other 4xx answers (InvalidParameter, InvalidPoint, InvalidZone, an unknown station) refuse
    // the configuration: retrying the same request cannot succeed.
    return new ConnectorConfigError(`NWS refused the request (HTTP ${status}): ${what} (${url})`)
  }

  /** Parses a 2xx body that must be of `kind`; anything else is an error, never data. */
  private parseBody(text: string, kind: GeoJsonKind, status: number, url: string): FeatureCollection | Feature {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new RetryableError(
        `NWS answered HTTP ${status} with a body that is not JSON: ${JSON.stringify(snippet(text))} (${url})`,
        {
          retryAfterMs: MIN_BACKOFF_MS,
        },
      )
    }
    const b = body as { type?: unknown; features?: unknown; properties?: unknown } | null
    const ok =
      typeof b === 'object' &&
      b !== null &&
      b.type === kind &&
      (kind === 'FeatureCollection'
        ? Array.isArray(b.features)
        : typeof b.properties === 'object' && b.properties !== null)
    if (!ok) {
      throw new RetryableError(
        `NWS answered HTTP ${status} with JSON that is not a ${kind} (type ${JSON.stringify(b?.type ?? null)}) (${url})`,
        { retryAfterMs: MIN_BACKOFF_MS },
      )
    }
    return b as FeatureCollection | Feature
  }
}
