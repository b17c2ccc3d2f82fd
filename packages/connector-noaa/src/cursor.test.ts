import { describe, expect, it } from 'vitest'
import type { AlertSummary } from './alerts'
import { admitAlerts, admitObservations, emptyCursor, readCursor } from './cursor'
import type { Observation } from './observations'

const alert = (id: string, sent: string) => ({ id, sent }) as AlertSummary
const obs = (timestamp: string) => ({ timestamp }) as Observation

describe('readCursor', () => {
  it('starts afresh without a cursor or with a foreign one', () => {
    expect(readCursor(undefined)).toEqual({ cursor: emptyCursor() })
    expect(readCursor({ v: 2 }).problem).toMatch(/not a noaa cursor/)
    expect(readCursor(['x']).cursor).toEqual(emptyCursor())
  })

  it('reads its own cursor', () => {
    const c = { v: 1, alerts: { a: '2026-01-01T00:00:00.000Z' }, stations: { KSFO: 't' }, modified: { u: 'lm' } }
    expect(readCursor(c)).toEqual({ cursor: { ...c, grids: {}, forecasts: {} } })
    const g = { ...c, grids: { 'TAE/58,65': '2022-02-04T03:15:41.000Z' }, forecasts: { 'fire/FLZ015': 't' } }
    expect(readCursor(g)).toEqual({ cursor: g })
    expect(readCursor({ ...c, grids: 'x' }).problem).toMatch(/not a noaa cursor/)
    expect(readCursor({ ...c, forecasts: [] }).problem).toMatch(/not a noaa cursor/)
  })
})

describe('admitAlerts', () => {
  it('emits new and updated alerts, forgets gone ones, keeps the latest max', () => {
    const seen = { a: '2026-01-01T00:00:00.000Z', b: '2026-01-01T00:00:00.000Z', gone: '2026-01-01T00:00:00.000Z' }
    const r = admitAlerts(
      seen,
      [
        alert('a', '2026-01-01T00:00:00.000Z'),
        alert('b', '2026-01-02T00:00:00.000Z'),
        alert('c', '2026-01-03T00:00:00.000Z'),
      ],
      2,
    )
    expect(r.fresh.map((a) => a.id)).toEqual(['b', 'c'])
    expect(r.repeats).toBe(1)
    expect(r.seen).toEqual({ c: '2026-01-03T00:00:00.000Z', b: '2026-01-02T00:00:00.000Z' })
  })

  it('does not emit an alert whose sent went backwards', () => {
    const r = admitAlerts({ a: '2026-01-02T00:00:00.000Z' }, [alert('a', '2026-01-01T00:00:00.000Z')], 10)
    expect(r.fresh).toEqual([])
    expect(r.seen).toEqual({ a: '2026-01-02T00:00:00.000Z' })
  })
})

describe('admitObservations', () => {
  it('emits newer ones once, oldest first, and never moves backwards', () => {
    const r = admitObservations('2019-08-17T10:00:00.000Z', '2019-08-17T10:00:00.000Z', [
      obs('2019-08-17T12:00:00.000Z'),
      obs('2019-08-17T11:00:00.000Z'),
      obs('2019-08-17T12:00:00.000Z'),
      obs('2017-06-06T04:42:00.000Z'),
      obs('2019-08-17T10:00:00.000Z'),
    ])
    expect(r.fresh.map((o) => o.timestamp)).toEqual(['2019-08-17T11:00:00.000Z', '2019-08-17T12:00:00.000Z'])
    expect(r.stale).toBe(3)
    expect(r.newest).toBe('2019-08-17T12:00:00.000Z')
    expect(admitObservations('2019-08-17T12:00:00.000Z', 'x', [obs('2019-08-17T11:00:00.000Z')]).newest).toBe(
      '2019-08-17T12:00:00.000Z',
    )
  })

  it('skips entries before start on a first poll', () => {
    const r = admitObservations(undefined, '2019-08-10T00:00:00.000Z', [
      obs('2019-08-11T00:00:00.000Z'),
      obs('2018-01-01T00:00:00.000Z'),
    ])
    expect(r.fresh).toHaveLength(1)
    expect(r.newest).toBe('2019-08-11T00:00:00.000Z')
  })
})
