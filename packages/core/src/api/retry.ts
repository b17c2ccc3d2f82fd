/**
 * Retries of a failed poll with exponential backoff and jitter.
 * @packageDocumentation
 */
import { backoffDelay, type Clock, errorCode, FirefrontError, RetryableError, systemClock } from '@firefront/sdk'

/** One retry about to happen, as {@link RetryOptions.onRetry} sees it. */
export interface RetryInfo {
  /** 1 for the first retry. */
  readonly attempt: number
  /** How long it waits before the retry. */
  readonly delayMs: number
  /** The error that failed the previous attempt. */
  readonly error: unknown
}

/** Options of {@link retryPoll}. */
export interface RetryOptions {
  /** Retries after the first attempt (the source's `max_poll_retries`). Default 3. */
  readonly maxRetries?: number
  /** The first delay before jitter; doubled each retry. Default 1000. */
  readonly baseMs?: number
  /** The cap of the exponential delay (a `retryAfterMs` asked by the remote may exceed it). Default 30000. */
  readonly maxMs?: number
  /** Aborting it ends the wait and the retries. */
  readonly signal?: AbortSignal
  /** Default: the system clock. */
  readonly clock?: Clock
  /** A number in [0, 1); default `Math.random`. Injectable so tests are deterministic. */
  readonly random?: () => number
  /** Which errors to retry; default {@link isRetryableError}. */
  readonly isRetryable?: (err: unknown) => boolean
  /** Called before each wait, e.g. to log the retry. */
  readonly onRetry?: (info: RetryInfo) => void
  /**
   * The longest wait a remote may ask for (`retryAfterMs`, from an HTTP `Retry-After`): the
   * source's `max_retry_after_seconds`. A longer ask is not waited for; the poll fails at once
   * with {@link RetryAfterTooLongError}. Default 300000 (5 minutes).
   */
  readonly maxRetryAfterMs?: number
}

/** The default of {@link RetryOptions.maxRetryAfterMs}: 5 minutes. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 300_000

/**
 * A remote asked to wait longer than `max_retry_after_seconds` before a retry. The poll is not
 * retried now (a day's `Retry-After` must not hold a process, least of all a `--once` run); the
 * source is tried again at its next scheduled poll, or by the next run under `--once`. Still a
 * `RetryableError`: the ingestion mode's next cycle may try again.
 */
export class RetryAfterTooLongError extends RetryableError {
  /** What the remote asked for. */
  readonly askedMs: number
  /** The bound it exceeded. */
  readonly maxMs: number

  constructor(asked: number, max: number, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause)
    super(
      `${message}: the remote asked to wait ${seconds(asked)} s before retrying, more than max_retry_after_seconds (${seconds(max)} s); not retried now: this source is tried again at its next scheduled poll (with --once: at the next run)`,
      { cause, retryAfterMs: asked },
    )
    this.askedMs = asked
    this.maxMs = max
  }
}

const seconds = (ms: number): string => String(Math.round(ms / 100) / 10)

/** Messages of the TypeErrors undici's `fetch` throws when the network, not the code, failed. */
const NETWORK_TYPE_ERRORS = new Set(['fetch failed', 'terminated'])

/**
 * The default retry rule: `RetryableError` (`ERR_RETRYABLE`), a timeout (`ERR_TIMEOUT`) and a
 * network `TypeError` from `fetch` (`fetch failed`, or one whose `cause` carries a system error
 * code like `ECONNRESET`) are transient. Anything else, `ConnectorConfigError`
 * (`ERR_CONNECTOR_CONFIG`) above all, is not.
 */
export function isRetryableError(err: unknown): boolean {
  const code = errorCode(err)
  if (code === 'ERR_RETRYABLE' || code === 'ERR_TIMEOUT') return true
  if (code !== undefined) return false
  if (err instanceof TypeError) {
    if (NETWORK_TYPE_ERRORS.has(err.message)) return true
    const cause = (err as { cause?: { code?: unknown } }).cause
    return typeof cause?.code === 'string'
  }
  return false
}

/** The `retryAfterMs` a `RetryableError` carries (e.g. from an HTTP `Retry-After`), if any. */
function retryAfterOf(err: unknown): number {
  const value = typeof err === 'object' && err !== null ? (err as { retryAfterMs?: unknown }).retryAfterMs : undefined
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

/**
 * Calls `fn`, retrying transient failures up to `maxRetries` times with exponential backoff and
 * jitter. `ConnectorConfigError` is never retried. When retries run out, the last error is
 * thrown unchanged (so its `code` still tells what happened). A wait the remote asks for
 * (`retryAfterMs`) is honoured up to `maxRetryAfterMs`; beyond it the poll is not retried and
 * {@link RetryAfterTooLongError} is thrown at once.
 *
 * @param fn - one attempt; receives the attempt number (0 for the first).
 * @throws FirefrontError `ERR_ABORTED` when `signal` aborts during a wait; the last error is its `cause`.
 *
 * @example
 * ```ts
 * const page = await retryPoll(() => api.poll({ cursor, signal }), { maxRetries: 3, signal, clock })
 * ```
 */
export async function retryPoll<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxRetries = options.maxRetries ?? 3
  const baseMs = options.baseMs ?? 1000
  const maxMs = options.maxMs ?? 30_000
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  const isRetryable = options.isRetryable ?? isRetryableError
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS
  const { signal } = options
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (err) {
      if (signal?.aborted || !isRetryable(err)) throw err
      const asked = retryAfterOf(err)
      if (asked > maxRetryAfterMs) throw new RetryAfterTooLongError(asked, maxRetryAfterMs, err)
      if (attempt >= maxRetries) throw err
      const delayMs = Math.max(backoffDelay(attempt + 1, { baseMs, maxMs, random }), asked)
      options.onRetry?.({ attempt: attempt + 1, delayMs, error: err })
      try {
        await clock.sleep(delayMs, signal)
      } catch {
        throw new FirefrontError(
          'ERR_ABORTED',
          `aborted while waiting to retry: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        )
      }
    }
  }
}
