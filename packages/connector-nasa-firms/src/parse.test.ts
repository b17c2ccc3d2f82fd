import { describe, expect, it } from 'vitest'
import { FirmsFormatError, confidenceLevel, detectionKey, isFirmsHeader, parseFirmsCsv } from './parse'

const VIIRS_HEADER =
  'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight'
const VIIRS_ROW = '8.11408,80.98805,327.4,0.49,0.65,2026-09-25,718,N20,VIIRS,n,2.0NRT,273.49,3.03,D'

describe('parseFirmsCsv on synthetic bodies', () => {
  it('reads the country API header with its leading country_id', () => {
    const body = [
      `country_id,${VIIRS_HEADER}`,
      'MEX,19.43,-99.13,330.1,0.4,0.5,2023-03-01,659,1,VIIRS,n,2.0NRT,290.5,4.2,D',
      'MEX,20.1,-98.7,335,0.41,0.52,2023-03-01,748,1,VIIRS,h,2.0NRT,291,12,D',
    ].join('\n')
    const { columns, detections, rejected } = parseFirmsCsv(body, { source: 'VIIRS_NOAA20_NRT' })
    expect(rejected).toEqual([])
    expect(columns[0]).toBe('country_id')
    expect(detections).toHaveLength(2)
    expect(detections[0]).toEqual({
      source: 'VIIRS_NOAA20_NRT',
      country_id: 'MEX',
      latitude: 19.43,
      longitude: -99.13,
      bright_ti4: 330.1,
      scan: 0.4,
      track: 0.5,
      acq_date: '2023-03-01',
      acq_time: '0659',
      satellite: '1',
      instrument: 'VIIRS',
      confidence: 'n',
      version: '2.0NRT',
      bright_ti5: 290.5,
      frp: 4.2,
      daynight: 'D',
      acq_datetime: '2023-03-01T06:59:00Z',
      confidence_level: 'nominal',
    })
    expect(detections[1]!.frp).toBe(12)
    expect(detections[1]!.acq_datetime).toBe('2023-03-01T07:48:00Z')
  })

  it("reads LANDSAT's own column set (path, row, letter confidence; no frp, brightness or version)", () => {
    const body = [
      'latitude,longitude,path,row,scan,track,acq_date,acq_time,satellite,confidence,daynight',
      '34.12345,-118.2,41,36,0.03,0.03,2026-08-01,1832,L9,M,D',
      '34.2,-118.3,41,36,0.03,0.03,2026-08-01,1832,L8,H,D',
      '34.3,-118.4,41,36,0.03,0.03,2026-08-01,5,L9,L,N',
    ].join('\n')
    const { detections, rejected } = parseFirmsCsv(body, { source: 'LANDSAT_NRT' })
    expect(rejected).toEqual([])
    expect(detections[0]).toEqual({
      source: 'LANDSAT_NRT',
      latitude: 34.12345,
      longitude: -118.2,
      path: 41,
      row: 36,
      scan: 0.03,
      track: 0.03,
      acq_date: '2026-08-01',
      acq_time: '1832',
      satellite: 'L9',
      confidence: 'M',
      daynight: 'D',
      acq_datetime: '2026-08-01T18:32:00Z',
      confidence_level: 'nominal',
    })
    expect(detections.map((d) => d.confidence_level)).toEqual(['nominal', 'high', 'low'])
    expect(detections[2]!.acq_time).toBe('0005')
    expect(detections[2]!.acq_datetime).toBe('2026-08-01T00:05:00Z')
    expect('frp' in detections[0]!).toBe(false)
    expect('version' in detections[0]!).toBe(false)
  })

  it.each([
    ['LF, no final newline', `${VIIRS_HEADER}\n${VIIRS_ROW}\n${VIIRS_ROW.replace('718', '2307')}`],
    ['LF, final newline', `${VIIRS_HEADER}\n${VIIRS_ROW}\n${VIIRS_ROW.replace('718', '2307')}\n`],
    ['CRLF, no final newline', `${VIIRS_HEADER}\r\n${VIIRS_ROW}\r\n${VIIRS_ROW.replace('718', '2307')}`],
    ['CRLF, final newline', `${VIIRS_HEADER}\r\n${VIIRS_ROW}\r\n${VIIRS_ROW.replace('718', '2307')}\r\n`],
    ['blank lines and a BOM', `\uFEFF${VIIRS_HEADER}\n\n${VIIRS_ROW}\r\n\r\n${VIIRS_ROW.replace('718', '2307')}\n\n`],
  ])('reads %s the same way', (_name, body) => {
    for (const engine of ['auto', 'csv-parse'] as const) {
      const { detections, rejected } = parseFirmsCsv(body, { source: 'S', engine })
      expect(rejected).toEqual([])
      expect(detections.map((d) => [d.acq_datetime, d.daynight, d.frp])).toEqual([
        ['2026-09-25T07:18:00Z', 'D', 3.03],
        ['2026-09-25T23:07:00Z', 'D', 3.03],
      ])
    }
  })

  it.each([
    ['with a newline', `${VIIRS_HEADER}\n`],
    ['without a newline', VIIRS_HEADER],
    ['with CRLF', `${VIIRS_HEADER}\r\n`],
  ])('gives zero detections for a header-only body %s', (_name, body) => {
    expect(parseFirmsCsv(body)).toEqual({ columns: VIIRS_HEADER.split(','), detections: [], rejected: [] })
  })

  it('rejects malformed rows with a reason and the row text, and reads the rest', () => {
    const rows = [
      VIIRS_ROW,
      '8.1,80.9,327.4,0.49,0.65,2026-09-25,718,N20,VIIRS,n', // cut short
      VIIRS_ROW.replace('8.11408', 'abc'),
      VIIRS_ROW.replace('80.98805', '180.5'),
      VIIRS_ROW.replace('8.11408', ''),
      VIIRS_ROW.replace('2026-09-25', '2026-02-30'),
      VIIRS_ROW.replace('2026-09-25', '25/09/2026'),
      VIIRS_ROW.replace(',718,', ',2460,'),
      VIIRS_ROW.replace(',718,', ',7h18,'),
      VIIRS_ROW.replace(',3.03,', ',n/a,'),
      `${VIIRS_ROW},extra`,
      VIIRS_ROW.replace(',718,', ',2359,'),
    ]
    const { detections, rejected } = parseFirmsCsv([VIIRS_HEADER, ...rows].join('\n'), { source: 'S' })
    expect(detections.map((d) => d.acq_time)).toEqual(['0718', '2359'])
    expect(rejected).toEqual([
      { row: 2, input: rows[1], reason: 'expected 14 columns, got 10' },
      { row: 3, input: rows[2], reason: 'latitude "abc" is not a number' },
      { row: 4, input: rows[3], reason: 'longitude 180.5 is out of range' },
      { row: 5, input: rows[4], reason: 'latitude "" is not a number' },
      { row: 6, input: rows[5], reason: 'acq_date "2026-02-30" is not a date (YYYY-MM-DD)' },
      { row: 7, input: rows[6], reason: 'acq_date "25/09/2026" is not a date (YYYY-MM-DD)' },
      { row: 8, input: rows[7], reason: 'acq_time "2460" is not a time (HHMM)' },
      { row: 9, input: rows[8], reason: 'acq_time "7h18" is not a time (HHMM)' },
      { row: 10, input: rows[9], reason: 'frp "n/a" is not a number' },
      { row: 11, input: rows[10], reason: 'expected 14 columns, got 15' },
    ])
  })

  it('keeps empty numeric cells as null and unknown columns as strings', () => {
    const body = `${VIIRS_HEADER},type,new_flag,\n${VIIRS_ROW.replace(',3.03,', ',,')},2,007,x`
    const [d] = parseFirmsCsv(body).detections
    expect(d!.frp).toBeNull()
    expect(d!.type).toBe(2)
    expect(d!.extra).toEqual({ new_flag: '007', column_17: 'x' })
    expect(d!.source).toBeNull()
  })

  it('reads cells padded with spaces, and blank lines before the header', () => {
    const header = VIIRS_HEADER.replace(/,/g, ', ')
    const row = ' 8.1 , 80.9 ,327.4,0.49,0.65, 2026-09-25 , 718 ,N20,VIIRS,n,2.0NRT,273.49, 3.03 ,D'
    const [d] = parseFirmsCsv(`\n \n${header}\n${row}`).detections
    expect(d).toMatchObject({ latitude: 8.1, longitude: 80.9, acq_date: '2026-09-25', acq_time: '0718', frp: 3.03 })
  })

  it('keeps version as an opaque string', () => {
    const versions = ['2.0NRT', '2', '61.03', '6.1NRT', '2.0URT']
    const body = [VIIRS_HEADER, ...versions.map((v) => VIIRS_ROW.replace('2.0NRT', v))].join('\n')
    expect(parseFirmsCsv(body).detections.map((d) => d.version)).toEqual(versions)
  })

  it('reads acq_time without padding, and as HH:MM', () => {
    const times = ['0', '5', '41', '241', '0241', '1200', '2359', '7:05', '07:05']
    const body = [VIIRS_HEADER, ...times.map((t) => VIIRS_ROW.replace(',718,', `,${t},`))].join('\n')
    expect(parseFirmsCsv(body).detections.map((d) => d.acq_datetime.slice(11, 16))).toEqual([
      '00:00',
      '00:05',
      '00:41',
      '02:41',
      '02:41',
      '12:00',
      '23:59',
      '07:05',
      '07:05',
    ])
  })

  it('reads quoted fields through csv-parse, the same as unquoted ones', () => {
    const quoted = `${VIIRS_HEADER},note\n${VIIRS_ROW.replace('N20', '"N20"')},"a ""quoted"", multi\nline note"\n${VIIRS_ROW},plain`
    const { detections, rejected } = parseFirmsCsv(quoted, { source: 'S' })
    expect(rejected).toEqual([])
    expect(detections.map((d) => [d.satellite, d.extra?.note])).toEqual([
      ['N20', 'a "quoted", multi\nline note'],
      ['N20', 'plain'],
    ])
    const unquoted = parseFirmsCsv(`${VIIRS_HEADER}\n${VIIRS_ROW}`, { source: 'S' }).detections[0]
    expect({ ...detections[1], extra: undefined }).toEqual({ ...unquoted, extra: undefined })
  })

  it('rejects a quoted row it cannot read and keeps the rows before it', () => {
    const { detections, rejected } = parseFirmsCsv(`${VIIRS_HEADER}\n${VIIRS_ROW}\n${VIIRS_ROW.replace('N20', 'N"20')}`)
    expect(detections).toHaveLength(1)
    expect(rejected).toHaveLength(1)
    expect(rejected[0]!.row).toBe(2)
    expect(rejected[0]!.reason).toMatch(/quote/i)
  })

  it.each([
    ['Invalid MAP_KEY.'],
    ['Invalid area.'],
    ['<!DOCTYPE html><html><body>Service unavailable</body></html>'],
    [''],
    ['\n\n'],
  ])('throws FirmsFormatError when the first line is not a FIRMS header: %j', (body) => {
    expect(() => parseFirmsCsv(body)).toThrow(FirmsFormatError)
  })

  it('throws when the header lacks the columns a detection needs', () => {
    expect(() => parseFirmsCsv('latitude,longitude,frp\n1,2,3')).toThrow(/lacks acq_date, acq_time/)
  })

  it('builds a stable key from source, acquisition minute, satellite and position', () => {
    const [d] = parseFirmsCsv(`${VIIRS_HEADER}\n${VIIRS_ROW}`, { source: 'VIIRS_NOAA20_NRT' }).detections
    expect(detectionKey(d!)).toBe('VIIRS_NOAA20_NRT:2026-09-25T07:18Z:N20:8.11408:80.98805')
  })
})

describe('confidenceLevel', () => {
  // MODIS C6 Active Fire Product User's Guide: low 0 ≤ C < 30, nominal 30 ≤ C < 80, high 80 ≤ C ≤ 100.
  it.each([
    [0, 'low'],
    [1, 'low'],
    [29, 'low'],
    [29.9, 'low'],
    [30, 'nominal'],
    [50, 'nominal'],
    [79, 'nominal'],
    [79.9, 'nominal'],
    [80, 'high'],
    [99, 'high'],
    [100, 'high'],
  ] as const)('MODIS %s%% is %s', (c, level) => {
    expect(confidenceLevel(c)).toBe(level)
  })

  it('gives no class to a MODIS number outside 0–100', () => {
    for (const c of [-1, -0.1, 100.1, 101, Number.NaN, Number.POSITIVE_INFINITY]) expect(confidenceLevel(c)).toBeNull()
  })

  it('maps letters of VIIRS (l/n/h) and LANDSAT (L/M/H)', () => {
    expect(['l', 'n', 'h', 'L', 'M', 'H', 'low', 'nominal', 'high', 'x'].map(confidenceLevel)).toEqual([
      'low',
      'nominal',
      'high',
      'low',
      'nominal',
      'high',
      'low',
      'nominal',
      'high',
      null,
    ])
  })
})

describe('isFirmsHeader', () => {
  it('accepts latitude and country_id first, nothing else', () => {
    expect(isFirmsHeader(VIIRS_HEADER)).toBe(true)
    expect(isFirmsHeader(`country_id,${VIIRS_HEADER}`)).toBe(true)
    expect(isFirmsHeader('\uFEFFlatitude,longitude')).toBe(true)
    expect(isFirmsHeader('data_id,min_date,max_date')).toBe(false)
    expect(isFirmsHeader('Invalid MAP_KEY.')).toBe(false)
  })
})

describe('detection objects', () => {
  it('are plain objects with only the columns of the file', () => {
    const [d] = parseFirmsCsv(`${VIIRS_HEADER}\n${VIIRS_ROW}`, { source: 'S' }).detections
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype)
    expect(d).toStrictEqual({ ...d })
    expect(Object.keys(d!)).toEqual(['source', ...VIIRS_HEADER.split(','), 'acq_datetime', 'confidence_level'])
  })
})
