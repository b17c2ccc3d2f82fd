import { type Clock, type PullConnector, errorCode, validateConfig } from '@firefront/sdk'
import { checkConnectorContract, createFakeContext, runConnector } from '@firefront/sdk/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import connector, {
  type AlertSummary,
  DEFAULT_USER_AGENT,
  NoaaConfig,
  type Observation,
  createNoaaPoller,
  resolveSettings,
} from '../src/index'
import { type NwsServer, cdnBlock, fixture, geojson, problem, startNwsServer, substituteTimes } from './nws-server'

const UA = '(firefront.test, ops@firefront.test)'
const BUNDLE = 'nws_alerts_active_national_weathergov_guam7day_bundle_templated.json'
const KCNK = 'nws_observations_kcnk_2019.json'
const LAST_MODIFIED = 'Wed, 15 Jul 2026 19:55:00 GMT'

let server: NwsServer
beforeAll(async () => {
  server = await startNwsServer()
})
afterAll(async () => {
  await server.close()
})

/** The guam bundle with times relative to now, as a real poll would see it. */
const liveBundle = (): string => substituteTimes(fixture(BUNDLE), Date.now())

/** The bundle the server serves in the current test. */
let bundle = ''

beforeEach(() => {
  server.requests.length = 0
  bundle = liveBundle()
  server.answer = (r) =>
    r.path === '/alerts/active'
      ? geojson(bundle, { 'last-modified': LAST_MODIFIED })
      : geojson(fixture(KCNK).replace(/KCNK/g, r.path.split('/')[2] ?? 'KCNK'))
})

const config = (extra: Record<string, unknown> = {}) => ({
  user_agent: UA,
  base_url: server.baseUrl,
  alerts: { area: ['CA'], event: ['Red Flag Warning', 'Fire Weather Watch'] },
  ...extra,
})

/** A clock fixed at `iso`. */
const fixedClock = (iso: string): Clock => ({ now: () => Date.parse(iso), sleep: async () => {} })

const makePoller = (cfg: Record<string, unknown>, clock?: Clock) => {
  const checked = validateConfig(NoaaConfig, cfg)
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
  const fake = createFakeContext({ id: 'connector:noaa#test', fetch: globalThis.fetch })
  const ctx = clock ? { ...fake.ctx, clock } : fake.ctx
  return { poller: createNoaaPoller(resolveSettings(checked.value), ctx) as PullConnector, fake }
}
const poll = (p: PullConnector, cursor?: unknown, signal = new AbortController().signal) =>
  p.poll({ cursor: cursor as never, signal })
const caught = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

describe('SDK contract', () => {
  it('keeps the connector contract against a local NWS', async () => {
    await checkConnectorContract(connector, {
      validConfig: config({ observations: { stations: ['KCNK'] } }),
      invalidConfigs: [
        config({ user_agent: '' }),
        config({ base_url: 'ftp://nws' }),
        config({ alerts: { area: ['California'] } }),
        config({ alerts: { status: ['real'] } }),
        config({ observations: { stations: [] } }),
        config({ userAgent: UA }),
      ],
      fetch: globalThis.fetch,
    })
  })

  it('declares its manifest', () => {
    expect(connector).toMatchObject({
      kind: 'connector',
      name: 'noaa',
      sourceTypes: ['noaa_weather', 'noaa_alerts', 'nws_alerts', 'noaa_observations'],
      defaultTopic: 'wildfire-weather-data',
    })
  })

  it('without user_agent sends a default naming the connector, and warns that a contact is wanted', async () => {
    const checked = validateConfig(NoaaConfig, { alerts: { area: ['CA'] } })
    expect(checked).toMatchObject({ ok: true, value: { user_agent: DEFAULT_USER_AGENT } })
    const run = await runConnector(connector, {
      config: { base_url: server.baseUrl, alerts: { area: ['CA'] } },
      fetch: globalThis.fetch,
    })
    expect(run.logs.some((l) => l.level === 40 && l.msg.includes('no user_agent configured'))).toBe(true)
  })
})

describe('alerts', () => {
  it('emits each alert with its id, sent time, critical priority for fire weather, and the NWS headers', async () => {
    const run = await runConnector(connector, { config: config(), fetch: globalThis.fetch })
    expect(run.error).toBeUndefined()
    expect(run.rejected).toEqual([])
    expect(run.records).toHaveLength(246)
    const critical = run.records.filter((r) => r.priority === 'critical')
    expect(critical).toHaveLength(40)
    const rfw = run.records.find((r) => (r.value as AlertSummary).event === 'Red Flag Warning')!
    const value = rfw.value as AlertSummary
    expect(rfw.key).toBe(value.id)
    expect(rfw.eventTime).toBe(value.sent)
    expect(value.kind).toBe('alert')
    expect(
      run.records
        .filter((r) => r.priority === undefined)
        .every((r) => !['Red Flag Warning', 'Fire Weather Watch'].includes((r.value as AlertSummary).event)),
    ).toBe(true)
    expect(server.requests).toHaveLength(1)
    const [req] = server.requests
    expect(req!.path).toBe('/alerts/active')
    expect(req!.query).toEqual({ area: 'CA', event: 'Red Flag Warning,Fire Weather Watch' })
    expect(req!.headers['user-agent']).toBe(UA)
    expect(req!.headers.accept).toBe('application/geo+json')
    expect(req!.headers['if-modified-since']).toBeUndefined()
    expect(run.lastCursor).toMatchObject({
      v: 1,
      modified: {
        [`${server.baseUrl}/alerts/active?area=CA&event=Red%20Flag%20Warning,Fire%20Weather%20Watch`]: LAST_MODIFIED,
      },
    })
  })

  it('takes critical_events from the config', async () => {
    const run = await runConnector(connector, {
      config: config({ critical_events: ['Fire Weather Watch'] }),
      fetch: globalThis.fetch,
    })
    expect(run.records.filter((r) => r.priority === 'critical')).toHaveLength(10)
  })

  it('emits an alert once across polls, and again when it is updated', async () => {
    const { poller } = makePoller(config())
    const first = await poll(poller)
    expect(first.records).toHaveLength(246)
    const second = await poll(poller, first.cursor)
    expect(second.records).toEqual([])
    expect(server.requests[1]!.headers['if-modified-since']).toBe(LAST_MODIFIED)
    // One alert updated (a new sent), one gone: only the update is emitted, the gone id forgotten.
    const body = JSON.parse(bundle) as { features: { properties: { id: string; sent: string } }[] }
    const updated = body.features[0]!.properties
    updated.sent = new Date(Date.now() + 60_000).toISOString()
    const gone = body.features.pop()!.properties.id
    server.answer = () => geojson(body)
    const third = await poll(poller, second.cursor)
    expect(third.records.map((r) => r.key)).toEqual([updated.id])
    const cursor = third.cursor as { alerts: Record<string, string>; modified: Record<string, string> }
    expect(Object.keys(cursor.alerts)).toHaveLength(245)
    expect(cursor.alerts[gone]).toBeUndefined()
    expect(cursor.alerts[updated.id]).toBe(new Date(updated.sent).toISOString())
    expect(cursor.modified).toEqual({})
  })

  it('treats 304 as no new data and keeps the cursor', async () => {
    const { poller } = makePoller(config())
    const first = await poll(poller)
    server.answer = (r) => (r.headers['if-modified-since'] === LAST_MODIFIED ? { status: 304 } : geojson('{}'))
    const second = await poll(poller, first.cursor)
    expect(second.records).toEqual([])
    expect(second.cursor).toEqual(first.cursor)
  })

  it('bounds the ids it remembers', async () => {
    const { poller } = makePoller(config({ max_tracked_alerts: 10 }))
    const first = await poll(poller)
    expect(Object.keys((first.cursor as { alerts: object }).alerts)).toHaveLength(10)
  })

  it('rejects raw templated placeholders through ctx.reject and emits the rest', async () => {
    const raw = JSON.parse(fixture(BUNDLE)) as { features: unknown[] }
    const good = JSON.parse(liveBundle()) as { features: unknown[] }
    server.answer = () => geojson({ ...good, features: [raw.features[0], ...good.features.slice(1)] })
    const run = await runConnector(connector, { config: config(), fetch: globalThis.fetch })
    expect(run.error).toBeUndefined()
    expect(run.records).toHaveLength(245)
    expect(run.rejected).toHaveLength(1)
    expect(run.rejected[0]).toMatchObject({
      reason: expect.stringMatching(/sent "date:now -\d+ seconds" is not an ISO-8601 date-time$/),
      input: raw.features[0],
      location: expect.stringContaining('features[0] of http://127.0.0.1:'),
    })
  })

  it('refuses area combined with zone before any request', () => {
    expect(() => makePoller(config({ alerts: { area: ['CA'], zone: ['CAZ211'] } }))).toThrow(
      /alerts.area: area cannot be combined with zone/,
    )
  })

  it('reads the fire-weather alerts nationwide when neither alerts nor observations is given', async () => {
    const run = await runConnector(connector, {
      config: { user_agent: UA, base_url: server.baseUrl },
      fetch: globalThis.fetch,
    })
    expect(run.error).toBeUndefined()
    expect(server.requests.map((r) => [r.path, r.query])).toEqual([
      ['/alerts/active', { event: 'Red Flag Warning,Fire Weather Watch', status: 'actual' }],
    ])
  })

  it('rounds a point to 4 decimals', async () => {
    await runConnector(connector, {
      config: config({ alerts: { point: '38.123456,-121.987654' } }),
      fetch: globalThis.fetch,
    })
    expect(server.requests[0]!.query).toEqual({ point: '38.1235,-121.9877' })
  })
})

describe('observations', () => {
  const obsConfig = (extra: Record<string, unknown> = {}) => ({
    user_agent: UA,
    base_url: server.baseUrl,
    // Station names are read from /stations/{id}: their own test below.
    observations: { stations: ['KCNK'], initial_lookback_hours: 24 * 7, station_names: false, ...extra },
  })
  const clock = fixedClock('2019-08-17T12:00:00Z')

  it('emits each observation from start, oldest first, skipping the stale 2017–2018 entries', async () => {
    const { poller, fake } = makePoller(obsConfig(), clock)
    const first = await poll(poller)
    expect(server.requests[0]).toMatchObject({
      path: '/stations/KCNK/observations',
      query: { start: '2019-08-10T12:00:00.000Z', limit: '50' },
    })
    expect(first.records).toHaveLength(132)
    expect(first.records[0]).toMatchObject({
      key: 'KCNK:2019-08-13T20:55:00.000Z',
      eventTime: '2019-08-13T20:55:00.000Z',
    })
    expect(first.records.at(-1)).toMatchObject({
      key: 'KCNK:2019-08-17T11:55:00.000Z',
      value: expect.objectContaining({ kind: 'observation', temperatureC: 20, windSpeedKmh: 7.56, windGustKmh: null }),
    })
    expect(first.cursor).toMatchObject({ stations: { KCNK: '2019-08-17T11:55:00.000Z' } })
    expect(fake.rejected).toEqual([])
    // The same answer again: nothing new, the cursor stays.
    const second = await poll(poller, first.cursor)
    expect(server.requests[1]!.query.start).toBe('2019-08-17T11:55:00.000Z')
    expect(second.records).toEqual([])
    expect(second.cursor).toMatchObject({ stations: { KCNK: '2019-08-17T11:55:00.000Z' } })
  })

  it('never moves the cursor backwards on out-of-order answers, nor emits twice', async () => {
    const body = JSON.parse(fixture(KCNK)) as { features: unknown[] }
    const shuffled = [...body.features].reverse()
    shuffled.splice(40, 0, body.features[5], body.features[0])
    server.answer = () => geojson({ ...body, features: shuffled })
    const { poller } = makePoller(obsConfig(), clock)
    const first = await poll(poller)
    expect(first.records).toHaveLength(132)
    expect(new Set(first.records.map((r) => r.key)).size).toBe(132)
    const older = body.features.slice(10)
    server.answer = () => geojson({ ...body, features: older })
    const second = await poll(poller, first.cursor)
    expect(second.records).toEqual([])
    expect(second.cursor).toMatchObject({ stations: { KCNK: '2019-08-17T11:55:00.000Z' } })
  })

  it('reads older pages with end when a full page does not reach back to start', async () => {
    const body = JSON.parse(fixture(KCNK)) as { features: { properties: { timestamp: string } }[] }
    const at = (f: { properties: { timestamp: string } }) => Date.parse(f.properties.timestamp)
    // An NWS that honours start, end and limit: the newest `limit` entries in [start, end), newest first.
    server.answer = (r) => {
      const start = Date.parse(r.query.start!)
      const end = r.query.end ? Date.parse(r.query.end) : Number.POSITIVE_INFINITY
      const features = body.features
        .filter((f) => at(f) >= start && at(f) < end)
        .sort((a, b) => at(b) - at(a))
        .slice(0, Number(r.query.limit))
      return geojson({ ...body, features }, { 'last-modified': LAST_MODIFIED })
    }
    const { poller } = makePoller(obsConfig({ limit: 50 }), clock)
    const first = await poll(poller)
    expect(server.requests.map((r) => r.query.end ?? null)).toEqual([
      null,
      // the 50th and 100th newest of the 132 entries since start
      '2019-08-16T12:55:00.000Z',
      '2019-08-15T04:55:00.000Z',
    ])
    expect(first.records).toHaveLength(132)
    expect(new Set(first.records.map((r) => r.key)).size).toBe(132)
    expect(Object.keys((first.cursor as { modified: object }).modified)).toHaveLength(1)
  })

  it('keeps no Last-Modified of a station whose older page failed', async () => {
    const body = JSON.parse(fixture(KCNK)) as { features: unknown[] }
    const lm = { 'last-modified': LAST_MODIFIED }
    server.answer = (r) =>
      r.path.includes('KSFO')
        ? geojson({ ...body, features: body.features.slice(0, 10) }, lm)
        : r.query.end
          ? { status: 503, body: 'busy' }
          : geojson({ ...body, features: body.features.slice(0, 50) }, lm)
    const { poller } = makePoller(obsConfig({ stations: ['KCNK', 'KSFO'] }), clock)
    const first = await poll(poller)
    expect(server.requests.map((r) => r.path.split('/')[2])).toEqual(['KCNK', 'KCNK', 'KSFO'])
    expect(first.records).toHaveLength(10)
    const cursor = first.cursor as { stations: Record<string, string>; modified: Record<string, string> }
    expect(Object.keys(cursor.stations)).toEqual(['KSFO'])
    expect(Object.keys(cursor.modified)).toEqual([
      `${server.baseUrl}/stations/KSFO/observations?start=2019-08-10T12%3A00%3A00.000Z&limit=50`,
    ])
  })

  it('reads several stations, each with its own cursor', async () => {
    const { poller } = makePoller(obsConfig({ stations: ['KCNK', 'ksfo'] }), clock)
    const first = await poll(poller)
    expect(server.requests.map((r) => r.path)).toEqual(['/stations/KCNK/observations', '/stations/KSFO/observations'])
    expect(first.records.filter((r) => (r.value as Observation).station === 'KSFO')).toHaveLength(132)
    expect(first.cursor).toMatchObject({
      stations: { KCNK: '2019-08-17T11:55:00.000Z', KSFO: '2019-08-17T11:55:00.000Z' },
    })
  })

  it('reads templated observations with real times and rejects the raw placeholders', async () => {
    const now = Date.now()
    const name = 'nws_observations_koak_limit1_weathergov_templated.json'
    server.answer = () => geojson(substituteTimes(fixture(name), now))
    const run = await runConnector(connector, {
      config: obsConfig({ stations: ['KOAK'], initial_lookback_hours: 3 }),
      fetch: globalThis.fetch,
    })
    expect(run.records).toHaveLength(1)
    expect(run.records[0]!.eventTime).toBe(new Date(Math.floor(now / 1000) * 1000 - 4718_000).toISOString())
    server.answer = () => geojson(fixture(name))
    const raw = await runConnector(connector, { config: obsConfig({ stations: ['KOAK'] }), fetch: globalThis.fetch })
    expect(raw.records).toEqual([])
    expect(raw.rejected).toMatchObject([
      { reason: 'observation timestamp "date:now -4718 seconds" is not an ISO-8601 date-time' },
    ])
  })

  it('lets one station through when another fails transiently', async () => {
    server.answer = (r) => (r.path.includes('KBAD') ? { status: 503, body: 'busy' } : geojson(fixture(KCNK)))
    const { poller } = makePoller(obsConfig({ stations: ['KBAD', 'KCNK'] }), clock)
    const first = await poll(poller)
    expect(first.records).toHaveLength(132)
    expect(first.cursor).toMatchObject({ stations: { KCNK: '2019-08-17T11:55:00.000Z' } })
    expect((first.cursor as { stations: object }).stations).not.toHaveProperty('KBAD')
  })
})

describe('gridpoints', () => {
  const GRID = 'nws_gridpoints_raw.json'
  const gridConfig = { user_agent: UA, gridpoints: { points: ['tae/58,65'] } }

  it('emits one forecast per updateTime, and again only when NWS updates it', async () => {
    server.answer = () => geojson(fixture(GRID), { 'last-modified': LAST_MODIFIED })
    const { poller, fake } = makePoller({ ...gridConfig, base_url: server.baseUrl })
    const first = await poll(poller)
    expect(server.requests[0]!.path).toBe('/gridpoints/TAE/58,65')
    expect(first.records).toHaveLength(1)
    expect(first.records[0]).toMatchObject({
      key: 'TAE/58,65:2022-02-04T03:15:41.000Z',
      eventTime: '2022-02-04T03:15:41.000Z',
      value: expect.objectContaining({ kind: 'gridpoint', gridId: 'TAE' }),
    })
    expect(first.cursor).toMatchObject({ grids: { 'TAE/58,65': '2022-02-04T03:15:41.000Z' } })
    expect(fake.logs.some((l) => l.msg === 'NWS gridpoint forecast looks stale')).toBe(true)
    const second = await poll(poller, first.cursor)
    expect(server.requests[1]!.headers['if-modified-since']).toBe(LAST_MODIFIED)
    expect(second.records).toEqual([])
    const updated = fixture(GRID).replace(
      '"updateTime": "2022-02-04T03:15:41+00:00"',
      '"updateTime": "2022-02-04T04:15:41+00:00"',
    )
    expect(updated).not.toBe(fixture(GRID))
    server.answer = () => geojson(updated)
    const third = await poll(poller, second.cursor)
    expect(third.records.map((r) => r.key)).toEqual(['TAE/58,65:2022-02-04T04:15:41.000Z'])
  })

  it('treats a FeatureCollection where a Feature is expected as an error', async () => {
    server.answer = () => geojson(fixture(KCNK))
    const { poller } = makePoller({ ...gridConfig, base_url: server.baseUrl })
    const err = await caught(poll(poller))
    expect(errorCode(err)).toBe('ERR_RETRYABLE')
    expect(err.message).toContain('not a Feature (type "FeatureCollection")')
  })

  it('maps a marine gridpoint problem to ConnectorConfigError', async () => {
    server.answer = () =>
      problem(
        404,
        'MarineForecastNotSupported',
        'Marine Forecast Not Supported',
        'Forecasts for marine areas are not yet supported by this API.',
      )
    const { poller } = makePoller({ ...gridConfig, base_url: server.baseUrl })
    expect(errorCode(await caught(poll(poller)))).toBe('ERR_CONNECTOR_CONFIG')
  })
})

describe('data not exactly as NWS should send it, and answers over max_body_bytes', () => {
  const alert = (id: string, props: Record<string, unknown> = {}) => ({
    type: 'Feature',
    id,
    geometry: null,
    properties: {
      id,
      event: 'Red Flag Warning',
      sent: '2026-07-15T12:55:00-07:00',
      areaDesc: 'Sacramento Valley',
      severity: 'Severe',
      ...props,
    },
  })
  const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features })

  it('keeps an alert with fields of the wrong type, null and flagged, never quietly', async () => {
    server.answer = () =>
      geojson(
        collection(
          alert('a1', {
            areaDesc: { name: 'Sacramento Valley' },
            severity: ['Severe'],
            geocode: { UGC: ['CAZ211', 7] },
          }),
          alert('a2'),
        ),
      )
    const { poller, fake } = makePoller(config())
    const { records } = await poll(poller)
    const [a1, a2] = records as { value: AlertSummary; headers?: Record<string, string> }[]
    expect(a1!.value).toMatchObject({ id: 'a1', areaDesc: null, severity: null, ugc: ['CAZ211'] })
    expect(a1!.value.invalidFields).toEqual([
      { field: 'severity', problem: 'an array, expected a string', value: ['Severe'] },
      { field: 'areaDesc', problem: 'an object, expected a string', value: { name: 'Sacramento Valley' } },
      { field: 'geocode.UGC[1]', problem: 'a number, expected a string', value: 7 },
    ])
    expect(a1!.headers).toEqual({ 'firefront.altered': 'type:severity,type:areaDesc,type:geocode.UGC[]' })
    expect(a2!.value).toMatchObject({ areaDesc: 'Sacramento Valley', severity: 'Severe' })
    expect(a2!.value.invalidFields).toBeUndefined()
    expect(a2!.headers).toBeUndefined()
    expect(fake.metrics.get('noaa_fields_invalid_total')).toBe(3)
    expect(fake.rejected).toEqual([])
  })

  it('flags an observation whose measure is a string, a gridpoint whose value is not a number', async () => {
    const kcnk = JSON.parse(fixture(KCNK)) as { features: { properties: Record<string, unknown> }[] }
    const first = kcnk.features[0]!
    first.properties.temperature = { unitCode: 'wmoUnit:degC', value: '22.8', qualityControl: 'V' }
    first.properties.textDescription = 42
    server.answer = () => geojson(collection(first))
    const { poller } = makePoller(
      {
        user_agent: UA,
        base_url: server.baseUrl,
        observations: { stations: ['KCNK'], initial_lookback_hours: 24 * 7 },
      },
      fixedClock('2019-08-17T12:00:00Z'),
    )
    const { records } = await poll(poller)
    expect(records).toHaveLength(1)
    const o = records[0]!.value as Observation
    expect(o.temperatureC).toBeNull()
    expect(o.textDescription).toBeNull()
    expect(o.invalidFields).toEqual([
      { field: 'temperature.value', problem: 'a string, expected a number', value: '22.8' },
      { field: 'textDescription', problem: 'a number, expected a string', value: 42 },
    ])
    expect(records[0]!.headers).toEqual({ 'firefront.altered': 'type:temperature.value,type:textDescription' })

    const grid = JSON.parse(fixture('nws_gridpoints_raw.json')) as {
      properties: { mixingHeight: { values: { value: unknown }[] } }
    }
    grid.properties.mixingHeight.values[0]!.value = 'high'
    server.answer = () => geojson(grid)
    const g = makePoller({ user_agent: UA, base_url: server.baseUrl, gridpoints: { points: ['TAE/58,65'] } })
    const forecast = (await poll(g.poller)).records[0]!
    expect((forecast.value as { invalidFields: unknown }).invalidFields).toEqual([
      { field: 'mixingHeight.values[0].value', problem: 'a string, expected a number', value: 'high' },
    ])
    expect(forecast.headers).toEqual({ 'firefront.altered': 'type:mixingHeight.values[].value' })
  })

  it('flags the alert whose text holds bytes that were not UTF-8, and only that one', async () => {
    const text = JSON.stringify(collection(alert('a1', { description: 'Gusts ZZ to 50 mph' }), alert('a2')))
    const body = Buffer.from(text)
    const at = body.indexOf('ZZ')
    body[at] = 0xff
    body[at + 1] = 0xfe
    server.answer = () => ({ body })
    const { poller, fake } = makePoller(config())
    const { records } = await poll(poller)
    const [a1, a2] = records as { value: AlertSummary; headers?: Record<string, string> }[]
    expect(a1!.value.description).toBe('Gusts \uFFFD\uFFFD to 50 mph')
    expect(a1!.headers).toEqual({ 'firefront.altered': 'utf8-replaced' })
    expect(a2!.headers).toBeUndefined()
    expect(fake.metrics.get('noaa_records_utf8_replaced_total')).toBe(1)
    expect(fake.logs.some((l) => l.msg === 'NWS alerts body holds bytes that are not UTF-8')).toBe(true)
  })

  it('dead-letters a chunked answer over max_body_bytes with its size, unread past the cap, and goes on', async () => {
    const chunk = Buffer.alloc(64 * 1024, ' ')
    chunk.write('{"type":"FeatureCollection","features":[')
    server.answer = (r) =>
      r.path === '/alerts/active' ? { body: chunk, repeatUpTo: 100 * 1024 * 1024 } : geojson(fixture(KCNK))
    const { poller, fake } = makePoller(
      config({ max_body_bytes: 1024 * 1024, observations: { stations: ['KCNK'], initial_lookback_hours: 24 * 7 } }),
      fixedClock('2019-08-17T12:00:00Z'),
    )
    const result = await poll(poller)
    expect(result.records.length).toBeGreaterThan(0)
    expect(result.records.every((r) => (r.value as { kind: string }).kind === 'observation')).toBe(true)
    expect(fake.rejected).toHaveLength(1)
    const dead = fake.rejected[0]!
    expect(dead.location).toMatch(/\/alerts\/active\?/)
    expect(dead.reason).toMatch(
      /^NWS answer \(HTTP 200\) over max_body_bytes, not read: body is over the cap of 1048576 bytes \(no Content-Length; reading stopped at the cap\) \(http/,
    )
    const input = dead.input as { size: string; preview: string }
    expect(input.size).toBe('>1048576')
    const logged = fake.logs.find((l) => l.msg === 'NWS answer over max_body_bytes dead-lettered')
    expect(logged?.fields.bytesRead).toBeLessThanOrEqual(2 * 1024 * 1024)
    expect(input.preview.startsWith('{"type":"FeatureCollection"')).toBe(true)
    expect(input.preview.length).toBeLessThanOrEqual(256)
    expect(fake.metrics.get('noaa_bodies_oversize_total')).toBe(1)
  })
})

describe('errors', () => {
  const failing = async (answer: () => ReturnType<NwsServer['answer']>, extra: Record<string, unknown> = {}) => {
    server.answer = answer
    const { poller } = makePoller(config(extra))
    return caught(poll(poller))
  }

  it.each([
    [
      400,
      'InvalidParameter',
      'Invalid Parameter',
      `Parameter "point" is invalid: '39.7456,-20000' does not appear to be a valid coordinate`,
    ],
    [
      404,
      'InvalidPoint',
      'Data Unavailable For Requested Point',
      'Unable to provide data for requested point 51.5,-0.12',
    ],
    [404, 'InvalidZone', 'Invalid Zone', 'Zone CAZ999 does not exist'],
  ])('maps problem+json %i %s to ConnectorConfigError with title and detail', async (status, name, title, detail) => {
    const err = await failing(() => problem(status, name, title, detail))
    expect(errorCode(err)).toBe('ERR_CONNECTOR_CONFIG')
    expect(err.message).toContain(`HTTP ${status}`)
    expect(err.message).toContain(`${name}: ${title}: ${detail}`)
  })

  it('maps the CDN HTML 403 to RetryableError with at least 5 s', async () => {
    const err = await failing(() => cdnBlock(403))
    expect(errorCode(err)).toBe('ERR_RETRYABLE')
    expect(err.message).toMatch(/HTTP 403: "Access Denied Access Denied You don't have permission/)
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBe(5000)
  })

  it('honours Retry-After on 429', async () => {
    const err = await failing(() => ({
      status: 429,
      headers: { 'retry-after': '12', 'content-type': 'text/html' },
      body: '<html>Too Many Requests</html>',
    }))
    expect(errorCode(err)).toBe('ERR_RETRYABLE')
    expect((err as { retryAfterMs?: number }).retryAfterMs).toBe(12_000)
  })

  it('maps 500 to RetryableError', async () => {
    const err = await failing(() =>
      problem(500, 'UnexpectedProblem', 'Unexpected Problem', 'An unexpected problem has occurred.'),
    )
    expect(errorCode(err)).toBe('ERR_RETRYABLE')
    expect(err.message).toContain('HTTP 500: UnexpectedProblem')
  })

  it('times out a slow answer as RetryableError', async () => {
    const err = await failing(() => ({ ...geojson(liveBundle()), delayMs: 1500 }), { request_timeout_seconds: 0.2 })
    expect(errorCode(err)).toBe('ERR_RETRYABLE')
    expect(err.message).toContain('timed out after 200 ms')
  })

  it('treats truncated JSON as an error, never data', async () => {
    const body = liveBundle()
    const err = await failing(() => ({ ...geojson(body), truncateAt: 5000 }))
    expect(errorCode(err)).toBe('ERR_RETRYABLE')
    expect(err.message).toMatch(/NWS body cut off|not JSON/)
  })

  it('treats a 200 body that is not JSON, or not a FeatureCollection, as an error', async () => {
    const html = await failing(() => ({ headers: { 'content-type': 'text/html' }, body: '<html>maintenance</html>' }))
    expect(errorCode(html)).toBe('ERR_RETRYABLE')
    expect(html.message).toContain('not JSON')
    const feature = await failing(() => geojson({ type: 'Feature', properties: {} }))
    expect(feature.message).toContain('not a FeatureCollection (type "Feature")')
  })

  it('maps a refused connection to RetryableError', async () => {
    const { poller } = makePoller(config({ base_url: 'http://127.0.0.1:9' }))
    const err = await caught(poll(poller))
    expect(errorCode(err)).toBe('ERR_RETRYABLE')
    expect(err.message).toContain('NWS request failed')
  })

  it('ends an aborted poll with the abort reason', async () => {
    server.answer = () => ({ ...geojson(liveBundle()), delayMs: 1000 })
    const { poller } = makePoller(config())
    const controller = new AbortController()
    const pending = caught(poll(poller, undefined, controller.signal))
    setTimeout(() => controller.abort(new Error('stream stopping')), 50)
    expect((await pending).message).toBe('stream stopping')
  })
})
