/**
 * Text forecasts, zone observations and station names against a local NWS (node:http on
 * 127.0.0.1) serving real-format answers.
 */
import { type Clock, type PullConnector, errorCode, validateConfig } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { NoaaConfig, type Observation, type TextForecast, createNoaaPoller, resolveSettings } from '../src/index'
import { type NwsServer, fixture, geojson, problem, startNwsServer, substituteTimes } from './nws-server'

const UA = '(firefront.test, ops@firefront.test)'
const LAST_MODIFIED = 'Mon, 14 Oct 2019 23:20:00 GMT'

let server: NwsServer
beforeAll(async () => {
  server = await startNwsServer()
})
afterAll(async () => {
  await server.close()
})

/** Answers as api.weather.gov would, with Last-Modified and 304 to a matching If-Modified-Since. */
const conditional = (body: string) => (ims: string | string[] | undefined) =>
  ims === LAST_MODIFIED ? { status: 304 } : geojson(body, { 'last-modified': LAST_MODIFIED })

let zoneForecast: () => ReturnType<typeof geojson> | ReturnType<typeof problem>
beforeEach(() => {
  server.requests.length = 0
  zoneForecast = () => geojson(fixture('nws_zones_fire_FLZ015_forecast.json'))
  server.answer = (r) => {
    const ims = r.headers['if-modified-since']
    if (r.path === '/points/30,-85') return geojson(fixture('nws_points.json'))
    if (r.path === '/gridpoints/TAE/58,65/forecast') return conditional(fixture('nws_gridpoints_forecast.json'))(ims)
    if (r.path === '/gridpoints/TAE/58,65/forecast/hourly') {
      return conditional(fixture('nws_gridpoints_forecast_hourly.json'))(ims)
    }
    if (r.path === '/zones/fire/FLZ015/forecast') return zoneForecast()
    return problem(404, 'NotFound', 'Not Found', `${r.path} is not served by this test`)
  }
})

const clock = (iso: string): Clock => ({ now: () => Date.parse(iso), sleep: async () => {} })

const makePoller = (cfg: Record<string, unknown>, at = '2019-10-15T00:30:00Z') => {
  const checked = validateConfig(NoaaConfig, { user_agent: UA, base_url: server.baseUrl, ...cfg })
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
  const fake = createFakeContext({ id: 'connector:noaa#test', fetch: globalThis.fetch })
  const ctx = { ...fake.ctx, clock: clock(at) }
  return { poller: createNoaaPoller(resolveSettings(checked.value), ctx) as PullConnector, fake }
}
const poll = (p: PullConnector, cursor?: unknown) =>
  p.poll({ cursor: cursor as never, signal: new AbortController().signal })

describe('text forecasts of a point', () => {
  it('looks the point up once, reads the forecast, the hourly forecast and the fire-weather zone forecast', async () => {
    const { poller, fake } = makePoller({ forecasts: { points: ['30.00001,-85.00004'] } })
    const first = await poll(poller)
    expect(server.requests.map((r) => r.path)).toEqual([
      '/points/30,-85',
      '/gridpoints/TAE/58,65/forecast',
      '/gridpoints/TAE/58,65/forecast/hourly',
      '/zones/fire/FLZ015/forecast',
    ])
    for (const r of server.requests) {
      expect(r.headers['user-agent']).toBe(UA)
      expect(r.headers.accept).toBe('application/geo+json')
    }
    expect(server.requests[1]!.query).toEqual({ units: 'us' })
    expect(fake.rejected).toEqual([])
    expect(first.records.map((r) => r.key)).toEqual([
      'TAE/58,65:periods:2019-10-13T18:16:20.000Z',
      'TAE/58,65:hourly:2019-10-14T23:16:24.000Z',
      'fire/FLZ015:2019-10-14T19:42:00.000Z',
    ])
    const periods = first.records[0]!.value as TextForecast
    expect(periods).toMatchObject({
      kind: 'forecast',
      forecastType: 'periods',
      point: '30,-85',
      office: 'TAE',
      gridX: 58,
      gridY: 65,
      relativeLocation: 'Sumatra, FL',
      fireWeatherZone: 'FLZ015',
      updateTime: '2019-10-13T18:16:20.000Z',
      generatedAt: '2019-10-13T18:42:44.000Z',
      units: 'us',
      elevationM: 7.9248,
    })
    expect(periods.periods[0]).toMatchObject({
      number: 1,
      name: 'This Afternoon',
      startTime: '2019-10-13T18:00:00.000Z',
      temperature: 41,
      temperatureUnit: 'F',
      temperatureC: 5,
      probabilityOfPrecipitationPct: 20,
      dewpointC: 5,
      relativeHumidityPct: 63,
      windSpeed: '10 mph',
      windSpeedMinKmh: 16.0934,
      windSpeedMaxKmh: 16.0934,
      windDirection: 'S',
      shortForecast: 'Chance Showers And Thunderstorms',
    })
    expect(first.records[2]).toMatchObject({
      eventTime: '2019-10-14T19:42:00.000Z',
      value: {
        kind: 'fire-zone-forecast',
        zone: 'FLZ015',
        periods: [expect.objectContaining({ name: 'Tonight' }), expect.anything(), expect.anything()],
      },
    })
    expect(first.cursor).toMatchObject({
      forecasts: {
        'TAE/58,65:periods': '2019-10-13T18:16:20.000Z',
        'TAE/58,65:hourly': '2019-10-14T23:16:24.000Z',
        'fire/FLZ015': '2019-10-14T19:42:00.000Z',
      },
    })
    // Next poll: /points comes from the cache; the forecasts are asked with If-Modified-Since (304).
    server.requests.length = 0
    const second = await poll(poller, first.cursor)
    expect(server.requests.map((r) => [r.path, r.headers['if-modified-since'] ?? null])).toEqual([
      ['/gridpoints/TAE/58,65/forecast', LAST_MODIFIED],
      ['/gridpoints/TAE/58,65/forecast/hourly', LAST_MODIFIED],
      ['/zones/fire/FLZ015/forecast', null],
    ])
    // The zone forecast came again unchanged: not emitted twice.
    expect(second.records).toEqual([])
    expect(fake.metrics.get('noaa_not_modified_total')).toBe(2)
  })

  it('a fire-weather zone NWS has no forecast for (404) is skipped and counted, not a failure', async () => {
    zoneForecast = () => problem(404, 'NotFound', 'Not Found', 'Zone forecast not available for FLZ015')
    const { poller, fake } = makePoller({ forecasts: { points: ['30,-85'], hourly: false } })
    const first = await poll(poller)
    expect(first.records.map((r) => (r.value as { kind: string }).kind)).toEqual(['forecast'])
    expect(fake.skipped.get('fire_zone_forecast_not_offered')).toBe(1)
    server.requests.length = 0
    await poll(poller, first.cursor)
    expect(server.requests.map((r) => r.path)).toEqual(['/gridpoints/TAE/58,65/forecast'])
  })

  it('a point outside NWS coverage (404 InvalidPoint) refuses the configuration', async () => {
    server.answer = () =>
      problem(
        404,
        'InvalidPoint',
        'Data Unavailable For Requested Point',
        'Unable to provide data for requested point 51.5,-0.12',
      )
    const { poller } = makePoller({ forecasts: { points: ['51.5,-0.12'] } })
    const err = await poll(poller).catch((e: unknown) => e as Error)
    expect(errorCode(err)).toBe('ERR_CONNECTOR_CONFIG')
    expect((err as Error).message).toMatch(/InvalidPoint|Data Unavailable/)
  })

  it('rejects points outside -90…90 / -180…180 in the config, naming the entry', () => {
    expect(() => makePoller({ forecasts: { points: ['30,-85', '95,10'] } })).toThrow(/forecasts\.points\.1/)
  })
})

describe('zone observations and station names', () => {
  const NOW = Date.parse('2026-07-15T20:00:00Z')
  const zoneBody = (): string => {
    // The three real single-observation captures of Bay Area stations, as one zone's answer.
    const features = ['koak', 'oamc1', 'lbnl1'].flatMap(
      (n) =>
        (
          JSON.parse(substituteTimes(fixture(`nws_observations_${n}_limit1_weathergov_templated.json`), NOW)) as {
            features: unknown[]
          }
        ).features,
    )
    return JSON.stringify({ type: 'FeatureCollection', features })
  }

  it('reads every station of the zone, each once, named by the observation or by /stations/{id}', async () => {
    server.answer = (r) => {
      if (r.path === '/zones/forecast/CAZ508/observations') return geojson(zoneBody())
      if (r.path === '/stations/KOAK') return geojson(fixture('nws_station_koak.json'))
      return problem(404, 'NotFound', 'Not Found', `${r.path}`)
    }
    const { poller, fake } = makePoller(
      { observations: { zones: ['CAZ508'], initial_lookback_hours: 24 } },
      '2026-07-15T20:00:00Z',
    )
    const first = await poll(poller)
    expect(server.requests[0]).toMatchObject({
      path: '/zones/forecast/CAZ508/observations',
      query: { start: '2026-07-14T20:00:00.000Z', limit: '50' },
    })
    const obs = first.records.map((r) => r.value as Observation)
    // The mesonet observations carry their stationName; KOAK's comes from its station metadata.
    expect(obs.map((o) => [o.station, o.stationName])).toEqual([
      ['KOAK', 'Oakland, Metro Oakland International Airport'],
      ['OAMC1', 'Oakland Museum'],
      ['LBNL1', 'Berkeley Lab'],
    ])
    expect(server.requests.map((r) => r.path)).toEqual(['/zones/forecast/CAZ508/observations', '/stations/KOAK'])
    expect(fake.rejected).toEqual([])
    const cursor = first.cursor as { stations: Record<string, string> }
    expect(Object.keys(cursor.stations).sort()).toEqual(['KOAK', 'LBNL1', 'OAMC1', 'zone:CAZ508'])
    expect(cursor.stations['zone:CAZ508']).toBe(new Date(Math.floor(NOW / 1000) * 1000 - 1047_000).toISOString())
    // Again: the zone is read from an hour before its newest; nothing is emitted twice.
    server.requests.length = 0
    const second = await poll(poller, first.cursor)
    expect(second.records).toEqual([])
    expect(server.requests[0]!.query.start).toBe(
      new Date(Math.floor(NOW / 1000) * 1000 - 1047_000 - 3_600_000).toISOString(),
    )
  })

  it('a station whose metadata cannot be read keeps a null name, logged; the observation is emitted', async () => {
    server.answer = (r) =>
      r.path === '/stations/KOAK/observations'
        ? geojson(substituteTimes(fixture('nws_observations_koak_limit1_weathergov_templated.json'), NOW))
        : problem(404, 'NotFound', 'Not Found', `${r.path}`)
    const { poller, fake } = makePoller({ observations: { stations: ['KOAK'] } }, '2026-07-15T20:00:00Z')
    const first = await poll(poller)
    expect(first.records.map((r) => (r.value as Observation).stationName)).toEqual([null])
    expect(fake.logs.filter((l) => l.msg === 'station name not read; left null')).toHaveLength(1)
  })

  it('refuses an observations block with neither stations nor zones', () => {
    expect(() => makePoller({ observations: { limit: 10 } })).toThrow(/observations: give stations, zones or both/)
  })
})
