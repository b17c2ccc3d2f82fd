/**
 * The context the runtime passes to every plugin instance: logging, metrics, cancellation, time
 * and the dead-letter path for rejected inputs. Plugins never reach for globals.
 * @packageDocumentation
 */
import type { SourceInfo } from './record'

/** A log method: a message, or an object of fields and a message (pino's calling convention). */
export interface LogFn {
  (msg: string): void
  (obj: Record<string, unknown>, msg?: string): void
}

/** A logger compatible with a pino child logger. */
export interface Logger {
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  fatal: LogFn
  /** A logger whose lines carry `bindings` too. */
  child(bindings: Record<string, unknown>): Logger
}

/** Labels of a metric sample. */
export type MetricLabels = Readonly<Record<string, string>>

/** A monotonically increasing count. */
export interface Counter {
  inc(value?: number, labels?: MetricLabels): void
}

/** A value that goes up and down. */
export interface Gauge {
  set(value: number, labels?: MetricLabels): void
}

/** A distribution of observed values (latencies, sizes). */
export interface Histogram {
  observe(value: number, labels?: MetricLabels): void
}

/**
 * Metrics a plugin may record. Names are prefixed with `firefront_plugin_` and labelled with the
 * plugin id (`plugin`) by the runtime; asking twice for one name returns the same instrument.
 * Samples may carry labels of their own: declare their names with `labelNames`, or the first
 * sample fixes them; every sample of a metric then carries the same names (see
 * `checkMetricLabels`), and a sample that does not is refused with an error naming both sets.
 */
export interface MetricsHandle {
  counter(name: string, help?: string, labelNames?: readonly string[]): Counter
  gauge(name: string, help?: string, labelNames?: readonly string[]): Gauge
  histogram(name: string, help?: string, labelNames?: readonly string[]): Histogram
}

/** Time, injectable so tests can run fast. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/**
 * An input a plugin could not turn into a record (a malformed CSV row, an invalid payload).
 * Handed to {@link PluginContext.reject} so it reaches the dead-letter path instead of vanishing.
 */
export interface RejectedInput {
  /** Why it was rejected, e.g. `expected 14 columns, got 9`. */
  readonly reason: string
  /** The raw input (a row's text, a payload), kept as it was. */
  readonly input: unknown
  /** Where it came from, e.g. `row 12` or an MQTT topic. */
  readonly location?: string
  readonly cause?: unknown
}

/** The `fetch` function plugins use for HTTP; the runtime may wrap it (timeouts, tests). */
export type FetchFn = typeof globalThis.fetch

/** Everything a plugin instance may touch. Passed to `create`. */
export interface PluginContext {
  /** Qualified id: `<kind>:<name>#<instance>`, e.g. `connector:nasa-firms#firms-viirs`. */
  readonly id: string
  /** The source this instance serves, for connectors and per-source plugins. */
  readonly source?: SourceInfo
  /** A pino-compatible logger bound to `{ plugin: id }`. */
  readonly logger: Logger
  /** Metrics pre-labelled with the plugin id. */
  readonly metrics: MetricsHandle
  /** Aborted when the instance is being stopped; long waits must honour it. */
  readonly signal: AbortSignal
  readonly clock: Clock
  /** HTTP client; defaults to the global `fetch`. */
  readonly fetch: FetchFn
  /**
   * Hands over an input that could not become a record. The runtime counts it and sends it to the
   * dead-letter path with its reason; the plugin carries on with the rest of its batch.
   */
  reject(input: RejectedInput): void
  /**
   * Counts inputs the plugin left out on purpose, under a short snake_case `reason` (a redelivered
   * duplicate, a message kind the configuration skips). Nothing is dead-lettered: the runtime adds
   * them to the stream's `skipped_by_reason` and the run summary, so no input vanishes uncounted.
   * Optional: contexts made before it existed may lack it; call it as `ctx.skip?.(reason)`.
   */
  skip?(reason: string, count?: number): void
}

/** The system clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}
