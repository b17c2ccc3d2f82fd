import { describe, expect, it } from 'vitest'
import { type FirmsDetection, detectionKey, parseFirmsCsv } from '../src/index'
import { fixture } from './firms-server'

const counts = (list: readonly FirmsDetection[], pick: (d: FirmsDetection) => unknown): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const d of list) {
    const k = String(pick(d))
    out[k] = (out[k] ?? 0) + 1
  }
  return out
}

describe('real FIRMS samples', () => {
  it('VIIRS NOAA-20 NRT: 101 rows typed exactly', () => {
    const text = fixture('firms_viirs_noaa20_nrt_sample.csv')
    expect(text.endsWith('\n')).toBe(false)
    const { detections, rejected, columns } = parseFirmsCsv(text, { source: 'VIIRS_NOAA20_NRT' })
    expect(rejected).toEqual([])
    expect(columns).toHaveLength(14)
    expect(detections).toHaveLength(101)
    expect(detections[0]).toEqual({
      source: 'VIIRS_NOAA20_NRT',
      latitude: 8.11408,
      longitude: 80.98805,
      bright_ti4: 327.4,
      scan: 0.49,
      track: 0.65,
      acq_date: '2026-09-25',
      acq_time: '0718',
      satellite: 'N20',
      instrument: 'VIIRS',
      confidence: 'n',
      version: '2.0NRT',
      bright_ti5: 273.49,
      frp: 3.03,
      daynight: 'D',
      acq_datetime: '2026-09-25T07:18:00Z',
      confidence_level: 'nominal',
    })
    // line 14: saturated I-4 brightness printed as a bare 367
    expect(detections[12]).toMatchObject({
      latitude: 27.73546,
      longitude: 96.28601,
      bright_ti4: 367,
      acq_time: '0724',
      confidence: 'h',
      confidence_level: 'high',
      frp: 7.07,
    })
    // the last line, which has no newline after it
    expect(detections[100]).toMatchObject({
      latitude: 25.38707,
      longitude: 68.58394,
      acq_time: '2131',
      acq_datetime: '2026-09-25T21:31:00Z',
      daynight: 'N',
      frp: 2.08,
    })
    expect(counts(detections, (d) => d.confidence)).toEqual({ l: 3, n: 95, h: 3 })
    expect(counts(detections, (d) => d.confidence_level)).toEqual({ low: 3, nominal: 95, high: 3 })
    expect(counts(detections, (d) => d.daynight)).toEqual({ D: 35, N: 66 })
    expect(counts(detections, (d) => d.version)).toEqual({ '2.0NRT': 101 })
    expect(detections.filter((d) => d.bright_ti4 === 367)).toHaveLength(3)
    expect(new Set(detections.map(detectionKey)).size).toBe(101)
    for (const d of detections) {
      expect(d.acq_time).toMatch(/^\d{4}$/)
      expect(typeof d.latitude).toBe('number')
      expect(typeof d.frp).toBe('number')
    }
  })

  it('MODIS NRT: 114 rows, numeric confidence, unpadded times, three days', () => {
    const { detections, rejected } = parseFirmsCsv(fixture('firms_modis_nrt_sample.csv'), { source: 'MODIS_NRT' })
    expect(rejected).toEqual([])
    expect(detections).toHaveLength(114)
    expect(detections[0]).toEqual({
      source: 'MODIS_NRT',
      latitude: 20.96748,
      longitude: 85.17615,
      brightness: 314.11,
      scan: 2.27,
      track: 1.46,
      acq_date: '2026-10-01',
      acq_time: '0241',
      satellite: 'Terra',
      instrument: 'MODIS',
      confidence: 70,
      version: '6.1NRT',
      bright_t31: 297.09,
      frp: 22.36,
      daynight: 'D',
      acq_datetime: '2026-10-01T02:41:00Z',
      confidence_level: 'nominal',
    })
    // line 5: scan printed as a bare 4; confidence 23 is low
    expect(detections[3]).toMatchObject({ scan: 4, confidence: 23, confidence_level: 'low', acq_time: '0417' })
    // line 7: frp printed as a bare 9
    expect(detections[5]).toMatchObject({ frp: 9, acq_time: '0419' })
    // lines 16 and 27: the extremes of the MODIS scale
    expect(detections[14]).toMatchObject({ confidence: 0, confidence_level: 'low', satellite: 'Aqua' })
    expect(detections[25]).toMatchObject({
      confidence: 100,
      confidence_level: 'high',
      acq_datetime: '2026-10-01T23:07:00Z',
      daynight: 'N',
    })
    expect(counts(detections, (d) => d.satellite)).toEqual({ Terra: 66, Aqua: 48 })
    expect(counts(detections, (d) => d.acq_date)).toEqual({ '2026-10-01': 27, '2026-10-02': 76, '2026-10-03': 11 })
    expect(counts(detections, (d) => d.confidence_level)).toEqual({ low: 18, nominal: 90, high: 6 })
    // every row's class follows from its percentage (the User's Guide classes), at the edges too:
    // lines 40 and 70 hold 29 (low), line 104 holds 79 (nominal), line 113 holds 81 (high)
    for (const d of detections) {
      const c = d.confidence as number
      expect(d.confidence_level).toBe(c < 30 ? 'low' : c < 80 ? 'nominal' : 'high')
    }
    expect([38, 68, 102].map((i) => [detections[i]!.confidence, detections[i]!.confidence_level])).toEqual([
      [29, 'low'],
      [29, 'low'],
      [79, 'nominal'],
    ])
    expect(detections.every((d) => typeof d.confidence === 'number')).toBe(true)
    expect(detections.every((d) => d.version === '6.1NRT')).toBe(true)
    expect(new Set(detections.map(detectionKey)).size).toBe(114)
  })

  it('VIIRS NOAA-20 SP excerpt: 33 rows with type, version "2" kept as a string', () => {
    const text = fixture('firms_viirs_noaa20_sp_excerpt.csv')
    expect(text.endsWith('\n')).toBe(true)
    const { detections, rejected, columns } = parseFirmsCsv(text, { source: 'VIIRS_NOAA20_SP' })
    expect(rejected).toEqual([])
    expect(columns.at(-1)).toBe('type')
    expect(detections).toHaveLength(33)
    expect(detections[0]).toEqual({
      source: 'VIIRS_NOAA20_SP',
      latitude: 15.82789,
      longitude: 95.47611,
      bright_ti4: 341.76,
      scan: 0.52,
      track: 0.42,
      acq_date: '2026-04-04',
      acq_time: '0638',
      satellite: 'N20',
      instrument: 'VIIRS',
      confidence: 'n',
      version: '2',
      bright_ti5: 307.89,
      frp: 12.26,
      daynight: 'D',
      type: 0,
      acq_datetime: '2026-04-04T06:38:00Z',
      confidence_level: 'nominal',
    })
    expect(detections.every((d) => d.version === '2' && d.type === 0)).toBe(true)
    expect(detections[32]).toMatchObject({ bright_ti4: 367, confidence: 'h', frp: 9.17 })
  })

  it.each(['firms_viirs_noaa20_nrt_sample.csv', 'firms_modis_nrt_sample.csv', 'firms_viirs_noaa20_sp_excerpt.csv'])(
    '%s reads the same with CRLF line ends and with csv-parse',
    (name) => {
      const text = fixture(name)
      const expected = parseFirmsCsv(text, { source: 'S' })
      expect(parseFirmsCsv(text.replace(/\n/g, '\r\n'), { source: 'S' })).toEqual(expected)
      expect(parseFirmsCsv(text, { source: 'S', engine: 'csv-parse' })).toEqual(expected)
      expect(parseFirmsCsv(`${text.trimEnd()}\n`, { source: 'S' })).toEqual(expected)
    },
  )
})
