import { describe, expect, it } from 'vitest'
import { parseAvailability, planHistorical, siblings } from './availability'

// Captured from the live data_availability table (see the package README).
const TABLE = `data_id,min_date,max_date
MODIS_NRT,2026-05-01,2026-08-05
MODIS_SP,2000-11-01,2026-04-30
VIIRS_NOAA20_NRT,2026-06-01,2026-08-05
VIIRS_NOAA20_SP,2018-04-01,2026-05-31
VIIRS_NOAA21_NRT,2024-01-17,2026-08-05
VIIRS_SNPP_NRT,2026-04-28,2026-08-05
VIIRS_SNPP_SP,2012-01-20,2026-04-27
`

describe('parseAvailability', () => {
  it('reads the real table', () => {
    const table = parseAvailability(TABLE)
    expect(table.size).toBe(7)
    expect(table.get('VIIRS_SNPP_SP')).toEqual({ min: '2012-01-20', max: '2026-04-27' })
  })

  it('finds columns by name, accepts CRLF and skips odd rows', () => {
    const table = parseAvailability('min_date,max_date,data_id\r\n2026-01-01,2026-02-01,x_nrt\r\nbroken\r\n')
    expect([...table]).toEqual([['X_NRT', { min: '2026-01-01', max: '2026-02-01' }]])
  })

  it('refuses another shape', () => {
    expect(() => parseAvailability('sensor,date,sp,nrt\n')).toThrow(/data_id,min_date,max_date/)
  })
})

describe('planHistorical', () => {
  const table = parseAvailability(TABLE)

  it('reads each day from the dataset that covers it: SP before the switch, NRT after', () => {
    const plan = planHistorical('VIIRS_SNPP_NRT', '2026-04-25', '2026-04-30', table)
    expect(plan.uncovered).toEqual([])
    expect(plan.requests.map((r) => [r.source, r.window.date, r.window.dayRange])).toEqual([
      ['VIIRS_SNPP_SP', '2026-04-25', 3],
      ['VIIRS_SNPP_NRT', '2026-04-28', 3],
    ])
  })

  it('goes from a configured SP source to its NRT sibling for recent days', () => {
    const plan = planHistorical('MODIS_SP', '2026-04-29', '2026-05-02', table)
    expect(plan.requests.map((r) => [r.source, r.window.date, r.window.dayRange])).toEqual([
      ['MODIS_SP', '2026-04-29', 2],
      ['MODIS_NRT', '2026-05-01', 2],
    ])
  })

  it('splits long runs into ≤5-day DATE windows and reports days nothing covers', () => {
    const plan = planHistorical('VIIRS_NOAA21_NRT', '2024-01-10', '2024-01-27', table)
    expect(plan.uncovered).toEqual([
      '2024-01-10',
      '2024-01-11',
      '2024-01-12',
      '2024-01-13',
      '2024-01-14',
      '2024-01-15',
      '2024-01-16',
    ])
    expect(plan.requests.map((r) => [r.source, r.window.date, r.window.dayRange])).toEqual([
      ['VIIRS_NOAA21_NRT', '2024-01-17', 5],
      ['VIIRS_NOAA21_NRT', '2024-01-22', 5],
      ['VIIRS_NOAA21_NRT', '2024-01-27', 1],
    ])
  })

  it('knows the NRT/SP pairs', () => {
    expect(siblings('VIIRS_NOAA20_NRT')).toEqual(['VIIRS_NOAA20_NRT', 'VIIRS_NOAA20_SP'])
    expect(siblings('LANDSAT_NRT')).toEqual(['LANDSAT_NRT', 'LANDSAT_SP'])
  })
})
