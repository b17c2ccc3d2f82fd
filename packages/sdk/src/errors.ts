/**
 * One error catalogue for Firefront: stable codes, a few classes, native `cause`.
 * Check `err.code` rather than `instanceof`: it survives two copies of the SDK in one process.
 * @packageDocumentation
 */

/** Every error code the runtime and the SDK raise. */
export const ERROR_CODES = {
  ERR_CONFIG_INVALID: 'the configuration does not match its schema',
  ERR_CONFIG_NOT_FOUND: 'the configuration file cannot be read',
  ERR_CONFIG_SYNTAX: 'the configuration file is not valid YAML or JSON',
  ERR_CONFIG_ENV: 'an environment variable the configuration needs is not set',
  ERR_PLUGIN_NOT_FOUND: 'a declared plugin module cannot be resolved',
  ERR_PLUGIN_INVALID: 'a module does not export a valid plugin',
  ERR_PLUGIN_DUPLICATE: 'two plugins share one kind and name',
  ERR_PLUGIN_API_VERSION: 'a plugin was written for an API version this runtime does not support',
  ERR_PLUGIN_CONFIG: "a plugin's config block does not match its schema",
  ERR_PLUGIN_UNTRUSTED:
    "a declared plugin lies outside the config file's folder and node_modules, and no flag trusts it",
  ERR_PLUGIN_START: 'a plugin threw while starting',
  ERR_PLUGIN_STOP: 'a plugin threw while stopping (the others were still stopped)',
  ERR_HOOK_FAILED: 'a hook threw',
  ERR_SOURCE_UNKNOWN: 'no source of that id is configured',
  ERR_SOURCE_DISABLED: 'the source is disabled in the configuration',
  ERR_SOURCE_RUNNING: 'the source is running',
  ERR_CONNECTOR_CONFIG: 'the remote API refused the connector configuration (bad key, area, range...)',
  ERR_RETRYABLE: 'a transient failure; the runtime retries with backoff',
  ERR_INPUT_REJECTED: 'one input (a CSV row, a payload) was malformed',
  ERR_TIMEOUT: 'an operation took longer than its timeout',
  ERR_ABORTED: 'an operation was aborted',
  ERR_SINK_UNAVAILABLE: 'the sink cannot be reached',
  ERR_SINK_REFUSED: 'the sink refused a record or a batch',
  ERR_QUEUE_FULL: 'the queue is full and its overflow strategy refused the record',
  ERR_SPOOL_FULL: 'the disk spool reached its size limit',
  ERR_JOURNAL: "a push source's intake journal cannot be read or written (disk full, permissions)",
  ERR_STOPPED: 'the component is stopped',
  ERR_STATE_LOCKED: 'another Firefront process holds the state directory',
  ERR_FENCED: "another producer took over this source's transactional id; this one may no longer write for it",
} as const

/** A stable error code; see {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES

/** Base class of every Firefront error. */
export class FirefrontError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** One problem found in a configuration, with where it is. */
export interface ConfigIssue {
  /** Dotted path, e.g. `sources.firms.ingestion.mode`. */
  readonly path: string
  readonly message: string
  /** 1-based line and column in the file, when known. */
  readonly line?: number
  readonly column?: number
  /** The file the issue is in, when known. */
  readonly file?: string
  /** A stable code for the kind of problem, when known. */
  readonly code?: ErrorCode
  /** `warning` issues are reported but do not make a config invalid. Default `error`. */
  readonly severity?: 'error' | 'warning'
}

/** Formats an issue as `file:line:col path: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}:${issue.column ?? 1}` : ''} ` : ''
  return `${where}${issue.path || '(root)'}: ${issue.message}`
}

/** Every problem of a configuration, reported together. */
export class ConfigValidationError extends FirefrontError {
  readonly issues: readonly ConfigIssue[]

  constructor(issues: readonly ConfigIssue[], code: ErrorCode = 'ERR_CONFIG_INVALID') {
    super(
      code,
      `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`,
    )
    this.issues = issues
  }
}

/** A plugin could not be loaded or registered. `plugin` names it; `declaredAt` says where it was declared. */
export class PluginLoadError extends FirefrontError {
  readonly plugin: string
  readonly declaredAt?: string

  constructor(code: ErrorCode, plugin: string, message: string, options?: { cause?: unknown; declaredAt?: string }) {
    super(code, `${plugin}${options?.declaredAt ? ` (declared at ${options.declaredAt})` : ''}: ${message}`, options)
    this.plugin = plugin
    this.declaredAt = options?.declaredAt
  }
}

/** A plugin threw in one of its lifecycle calls or hooks; the runtime wraps the original as `cause`. */
export class PluginHookError extends FirefrontError {
  readonly plugin: string
  readonly hook: string

  constructor(plugin: string, hook: string, cause: unknown, code: ErrorCode = 'ERR_HOOK_FAILED') {
    super(code, `${plugin} failed in ${hook}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.plugin = plugin
    this.hook = hook
  }
}

/**
 * Thrown by a connector when the remote API refused its configuration (an invalid key, area or
 * range). Not retried: the runtime stops that stream and reports the message.
 */
export class ConnectorConfigError extends FirefrontError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CONNECTOR_CONFIG', message, options)
  }
}

/**
 * Thrown by a connector for a transient failure (HTTP 429/5xx, a timeout, a reset connection).
 * The runtime retries the poll with backoff; `retryAfterMs` is a lower bound for the wait.
 */
export class RetryableError extends FirefrontError {
  readonly retryAfterMs?: number

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('ERR_RETRYABLE', message, options)
    this.retryAfterMs = options?.retryAfterMs
  }
}

/**
 * A {@link RetryableError} for an answer that said "too many requests" (HTTP 429): the runtime
 * retries it like any transient failure (its code is `ERR_RETRYABLE`), and `rateLimited` lets a
 * connector or a metric tell throttling from an outage. Check it with {@link isRateLimited}.
 */
export class RateLimitedError extends RetryableError {
  readonly rateLimited = true as const
}

/** True for a {@link RateLimitedError}, from this copy of the SDK or another. */
export function isRateLimited(err: unknown): boolean {
  return errorCode(err) === 'ERR_RETRYABLE' && (err as { rateLimited?: unknown }).rateLimited === true
}

/** Returns the error's stable code when it has one. */
export function errorCode(err: unknown): ErrorCode | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code
    if (typeof code === 'string' && code in ERROR_CODES) return code as ErrorCode
  }
  return undefined
}
