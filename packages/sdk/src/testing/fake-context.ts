import type {
  Counter,
  FetchFn,
  Gauge,
  Histogram,
  LogFn,
  Logger,
  MetricLabels,
  PluginContext,
  RejectedInput,
} from '../context'
import { systemClock } from '../context'
import { checkMetricLabels } from '../metric-labels'
import type { SourceInfo } from '../record'

/** A log line captured by the fake context. Levels follow pino: 10 trace … 60 fatal. */
export interface CapturedLog {
  readonly level: number
  readonly msg: string
  readonly fields: Record<string, unknown>
}

/** A fake {@link PluginContext} and what it collected. */
export interface FakeContext {
  readonly ctx: PluginContext
  readonly logs: CapturedLog[]
  readonly rejected: RejectedInput[]
  /** Inputs the plugin skipped on purpose (`ctx.skip`), counted by reason. */
  readonly skipped: Map<string, number>
  /**
   * Metric values by name, across label sets (counters summed, gauges last value, histograms every
   * observation).
   */
  readonly metrics: Map<string, number | number[]>
  /** Every sample, with the labels the plugin passed (checked by the runtime's rule). */
  readonly samples: MetricSample[]
  /** Aborts `ctx.signal`. */
  abort(): void
}

/** One metric sample recorded by the fake context. */
export interface MetricSample {
  readonly kind: 'counter' | 'gauge' | 'histogram'
  readonly name: string
  readonly value: number
  readonly labels: MetricLabels
}

/** Options of {@link createFakeContext}. */
export interface FakeContextOptions {
  readonly id?: string
  readonly source?: SourceInfo
  readonly fetch?: FetchFn
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const

/** Makes a context for plugin tests: logs, metrics and rejected inputs are collected in memory. */
export function createFakeContext(options: FakeContextOptions = {}): FakeContext {
  const logs: CapturedLog[] = []
  const rejected: RejectedInput[] = []
  const skipped = new Map<string, number>()
  const metrics = new Map<string, number | number[]>()
  const controller = new AbortController()

  const makeLogger = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: number): LogFn =>
      (a: string | Record<string, unknown>, b?: string) => {
        if (typeof a === 'string') logs.push({ level, msg: a, fields: { ...bindings } })
        else logs.push({ level, msg: b ?? '', fields: { ...bindings, ...a } })
      }
    return {
      trace: at(LEVELS.trace),
      debug: at(LEVELS.debug),
      info: at(LEVELS.info),
      warn: at(LEVELS.warn),
      error: at(LEVELS.error),
      fatal: at(LEVELS.fatal),
      child: (more) => makeLogger({ ...bindings, ...more }),
    }
  }
  const samples: MetricSample[] = []
  const labelNames = new Map<string, readonly string[]>()
  /** Applies the runtime's label rule, then records the sample. */
  const record = (kind: MetricSample['kind'], name: string, value: number, labels: MetricLabels | undefined) => {
    labelNames.set(name, checkMetricLabels(name, labelNames.get(name), labels))
    samples.push({ kind, name, value, labels: { ...labels } })
  }
  const declare = (name: string, declared: readonly string[] | undefined) => {
    if (declared && !labelNames.has(name)) {
      labelNames.set(name, checkMetricLabels(name, undefined, Object.fromEntries(declared.map((l) => [l, '']))))
    }
  }
  const counter = (name: string, _help?: string, declared?: readonly string[]): Counter => {
    declare(name, declared)
    return {
      inc: (v = 1, labels) => {
        record('counter', name, v, labels)
        metrics.set(name, ((metrics.get(name) as number | undefined) ?? 0) + v)
      },
    }
  }
  const gauge = (name: string, _help?: string, declared?: readonly string[]): Gauge => {
    declare(name, declared)
    return {
      set: (v, labels) => {
        record('gauge', name, v, labels)
        metrics.set(name, v)
      },
    }
  }
  const histogram = (name: string, _help?: string, declared?: readonly string[]): Histogram => {
    declare(name, declared)
    return {
      observe: (v, labels) => {
        record('histogram', name, v, labels)
        const list = (metrics.get(name) as number[] | undefined) ?? []
        list.push(v)
        metrics.set(name, list)
      },
    }
  }
  const id = options.id ?? 'connector:test#test'
  const ctx: PluginContext = {
    id,
    source: options.source,
    logger: makeLogger({ plugin: id }),
    metrics: { counter, gauge, histogram },
    signal: controller.signal,
    clock: systemClock,
    fetch: options.fetch ?? globalThis.fetch,
    skip: (reason, count = 1) => {
      skipped.set(reason, (skipped.get(reason) ?? 0) + count)
    },
    reject: (input) => {
      rejected.push(input)
    },
  }
  return { ctx, logs, rejected, skipped, metrics, samples, abort: () => controller.abort(new Error('aborted by test')) }
}
