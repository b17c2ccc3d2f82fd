import { describe, expect, it } from 'vitest'
import { parseProblem, retryAfterMs } from './client'
import { isoUtc } from './times'

describe('parseProblem', () => {
  it('reads an RFC 7807 body', () => {
    const body = JSON.stringify({
      correlationId: '1',
      title: 'Invalid Parameter',
      type: 'https://api.weather.gov/problems/InvalidParameter',
      status: 400,
      detail: 'Parameter "area" is invalid',
      instance: 'https://api.weather.gov/requests/1',
    })
    expect(parseProblem(body, 'application/problem+json')).toEqual({
      name: 'InvalidParameter',
      title: 'Invalid Parameter',
      detail: 'Parameter "area" is invalid',
      status: 400,
    })
  })

  it('says no to HTML and to plain JSON', () => {
    expect(parseProblem('<HTML>Access Denied</HTML>', 'text/html')).toBeUndefined()
    expect(parseProblem('{"type":"FeatureCollection"}', 'application/geo+json')).toBeUndefined()
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('5', 0)).toBe(5000)
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000)
    expect(retryAfterMs('soon', 0)).toBeUndefined()
    expect(retryAfterMs(null, 0)).toBeUndefined()
  })
})

describe('isoUtc', () => {
  it('accepts ISO date-times with a zone and refuses anything else', () => {
    expect(isoUtc('2019-09-03T05:41:00-05:00')).toBe('2019-09-03T10:41:00.000Z')
    expect(isoUtc('2026-07-15T20:00:00+00:00')).toBe('2026-07-15T20:00:00.000Z')
    expect(isoUtc('2026-07-15T20:00:00.123Z')).toBe('2026-07-15T20:00:00.123Z')
    expect(isoUtc('date:now -2804 seconds')).toBeUndefined()
    expect(isoUtc('2026-07-15T20:00:00')).toBeUndefined()
    expect(isoUtc('2026-02-31T20:00:00Z')).toBeUndefined()
    expect(isoUtc('2024-02-29T20:00:00Z')).toBe('2024-02-29T20:00:00.000Z')
    expect(isoUtc(1234)).toBeUndefined()
  })
})
