/**
 * HTTP to the NWS API: the headers it needs (User-Agent, `Accept: application/geo+json`,
 * If-Modified-Since), and the mapping of its answers to the SDK's errors. Refusals of the
 * configuration come as RFC 7807 problem+json; throttling comes from the CDN as HTML, so any
 * answer that is not problem+json is read by its status alone.
 */
import { type FetchFn, type InvalidUtf8, RetryableError } from '@firefront/sdk'
import { bodySnippet, createHttpClient, type HttpClient, HttpBodyTooLargeError } from '@firefront/sdk/http'

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
export { retryAfterMs } from '@firefront/sdk/http'

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

/**
 * An answer larger than `max_body_bytes` (the SDK's `HttpBodyTooLargeError`). Not retried (the
 * same request would bring the same body): the connector dead-letters it with its size and a
 * preview, and goes on.
 */
export const NwsBodyTooLargeError = HttpBodyTooLargeError
export type NwsBodyTooLargeError = HttpBodyTooLargeError

/** Talks to one NWS host. */
export class NwsClient {
  private readonly http: HttpClient

  constructor(options: NwsClientOptions) {
    this.http = createHttpClient({
      name: 'NWS',
      ctx: { fetch: options.fetch, clock: { now: options.now ?? Date.now } },
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      headers: { 'user-agent': options.userAgent, accept: 'application/geo+json' },
      // Throttling and blocks come from the CDN as HTML (403 as well as 429): wait at least what NWS suggests.
      rateLimitedStatuses: [403],
      minRateLimitWaitMs: MIN_BACKOFF_MS,
      failureRetryAfterMs: MIN_BACKOFF_MS,
      describeError: (a) => {
        const problem = parseProblem(a.text, a.headers.get('content-type'))
        return problem ? describeProblem(problem) : JSON.stringify(bodySnippet(a.text))
      },
    })
  }

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
    // Other 4xx answers (InvalidParameter, InvalidPoint, InvalidZone, an unknown station) refuse
    // the configuration: the SDK's client throws ConnectorConfigError for them.
    const res = await this.http.get(url, {
      signal,
      ...(ifModifiedSince !== undefined ? { lastModified: ifModifiedSince } : {}),
    })
    if (res.notModified) return { status: 304, url }
    return {
      status: res.status,
      url,
      body: this.parseBody(res.text, kind, res.status, url) as B,
      ...(res.lastModified !== undefined ? { lastModified: res.lastModified } : {}),
      ms: res.ms,
      ...(res.invalid ? { invalid: res.invalid } : {}),
    }
  }

  /** Parses a 2xx body that must be of `kind`; anything else is an error, never data. */
  private parseBody(text: string, kind: GeoJsonKind, status: number, url: string): FeatureCollection | Feature {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new RetryableError(
        `NWS answered HTTP ${status} with a body that is not JSON: ${JSON.stringify(bodySnippet(text))} (${url})`,
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
