/**
 * What the status page charts: each source's records in and out per second and its new errors,
 * sampled from `getMetrics()` every few seconds over the last minutes (a bounded ring).
 */
import type { RuntimeMetrics } from '../../runtime/metrics'
import type { StreamMetrics } from '../../runtime/stream'

/** One source at one sample. */
export interface SourceSample {
  /** Records fetched per second since the previous sample. */
  readonly in_per_second: number
  /** Records the sink acknowledged per second since the previous sample. */
  readonly out_per_second: number
  /** Errors since the previous sample (mode errors, failed records, rejected inputs). */
  readonly errors: number
}

/** One sample: when (Unix ms) and each source's figures. */
export interface HistorySample {
  readonly t: number
  readonly sources: Readonly<Record<string, SourceSample>>
}

interface Totals {
  readonly fetched: number
  readonly sent: number
  readonly errors: number
}

/** A stream's error count: what its mode counted as errors, records that failed, inputs rejected. */
export const streamErrors = (s: StreamMetrics): number => s.mode.errors + s.records.failed + s.records.rejected

/** Totals per source, summed over the source's streams (a restarted source keeps counting up). */
function totals(m: RuntimeMetrics): Map<string, Totals> {
  const out = new Map<string, Totals>()
  for (const s of Object.values(m.streams)) {
    const t = out.get(s.source_id) ?? { fetched: 0, sent: 0, errors: 0 }
    out.set(s.source_id, {
      fetched: t.fetched + s.records.fetched,
      sent: t.sent + s.records.sent,
      errors: t.errors + streamErrors(s),
    })
  }
  return out
}

/** The ring of samples; see the module comment. */
export class StatusHistory {
  readonly #samples: HistorySample[] = []
  readonly #max: number
  #last: { t: number; totals: Map<string, Totals> } | undefined

  /** Keeps `windowSeconds` of samples taken every `intervalSeconds`. */
  constructor(
    readonly intervalSeconds = 2,
    readonly windowSeconds = 600,
  ) {
    this.#max = Math.max(2, Math.ceil(windowSeconds / intervalSeconds))
  }

  /** Adds a sample of `metrics` taken at `t` (Unix ms). */
  sample(metrics: RuntimeMetrics, t: number): void {
    const now = totals(metrics)
    const prev = this.#last
    this.#last = { t, totals: now }
    if (!prev) return
    const dt = Math.max(0.001, (t - prev.t) / 1000)
    const sources: Record<string, SourceSample> = {}
    for (const [id, cur] of now) {
      const before = prev.totals.get(id) ?? { fetched: 0, sent: 0, errors: 0 }
      sources[id] = {
        in_per_second: Math.max(0, cur.fetched - before.fetched) / dt,
        out_per_second: Math.max(0, cur.sent - before.sent) / dt,
        errors: Math.max(0, cur.errors - before.errors),
      }
    }
    this.#samples.push({ t, sources })
    if (this.#samples.length > this.#max) this.#samples.splice(0, this.#samples.length - this.#max)
  }

  /** The samples, oldest first. */
  samples(): readonly HistorySample[] {
    return [...this.#samples]
  }
}
