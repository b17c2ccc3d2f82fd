import { describe, expect, it } from 'vitest'
import { durationSeconds, parseGridpoint, parseInterval } from './gridpoints'

describe('ISO-8601 intervals', () => {
  it.each([
    ['PT1H', 3600],
    ['PT30M', 1800],
    ['P1D', 86_400],
    ['P7DT14H', 655_200],
    ['P1W', 604_800],
    ['PT0.5S', 0.5],
  ])('reads the duration %s', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds)
  })

  it.each(['P', 'PT', '1H', 'P1Y', 'PT1H2'])('refuses the duration %s', (text) => {
    expect(durationSeconds(text)).toBeUndefined()
  })

  it('reads start/duration and start/end', () => {
    expect(parseInterval('2022-02-03T21:00:00+00:00/PT2H')).toEqual({
      start: '2022-02-03T21:00:00.000Z',
      end: '2022-02-03T23:00:00.000Z',
      durationSeconds: 7200,
    })
    expect(parseInterval('2022-02-03T21:00:00+00:00/2022-02-04T00:00:00+00:00')).toMatchObject({
      durationSeconds: 10_800,
    })
  })

  it('refuses what is not an interval', () => {
    expect(parseInterval('2022-02-03T21:00:00+00:00')).toBeUndefined()
    expect(parseInterval('date:now -5 seconds/PT1H')).toBeUndefined()
    expect(parseInterval('2022-02-03T21:00:00+00:00/2022-02-03T20:00:00+00:00')).toBeUndefined()
    expect(parseInterval(null)).toBeUndefined()
  })
})

describe('parseGridpoint', () => {
  it('keeps the chosen layers, rejects bad validTimes one by one', () => {
    const r = parseGridpoint(
      {
        updateTime: '2022-02-04T03:15:41+00:00',
        gridId: 'TAE',
        gridX: '58',
        gridY: '65',
        mixingHeight: {
          uom: 'wmoUnit:m',
          values: [
            { validTime: '2022-02-03T21:00:00+00:00/PT1H', value: 640.08 },
            { validTime: 'soon', value: 1 },
            { validTime: '2022-02-03T22:00:00+00:00/PT1H', value: null },
          ],
        },
        temperature: { uom: 'wmoUnit:degC', values: [] },
      },
      'TAE/58,65',
      ['mixingHeight', 'redFlagThreatIndex'],
    )
    if ('problem' in r) throw new Error(r.problem)
    expect(r.forecast).toMatchObject({ gridId: 'TAE', gridX: 58, gridY: 65, updateTime: '2022-02-04T03:15:41.000Z' })
    expect(Object.keys(r.forecast.layers)).toEqual(['mixingHeight'])
    expect(r.forecast.layers.mixingHeight!.values.map((v) => v.value)).toEqual([640.08, null])
    expect(r.rejected).toEqual([
      {
        reason: 'mixingHeight: validTime "soon" is not an ISO-8601 interval',
        input: { validTime: 'soon', value: 1 },
        layer: 'mixingHeight',
      },
    ])
  })

  it('refuses a forecast without a valid updateTime', () => {
    expect(parseGridpoint({ updateTime: 'date:now -5 seconds' }, 'TAE/58,65', [])).toEqual({
      problem: 'gridpoint TAE/58,65: updateTime "date:now -5 seconds" is not an ISO-8601 date-time',
    })
  })
})
