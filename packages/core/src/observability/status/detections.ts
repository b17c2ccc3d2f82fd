/**
 * The fire detections that arrived in the last hour, for the status page's map: records whose value carries a
 * numeric `latitude` and `longitude` (FIRMS detections do) are noted as the sink accounts for them,
 * through an `afterSend` hook. Bounded in age and in count; the oldest go first.
 */
import type { SendHooks, SinkBatch, SinkResult } from '@firefront/sdk'

/** One detection on the map. */
export interface DetectionPoint {
  readonly source: string
  readonly lat: number
  readonly lon: number
  /** When the sink accounted for it (Unix ms): the map shows what arrived in the last hour. */
  readonly t: number
  /** When it was detected (the record's event time, ISO 8601), when it has one. */
  readonly detected_at?: string
}

const coordinate = (v: unknown, limit: number): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= limit ? v : undefined

/** The trail of recent detections; see the module comment. */
export class DetectionTrail {
  readonly #points: DetectionPoint[] = []

  constructor(
    readonly maxAgeMs = 3_600_000,
    readonly maxPoints = 20_000,
    readonly now: () => number = Date.now,
  ) {}

  /** The hook that feeds the trail (observes only; never changes a batch). */
  readonly hooks: SendHooks = {
    name: 'status-page-detections',
    afterSend: (batch: SinkBatch, result: SinkResult) => {
      if (result.delivered === 0) return
      this.note(batch)
    },
  }

  /** Notes the detections of `batch`. */
  note(batch: SinkBatch): void {
    const sentAt = this.now()
    for (const r of batch.records) {
      const v = r.value as { latitude?: unknown; longitude?: unknown } | null
      if (typeof v !== 'object' || v === null) continue
      const lat = coordinate(v.latitude, 90)
      const lon = coordinate(v.longitude, 180)
      if (lat === undefined || lon === undefined) continue
      this.#points.push({
        source: batch.sourceId,
        lat,
        lon,
        t: sentAt,
        ...(r.eventTime ? { detected_at: r.eventTime } : {}),
      })
    }
    if (this.#points.length > this.maxPoints) this.#points.splice(0, this.#points.length - this.maxPoints)
  }

  /** Detections that arrived in the last `maxAgeMs`, oldest first. */
  recent(): DetectionPoint[] {
    const since = this.now() - this.maxAgeMs
    let drop = 0
    while (drop < this.#points.length && this.#points[drop]!.t < since) drop++
    if (drop > 0) this.#points.splice(0, drop)
    return [...this.#points]
  }
}
