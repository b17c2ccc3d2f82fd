import { describe, expect, it } from 'vitest'
import { EMPTY_CURSOR, admit, readCursor } from './cursor'
import type { FirmsDetection } from './parse'

const HOUR = 3_600_000

const det = (time: string, lat: number, lon = 80, satellite = 'N20'): FirmsDetection => ({
  source: 'VIIRS_NOAA20_NRT',
  latitude: lat,
  longitude: lon,
  acq_date: time.slice(0, 10),
  acq_time: time.slice(11, 13) + time.slice(14, 16),
  acq_datetime: `${time}:00Z`,
  satellite,
  confidence: 'n',
  confidence_level: 'nominal',
})

describe('admit', () => {
  const first = [det('2026-09-25T07:18', 8.1), det('2026-09-25T07:18', 8.2), det('2026-09-25T21:31', 25.4)]

  it('admits everything on the first read and remembers the newest time and the pixels', () => {
    const out = admit(undefined, first, 6 * HOUR)
    expect(out.fresh).toEqual(first)
    expect(out.cursor).toEqual({
      newest: '2026-09-25T21:31:00Z',
      // 07:18 is more than 6 h before 21:31: forgotten
      seen: { '2026-09-25T21:31:00Z': ['N20:25.4:80'] },
    })
  })

  it('admits nothing twice over repeated reads of the same rows', () => {
    const a = admit(undefined, first, 24 * HOUR)
    const b = admit(a.cursor, first, 24 * HOUR)
    expect(b.fresh).toEqual([])
    expect(b.duplicates).toBe(3)
    expect(b.cursor).toEqual(a.cursor)
    const c = admit(b.cursor, first, 24 * HOUR)
    expect(c.fresh).toEqual([])
  })

  it('admits a new pixel at the cursor minute but not the ones already emitted there (window 0)', () => {
    const a = admit(undefined, first, 0)
    const late = det('2026-09-25T21:31', 25.5)
    const b = admit(a.cursor, [...first, late], 0)
    expect(b.fresh).toEqual([late])
    expect(b.duplicates).toBe(1)
    expect(b.stale).toBe(2)
    expect(b.cursor?.seen).toEqual({ '2026-09-25T21:31:00Z': ['N20:25.4:80', 'N20:25.5:80'] })
  })

  it('admits late rows within the window and skips older ones as stale', () => {
    const a = admit(undefined, first, 6 * HOUR)
    const late = det('2026-09-25T16:10', 30)
    const tooLate = det('2026-09-25T15:00', 31)
    const newer = det('2026-09-25T22:05', 32)
    const b = admit(a.cursor, [tooLate, ...first, late, newer], 6 * HOUR)
    expect(b.fresh).toEqual([late, newer])
    expect(b.stale).toBe(3) // 15:00 and both 07:18 rows
    expect(b.cursor?.newest).toBe('2026-09-25T22:05:00Z')
    expect(Object.keys(b.cursor?.seen ?? {})).toEqual([
      '2026-09-25T16:10:00Z',
      '2026-09-25T21:31:00Z',
      '2026-09-25T22:05:00Z',
    ])
  })

  it('tells satellites apart at one position and minute', () => {
    const out = admit(
      undefined,
      [det('2026-09-25T07:18', 8.1, 80, 'N20'), det('2026-09-25T07:18', 8.1, 80, 'N21')],
      HOUR,
    )
    expect(out.fresh).toHaveLength(2)
  })

  it('keeps the previous cursor when nothing new came', () => {
    const a = admit(undefined, first, HOUR)
    expect(admit(a.cursor, [], HOUR).cursor).toEqual(a.cursor)
    expect(admit(undefined, [], HOUR).cursor).toBeUndefined()
  })
})

describe('readCursor', () => {
  it('reads no cursor as empty, and its own cursor back after a JSON round trip', () => {
    expect(readCursor(undefined)).toEqual({ cursor: EMPTY_CURSOR })
    const cursor = {
      v: 1,
      sources: { VIIRS_SNPP_NRT: { newest: '2026-09-25T21:31:00Z', seen: { '2026-09-25T21:31:00Z': ['N:1:2'] } } },
      backfill: { start: '2026-01-01', next: '2026-01-06', done: false },
    }
    expect(readCursor(JSON.parse(JSON.stringify(cursor)))).toEqual({ cursor })
  })

  it.each([
    ['a string', 'abc'],
    ['another version', { v: 2, sources: {} }],
    ['a bad time', { v: 1, sources: { X: { newest: 'yesterday', seen: {} } } }],
    ['a bad seen list', { v: 1, sources: { X: { newest: '2026-09-25T21:31:00Z', seen: { a: [1] } } } }],
    ['bad backfill', { v: 1, sources: {}, backfill: { start: 'x', next: '2026-01-01', done: false } }],
  ])('reports %s as a problem and starts empty', (_name, value) => {
    const read = readCursor(value)
    expect(read.cursor).toEqual(EMPTY_CURSOR)
    expect(read.problem).toBeTypeOf('string')
  })
})
