/**
 * The records every contestant of the peers benchmark sends: FIRMS-shaped detections (~275 B of
 * JSON), keyed, with the five headers Firefront writes. The bench connector generates them for
 * Firefront; the bare producers, kcat, ProducerPerformance and Kafka Connect send the same key
 * and value bytes, so only the producing differs.
 */

/** The source id and source type of the bench source (Firefront's header values). */
export const SOURCE_ID = 'firms-bench'
export const SOURCE_TYPE = 'firms_bench'
/** Every detection's event time (FIRMS gives one per acquisition). */
export const EVENT_TIME = '2026-09-25T07:18:00Z'

/** One generated detection, as the connector returns it. */
export interface BenchRecord {
  readonly key: string
  readonly eventTime: string
  readonly value: Readonly<Record<string, string | number>>
}

/** Detection `n` (0-based): deterministic, so every contestant sends the same bytes. */
export function firmsRecord(n: number): BenchRecord {
  return {
    key: `VIIRS_NOAA20_NRT:2026-09-25T07:18Z:${(8 + (n % 1000) / 1000).toFixed(5)}:${n}`,
    eventTime: EVENT_TIME,
    value: {
      latitude: Number((8.11408 + (n % 997) / 10_000).toFixed(5)),
      longitude: Number((80.98805 - (n % 991) / 10_000).toFixed(5)),
      bright_ti4: Number((327.4 + (n % 13) / 10).toFixed(2)),
      scan: 0.49,
      track: 0.65,
      acq_date: '2026-09-25',
      acq_time: '0718',
      satellite: 'N20',
      instrument: 'VIIRS',
      confidence: 'n',
      version: '2.0NRT',
      bright_ti5: Number((290.1 + (n % 7) / 10).toFixed(2)),
      frp: Number((3.03 + (n % 50) / 10).toFixed(2)),
      daynight: 'D',
      type: 0,
      id: `fb${String(n).padStart(9, '0')}`,
    },
  }
}

/** The five headers Firefront puts on each record, for a record ingested at `ingestedAt`. */
export function firefrontHeaders(ingestedAt: string): Record<string, string> {
  return {
    'firefront.source.id': SOURCE_ID,
    'firefront.source.type': SOURCE_TYPE,
    'firefront.event.time': EVENT_TIME,
    'firefront.ingested.at': ingestedAt,
    'content-type': 'application/json',
  }
}

/** A Kafka message as Firefront sends it: key, JSON value text, headers, timestamp (epoch ms). */
export interface BenchMessage {
  readonly key: string
  readonly value: string
  readonly headers: Record<string, string>
  readonly timestamp: string
}

/** Detections `from` .. `until - 1` as Firefront turns them into messages, all ingested at `ingestedAt`. */
export function firefrontMessages(from: number, until: number, ingestedAt: string): BenchMessage[] {
  const headers = firefrontHeaders(ingestedAt)
  const timestamp = String(Date.parse(ingestedAt))
  const out: BenchMessage[] = []
  for (let n = from; n < until; n++) {
    const r = firmsRecord(n)
    out.push({ key: r.key, value: JSON.stringify(r.value), headers, timestamp })
  }
  return out
}
