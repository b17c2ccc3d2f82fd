import { validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { FirmsConfig, parseBbox, resolveSettings } from './config'

const valid = (input: unknown): FirmsConfig => {
  const checked = validateConfig(FirmsConfig, input)
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
  return checked.value
}

describe('FirmsConfig', () => {
  it('fills defaults', () => {
    expect(valid({ area: 'world' })).toEqual({
      area: 'world',
      sources: ['VIIRS_SNPP_NRT'],
      base_url: 'https://firms.modaps.eosdis.nasa.gov',
      initial_day_range: 1,
      max_catch_up_days: 10,
      dedupe_window_hours: 6,
      backfill_days_per_poll: 5,
      request_timeout_seconds: 30,
      max_body_bytes: 128 * 1024 * 1024,
      transaction_limit: 5000,
      check_key_status: false,
    })
  })

  it.each([
    [{ sources: ['VIIRS_SNPP'] }, 'sources[0]'],
    [{ sources: [] }, 'sources'],
    [{ sources: ['MODIS_NRT', 'MODIS_NRT'] }, 'sources'],
    [{ area: '1,2,3' }, 'area'],
    [{ country: 'MEXICO' }, 'country'],
    [{ initial_day_range: 0 }, 'initial_day_range'],
    [{ start_date: '2026/01/01' }, 'start_date'],
    [{ base_url: 'ftp://x' }, 'base_url'],
    [{ mapKey: 'x' }, 'mapKey'],
  ])('refuses %j at %s', (input, path) => {
    const checked = validateConfig(FirmsConfig, input)
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.issues.map((i) => i.path)).toContain(path)
  })
})

describe('resolveSettings', () => {
  it('takes the MAP_KEY from the config, else from FIRMS_MAP_KEY', () => {
    expect(resolveSettings(valid({ area: 'world', map_key: 'k1' }), { FIRMS_MAP_KEY: 'k2' }).mapKey).toBe('k1')
    expect(resolveSettings(valid({ area: 'world' }), { FIRMS_MAP_KEY: 'k2' }).mapKey).toBe('k2')
  })

  it('resolves the area or the country API', () => {
    const env = { FIRMS_MAP_KEY: 'k' }
    expect(resolveSettings(valid({ area: ' -125, 32,-114 ,42 ' }), env).target).toEqual({
      api: 'area',
      area: '-125,32,-114,42',
    })
    expect(resolveSettings(valid({ country: 'mex' }), env).target).toEqual({ api: 'country', country: 'MEX' })
  })

  it('lists every problem with its path', () => {
    try {
      resolveSettings(valid({ area: '10,0,5,5', end_date: '2026-01-01' }), {})
      expect.unreachable()
    } catch (err) {
      expect((err as { code: string }).code).toBe('ERR_PLUGIN_CONFIG')
      expect((err as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['map_key', 'area', 'end_date'])
    }
    expect(() => resolveSettings(valid({ area: 'world', country: 'MEX' }), { FIRMS_MAP_KEY: 'k' })).toThrow(/not both/)
    expect(() => resolveSettings(valid({}), { FIRMS_MAP_KEY: 'k' })).toThrow(/give area/)
    expect(() =>
      resolveSettings(valid({ area: 'world', start_date: '2026-02-01', end_date: '2026-01-01' }), {
        FIRMS_MAP_KEY: 'k',
      }),
    ).toThrow(/before start_date/)
    expect(() => resolveSettings(valid({ area: 'world', start_date: '2026-02-30' }), { FIRMS_MAP_KEY: 'k' })).toThrow(
      /not a calendar date/,
    )
  })
})

describe('parseBbox', () => {
  it.each([
    ['world', { area: 'world' }],
    ['WORLD', { area: 'world' }],
    ['-180,-90,180,90', { area: '-180,-90,180,90' }],
    ['-181,0,10,10', { problem: 'west and east must be within -180…180' }],
    ['0,-91,10,10', { problem: 'south and north must be within -90…90' }],
    ['10,0,10,10', { problem: 'west (10) must be less than east (10)' }],
    ['0,10,10,5', { problem: 'south (10) must be less than north (5)' }],
  ])('%s', (input, expected) => expect(parseBbox(input)).toEqual(expected))
})
