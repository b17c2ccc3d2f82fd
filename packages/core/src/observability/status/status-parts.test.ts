import type { SinkBatch } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import type { RuntimeMetrics } from '../../runtime/metrics'
import type { StreamMetrics } from '../../runtime/stream'
import { DetectionTrail } from './detections'
import { StatusHistory } from './history'

const stream = (source: string, fetched: number, sent: number, errors: number): StreamMetrics =>
  ({
    source_id: source,
    records: { fetched, sent, failed: 0, rejected: 0 },
    mode: { errors },
  }) as unknown as StreamMetrics
const metrics = (...streams: StreamMetrics[]): RuntimeMetrics =>
  ({ streams: Object.fromEntries(streams.map((s, i) => [`${s.source_id}_${i}`, s])) }) as unknown as RuntimeMetrics

describe('StatusHistory', () => {
  it('turns totals into per-second rates and new errors per sample, summing a restarted source, within its window', () => {
    const h = new StatusHistory(2, 6)
    h.sample(metrics(stream('a', 0, 0, 0)), 0)
    h.sample(metrics(stream('a', 20, 10, 1)), 2000)
    // a restarted source: the old stream's totals and the new one's add up
    h.sample(metrics(stream('a', 20, 10, 1), stream('a', 6, 6, 2)), 4000)
    expect(h.samples().map((s) => s.sources.a)).toEqual([
      { in_per_second: 10, out_per_second: 5, errors: 1 },
      { in_per_second: 3, out_per_second: 3, errors: 2 },
    ])
    for (let t = 6000; t <= 20_000; t += 2000) h.sample(metrics(stream('a', 20, 10, 1), stream('a', 6, 6, 2)), t)
    expect(h.samples()).toHaveLength(3)
    expect(h.samples().at(-1)).toEqual({
      t: 20_000,
      sources: { a: { in_per_second: 0, out_per_second: 0, errors: 0 } },
    })
  })
})

describe('DetectionTrail', () => {
  const batch = (values: unknown[]): SinkBatch =>
    ({
      topic: 't',
      sourceId: 'firms',
      sourceType: 'nasa_firms',
      records: values.map((value, i) => ({ key: `k${i}`, value, eventTime: '2026-08-01T10:00:00.000Z' })),
    }) as unknown as SinkBatch

  it('keeps records with valid coordinates that were delivered, for an hour, at most maxPoints', () => {
    let now = 1_000_000
    const trail = new DetectionTrail(3_600_000, 3, () => now)
    trail.hooks.afterSend!(batch([{ latitude: 38.5, longitude: -121.5 }]), {
      delivered: 0,
      deadLettered: 1,
      spooled: 0,
    })
    expect(trail.recent()).toEqual([])
    trail.hooks.afterSend!(
      batch([
        { latitude: 38.5, longitude: -121.5 },
        { latitude: 95, longitude: 0 },
        { lat: 1, lon: 2 },
        'text',
        null,
        { latitude: '38', longitude: -121 },
      ]),
      { delivered: 6, deadLettered: 0, spooled: 0 },
    )
    expect(trail.recent()).toEqual([
      { source: 'firms', lat: 38.5, lon: -121.5, t: 1_000_000, detected_at: '2026-08-01T10:00:00.000Z' },
    ])
    now += 1000
    trail.note(batch([1, 2, 3].map((i) => ({ latitude: i, longitude: i }))))
    expect(trail.recent().map((p) => p.lat)).toEqual([1, 2, 3])
    now += 3_600_000
    expect(trail.recent()).toHaveLength(3)
    now += 1
    expect(trail.recent()).toEqual([])
  })
})
