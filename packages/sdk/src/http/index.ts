/**
 * `@firefront/sdk/http`: the HTTP client of pull connectors — the context's signal and a timeout
 * on every request, Retry-After honoured within a cap, each status turned into the SDK error the
 * runtime acts on (config error, retryable, rate-limited), conditional GET (ETag /
 * If-Modified-Since) and a body size cap.
 * @packageDocumentation
 */
export {
  bodySnippet,
  createHttpClient,
  DEFAULT_ERROR_BODY_BYTES,
  HttpBodyTooLargeError,
  type HttpAnswer,
  type HttpClient,
  type HttpClientOptions,
  type HttpContext,
  type HttpErrorAnswer,
  type HttpGetOptions,
  type HttpNotModified,
  type HttpResponse,
} from './client'
export { retryAfterMs } from './retry-after'
