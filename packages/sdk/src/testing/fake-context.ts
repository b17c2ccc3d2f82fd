import type { Counter, FetchFn, Gauge, Histogram, LogFn, Logger, PluginContext, RejectedInput } from '../context'
import { systemClock } from '../context'
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
  /** Metric values by name (counters summed, gauges last value, histograms every observation). */
  readonly metrics: Map<string, number | number[]>
  /** Aborts `ctx.signal`. */
  abort(): void
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
  const counter = (name: string): Counter => ({
    inc: (v = 1) => metrics.set(name, ((metrics.get(name) as number | undefined) ?? 0) + v),
  })
  const gauge = (name: string): Gauge => ({ set: (v) => metrics.set(name, v) })
  const histogram = (name: string): Histogram => ({
    observe: (v) => {
      const list = (metrics.get(name) as number[] | undefined) ?? []
      list.push(v)
      metrics.set(name, list)
    },
  })
  const id = options.id ?? 'connector:test#test'
  const ctx: PluginContext = {
    id,
    source: options.source,
    logger: makeLogger({ plugin: id }),
    metrics: { counter, gauge, histogram },
    signal: controller.signal,
    clock: systemClock,
    fetch: options.fetch ?? globalThis.fetch,
    reject: (input) => {
      rejected.push(input)
    },
  }
  return { ctx, logs, rejected, metrics, abort: () => controller.abort(new Error('aborted by test')) }
}
