import { describe, expect, it } from 'vitest'
import { FirmsClient, intervalMs, refusalOf, retryAfterMs } from './client'

describe('FirmsClient URLs and redaction', () => {
  const client = new FirmsClient({
    baseUrl: 'https://firms.example',
    mapKey: 'abc123/+=key',
    fetch: globalThis.fetch,
    timeoutMs: 1000,
    maxBodyBytes: 1_000_000,
  })

  it('builds area and country URLs, with DATE when historical', () => {
    expect(client.detectionsUrl({ api: 'area', area: '-125,32,-114,42' }, 'VIIRS_SNPP_NRT', 2)).toBe(
      'https://firms.example/api/area/csv/abc123%2F%2B%3Dkey/VIIRS_SNPP_NRT/-125,32,-114,42/2',
    )
    expect(client.detectionsUrl({ api: 'country', country: 'MEX' }, 'MODIS_SP', 5, '2025-11-05')).toBe(
      'https://firms.example/api/country/csv/abc123%2F%2B%3Dkey/MODIS_SP/MEX/5/2025-11-05',
    )
    expect(client.availabilityUrl()).toBe('https://firms.example/api/data_availability/csv/abc123%2F%2B%3Dkey/ALL')
  })

  it('replaces the key, raw or URL-encoded, with ***', () => {
    const url = client.detectionsUrl({ api: 'area', area: 'world' }, 'MODIS_NRT', 1)
    expect(client.redact(url)).toBe('https://firms.example/api/area/csv/***/MODIS_NRT/world/1')
    expect(client.redact('key abc123/+=key twice abc123/+=key')).toBe('key *** twice ***')
  })
})

describe('refusalOf', () => {
  it.each(['Invalid MAP_KEY.', 'Invalid area.', 'Invalid day range.', ' Invalid MAP_KEY.\n', 'Invalid source.'])(
    'recognises %j',
    (body) => expect(refusalOf(body)).toBe(body.trim()),
  )

  it('recognises the mapkey_status refusal', () => {
    const text = 'MAP_KEY is invalid or your have exceeded your transaction/time limit. Please try again later.'
    expect(refusalOf(text)).toBe(text)
  })

  it.each(['latitude,longitude', '<html>Invalid area.</html>', '', `Invalid ${'x'.repeat(300)}`])('ignores %j', (b) =>
    expect(refusalOf(b)).toBeUndefined(),
  )
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('120', 0)).toBe(120_000)
    expect(retryAfterMs('Thu, 01 Jan 1970 00:01:00 GMT', 30_000)).toBe(30_000)
    expect(retryAfterMs('Thu, 01 Jan 1970 00:01:00 GMT', 90_000)).toBe(0)
    expect(retryAfterMs(null, 0)).toBeUndefined()
    expect(retryAfterMs('soon', 0)).toBeUndefined()
  })
})

describe('intervalMs', () => {
  it('reads intervals that name their unit, and nothing else', () => {
    expect(intervalMs('10 minutes')).toBe(600_000)
    expect(intervalMs('600 seconds')).toBe(600_000)
    expect(intervalMs('1 hour')).toBe(3_600_000)
    expect(intervalMs(60)).toBeUndefined()
    expect(intervalMs('often')).toBeUndefined()
  })
})
