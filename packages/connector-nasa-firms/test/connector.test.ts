import { type Clock, type PullConnector, RetryableError, validateConfig } from '@firefront/sdk'
import { checkConnectorContract, createFakeContext, runConnector } from '@firefront/sdk/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import connector, { FirmsConfig, type FirmsDetection, createFirmsPoller, resolveSettings } from '../src/index'
import { type FirmsServer, type SeenRequest, fixture, startFirmsServer } from './firms-server'

const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
const AREA = '68,6,97.5,37.5'
const VIIRS_HEADER =
  'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight'
const viirsRow = (date: string, time: string, lat: number, lon = 80.5) =>
  `${lat},${lon},330.5,0.4,0.5,${date},${time},N20,VIIRS,n,2.0NRT,290.1,4.5,N`
const viirsBody = (...rows: string[]) => [VIIRS_HEADER, ...rows].join('\n')

let server: FirmsServer
let keys = 0
/** A MAP_KEY of its own, so a test's transaction budget is its own. */
const freshKey = () => `${KEY}${++keys}`

beforeAll(async () => {
  server = await startFirmsServer()
})
afterAll(async () => {
  await server.close()
})
beforeEach(() => {
  server.requests.length = 0
  server.answer = () => ({ body: fixture('firms_viirs_noaa20_nrt_sample.csv') })
})

const config = (extra: Record<string, unknown> = {}) => ({
  map_key: KEY,
  base_url: server.baseUrl,
  area: AREA,
  sources: ['VIIRS_NOAA20_NRT'],
  ...extra,
})

const areaRequests = () => server.requests.filter((r) => r.api !== undefined)
const shape = (r: SeenRequest) => [r.source, r.dayRange, r.date ?? null]

/** A clock that starts at `iso`; its sleep moves time forward at once. */
const manualClock = (iso: string): Clock & { set(iso: string): void } => {
  let t = Date.parse(iso)
  return {
    now: () => t,
    set: (next) => {
      t = Date.parse(next)
    },
    sleep: async (ms, signal) => {
      signal?.throwIfAborted()
      t += ms
    },
  }
}

/** The connector instance on a fake context whose clock the test controls. */
const makePoller = (cfg: Record<string, unknown>, clock: Clock) => {
  const checked = validateConfig(FirmsConfig, cfg)
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
  const fake = createFakeContext({ id: 'connector:nasa-firms#test', fetch: globalThis.fetch })
  const poller = createFirmsPoller(resolveSettings(checked.value, {}), { ...fake.ctx, clock }) as PullConnector
  return { poller, fake }
}
const poll = (p: PullConnector, cursor?: unknown, signal = new AbortController().signal) =>
  p.poll({ cursor: cursor as never, signal })

describe('SDK contract', () => {
  it('keeps the connector contract against a local FIRMS', async () => {
    await checkConnectorContract(connector, {
      validConfig: config(),
      invalidConfigs: [
        config({ sources: ['VIIRS_SNPP'] }),
        config({ area: '1,2,3' }),
        config({ initial_day_range: 0 }),
        config({ dedupe_window_hours: -1 }),
        config({ base_url: 'ftp://firms' }),
        config({ mapKey: KEY }),
      ],
      fetch: globalThis.fetch,
    })
  })

  it('declares its manifest', () => {
    expect(connector).toMatchObject({
      kind: 'connector',
      name: 'nasa-firms',
      sourceTypes: ['nasa_firms'],
      defaultTopic: 'wildfire-nasa-firms',
    })
  })
})

describe('reading FIRMS', () => {
  it('emits every detection of the area API with its key and event time', async () => {
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.error).toBeUndefined()
    expect(run.rejected).toEqual([])
    expect(run.records).toHaveLength(101)
    expect(run.records[0]).toEqual({
      key: 'VIIRS_NOAA20_NRT:2026-09-25T07:18Z:N20:8.11408:80.98805',
      eventTime: '2026-09-25T07:18:00Z',
      value: expect.objectContaining({ source: 'VIIRS_NOAA20_NRT', latitude: 8.11408, acq_time: '0718', frp: 3.03 }),
    })
    expect(areaRequests()).toEqual([
      {
        path: `/api/area/csv/${KEY}/VIIRS_NOAA20_NRT/${AREA}/1`,
        api: 'area',
        key: KEY,
        source: 'VIIRS_NOAA20_NRT',
        where: AREA,
        dayRange: 1,
        date: undefined,
      },
    ])
    expect(run.lastCursor).toMatchObject({ v: 1, sources: { VIIRS_NOAA20_NRT: { newest: '2026-09-25T21:31:00Z' } } })
  })

  it('reads several sources per instance, each with its own cursor', async () => {
    server.answer = (r) => ({
      body: fixture(r.source === 'MODIS_NRT' ? 'firms_modis_nrt_sample.csv' : 'firms_viirs_noaa20_nrt_sample.csv'),
    })
    const run = await runConnector(connector, {
      allowErrors: true,
      config: config({ sources: ['VIIRS_NOAA20_NRT', 'MODIS_NRT'] }),
      fetch: globalThis.fetch,
    })
    expect(run.records).toHaveLength(215)
    expect(new Set(run.records.map((r) => (r.value as FirmsDetection).instrument))).toEqual(new Set(['VIIRS', 'MODIS']))
    expect(run.lastCursor).toMatchObject({
      sources: {
        VIIRS_NOAA20_NRT: { newest: '2026-09-25T21:31:00Z' },
        MODIS_NRT: { newest: '2026-10-03T04:02:00Z' },
      },
    })
  })

  it('reads the country API and keeps country_id', async () => {
    server.answer = () => ({
      body: `country_id,${VIIRS_HEADER}\r\nMEX,19.43,-99.13,330.1,0.4,0.5,2023-03-01,659,1,VIIRS,n,2.0NRT,290.5,4.2,D\r\n`,
    })
    const run = await runConnector(connector, {
      allowErrors: true,
      config: config({ area: undefined, country: 'MEX', sources: ['VIIRS_NOAA20_NRT'] }),
      fetch: globalThis.fetch,
    })
    expect(areaRequests().map((r) => r.path)).toEqual([`/api/country/csv/${KEY}/VIIRS_NOAA20_NRT/MEX/1`])
    expect(run.records.map((r) => r.value)).toMatchObject([{ country_id: 'MEX', satellite: '1', acq_time: '0659' }])
  })

  it('reads LANDSAT rows', async () => {
    server.answer = () => ({
      body: 'latitude,longitude,path,row,scan,track,acq_date,acq_time,satellite,confidence,daynight\n34.1,-118.2,41,36,0.03,0.03,2026-08-01,1832,L9,M,D\n',
    })
    const run = await runConnector(connector, {
      allowErrors: true,
      config: config({ sources: ['LANDSAT_NRT'] }),
      fetch: globalThis.fetch,
    })
    expect(run.records).toEqual([
      {
        key: 'LANDSAT_NRT:2026-08-01T18:32Z:L9:34.1:-118.2',
        eventTime: '2026-08-01T18:32:00Z',
        value: expect.objectContaining({ path: 41, row: 36, confidence: 'M', confidence_level: 'nominal' }),
      },
    ])
  })

  it('MODIS rows of every confidence class, at the class edges, as the area API prints them', async () => {
    // The first row of the real MODIS sample, with the confidence at each edge of the User's Guide classes.
    const header =
      'latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_t31,frp,daynight'
    const rows = [0, 29, 30, 79, 80, 100].map(
      (c, i) => `20.9${i},85.17615,314.11,2.27,1.46,2026-10-01,241,Terra,MODIS,${c},6.1NRT,297.09,22.36,D`,
    )
    server.answer = () => ({ body: `${header}\n${rows.join('\n')}` })
    const run = await runConnector(connector, { config: config({ sources: ['MODIS_NRT'] }), fetch: globalThis.fetch })
    expect(run.error).toBeUndefined()
    expect(
      run.records.map((r) => [
        (r.value as { confidence: number }).confidence,
        (r.value as { confidence_level: string }).confidence_level,
      ]),
    ).toEqual([
      [0, 'low'],
      [29, 'low'],
      [30, 'nominal'],
      [79, 'nominal'],
      [80, 'high'],
      [100, 'high'],
    ])
  })

  it('VIIRS rows of every confidence letter: l, n and h', async () => {
    const rows = ['l', 'n', 'h'].map(
      (c, i) => `27.7354${i},96.28601,367,0.39,0.36,2026-09-25,724,N20,VIIRS,${c},2.0NRT,291.6,7.07,D`,
    )
    server.answer = () => ({ body: `${VIIRS_HEADER}\n${rows.join('\n')}\n` })
    const run = await runConnector(connector, { config: config(), fetch: globalThis.fetch })
    expect(run.records.map((r) => (r.value as { confidence_level: string }).confidence_level)).toEqual([
      'low',
      'nominal',
      'high',
    ])
  })

  it('treats a header-only body as zero detections', async () => {
    server.answer = () => ({ body: `${VIIRS_HEADER}\n` })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.error).toBeUndefined()
    expect(run.records).toEqual([])
    expect(run.lastCursor).toEqual({ v: 1, sources: {} })
  })

  it('sends malformed rows to the dead-letter path and emits the rest', async () => {
    const bad = '8.1,80.9,327.4,0.49,0.65,2026-09-25,718,N20,VIIRS,n'
    const badDate = viirsRow('2026-13-01', '718', 9)
    server.answer = () => ({
      body: viirsBody(viirsRow('2026-09-25', '718', 8), bad, badDate, viirsRow('2026-09-25', '719', 8)),
    })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.records).toHaveLength(2)
    const url = `${server.baseUrl}/api/area/csv/***/VIIRS_NOAA20_NRT/${AREA}/1`
    expect(run.rejected).toEqual([
      { reason: 'expected 14 columns, got 10', input: bad, location: `row 2 of ${url}` },
      { reason: 'acq_date "2026-13-01" is not a date (YYYY-MM-DD)', input: badDate, location: `row 3 of ${url}` },
    ])
  })

  it('takes the MAP_KEY from FIRMS_MAP_KEY when the config has none', async () => {
    vi.stubEnv('FIRMS_MAP_KEY', 'key-from-the-environment')
    try {
      const run = await runConnector(connector, {
        allowErrors: true,
        config: config({ map_key: undefined }),
        fetch: globalThis.fetch,
      })
      expect(run.records).toHaveLength(101)
      expect(areaRequests()[0]!.key).toBe('key-from-the-environment')
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('refuses to start without a MAP_KEY', async () => {
    vi.stubEnv('FIRMS_MAP_KEY', '')
    try {
      await expect(
        runConnector(connector, { allowErrors: true, config: config({ map_key: undefined }), fetch: globalThis.fetch }),
      ).rejects.toMatchObject({ code: 'ERR_PLUGIN_CONFIG', message: expect.stringContaining('FIRMS_MAP_KEY') })
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

describe('FIRMS errors', () => {
  const cases = ['Invalid MAP_KEY.', 'Invalid area.', 'Invalid day range.'].flatMap((text) =>
    [400, 200].map((status) => [text, status] as const),
  )

  it.each(cases)('%s with HTTP %i stops the stream with the message', async (text, status) => {
    server.answer = () => ({ status, body: text })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.records).toEqual([])
    expect(run.error).toMatchObject({ code: 'ERR_CONNECTOR_CONFIG', message: expect.stringContaining(text) })
  })

  it('takes a 401 as a refused key', async () => {
    server.answer = () => ({ status: 401, body: 'Unauthorized' })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.error).toMatchObject({ code: 'ERR_CONNECTOR_CONFIG' })
  })

  it('retries a 429 after the Retry-After it names', async () => {
    server.answer = () => ({ status: 429, body: 'Too Many Requests', headers: { 'retry-after': '120' } })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.error).toBeInstanceOf(RetryableError)
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', retryAfterMs: 120_000 })
  })

  it('retries a 429 without Retry-After', async () => {
    server.answer = () => ({ status: 429, body: '' })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', retryAfterMs: undefined })
  })

  it.each([500, 502, 503])('retries HTTP %i', async (status) => {
    server.answer = () => ({ status, body: '<html>Server Error</html>', headers: { 'retry-after': '5' } })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', retryAfterMs: 5000 })
    expect((run.error as Error).message).toContain(`HTTP ${status}`)
  })

  it('reads only the start of a large error page, and retries: an error answer is never a dead letter', async () => {
    server.answer = () => ({ status: 503, body: `<html>Service Unavailable${' '.repeat(2 * 1024 * 1024)}</html>` })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', message: expect.stringContaining('HTTP 503') })
    expect((run.error as Error).message).toContain('Service Unavailable')
    expect(run.rejected).toEqual([])
  })

  it('retries an answer slower than request_timeout_seconds', async () => {
    server.answer = () => ({ body: fixture('firms_viirs_noaa20_nrt_sample.csv'), delayMs: 3000 })
    const run = await runConnector(connector, {
      allowErrors: true,
      config: config({ request_timeout_seconds: 0.2 }),
      fetch: globalThis.fetch,
    })
    expect(run.error).toMatchObject({
      code: 'ERR_RETRYABLE',
      message: expect.stringContaining('timed out after 200 ms'),
    })
  })

  it('retries a body cut off before its Content-Length', async () => {
    server.answer = () => ({ body: fixture('firms_viirs_noaa20_nrt_sample.csv'), truncateAt: 500 })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.records).toEqual([])
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', message: expect.stringContaining('cut off') })
  })

  it.each([
    ['an HTML page', '<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Back soon</body></html>'],
    ['an empty body', ''],
    ['a JSON error', '{"error":"unavailable"}'],
  ])('never takes %s for data', async (_name, body) => {
    server.answer = () => ({ status: 200, body, headers: { 'content-type': 'text/html' } })
    const run = await runConnector(connector, { allowErrors: true, config: config(), fetch: globalThis.fetch })
    expect(run.records).toEqual([])
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', message: expect.stringContaining('not CSV') })
  })

  it('retries when the host cannot be reached', async () => {
    const closed = await startFirmsServer()
    const base = closed.baseUrl
    await closed.close()
    const run = await runConnector(connector, {
      allowErrors: true,
      config: config({ base_url: base }),
      fetch: globalThis.fetch,
    })
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', message: expect.stringContaining('FIRMS request failed') })
  })

  it('ends a poll promptly with the abort reason when its signal aborts mid-request', async () => {
    server.answer = () => ({ body: fixture('firms_viirs_noaa20_nrt_sample.csv'), delayMs: 5000 })
    const { poller } = makePoller(config(), manualClock('2026-09-25T22:00:00Z'))
    const controller = new AbortController()
    const pending = poll(poller, undefined, controller.signal)
    setTimeout(() => controller.abort(new Error('poll timeout')), 50)
    await expect(pending).rejects.toThrow('poll timeout')
  })

  it('lets the other sources through when one fails transiently, and throws when all fail', async () => {
    server.answer = (r) =>
      r.source === 'MODIS_NRT' ? { status: 503, body: 'busy' } : { body: fixture('firms_viirs_noaa20_nrt_sample.csv') }
    const { poller, fake } = makePoller(
      config({ sources: ['VIIRS_NOAA20_NRT', 'MODIS_NRT'] }),
      manualClock('2026-09-25T22:00:00Z'),
    )
    const first = await poll(poller)
    expect(first.records).toHaveLength(101)
    expect(Object.keys((first.cursor as { sources: object }).sources)).toEqual(['VIIRS_NOAA20_NRT'])
    expect(fake.logs.some((l) => l.level === 40 && l.fields.firms_source === 'MODIS_NRT')).toBe(true)
    // the runtime's logger names the config's source as `source`: the FIRMS dataset must not take that key
    expect(fake.logs.some((l) => l.fields.source === 'MODIS_NRT')).toBe(false)

    server.answer = (r) => ({
      body: fixture(r.source === 'MODIS_NRT' ? 'firms_modis_nrt_sample.csv' : 'firms_viirs_noaa20_nrt_sample.csv'),
    })
    const second = await poll(poller, first.cursor)
    expect(second.records).toHaveLength(114)

    server.answer = () => ({ status: 500, body: 'down' })
    await expect(poll(poller, second.cursor)).rejects.toMatchObject({ code: 'ERR_RETRYABLE' })
  })
})

describe('bytes that are not UTF-8, and answers over max_body_bytes', () => {
  it('rejects the rows holding bytes that are not UTF-8, with the bytes as received, and reads the others', async () => {
    const good1 = viirsRow('2026-09-25', '718', 8)
    const good2 = viirsRow('2026-09-25', '719', 8)
    // satellite "N2\xff": a lenient decoder would quietly emit it as "N2\uFFFD"
    const badRow = Buffer.concat([
      Buffer.from('9.5,80.5,330.5,0.4,0.5,2026-09-25,718,N2'),
      Buffer.from([0xff]),
      Buffer.from(',VIIRS,n,2.0NRT,290.1,4.5,N'),
    ])
    server.answer = () => ({
      body: Buffer.concat([Buffer.from(`${VIIRS_HEADER}\r\n${good1}\r\n`), badRow, Buffer.from(`\r\n${good2}`)]),
    })
    const { poller, fake } = makePoller(config(), manualClock('2026-09-25T22:00:00Z'))
    const result = await poll(poller)
    expect(result.records.map((r) => (r.value as FirmsDetection).latitude)).toEqual([8, 8])
    const url = `${server.baseUrl}/api/area/csv/***/VIIRS_NOAA20_NRT/${AREA}/1`
    expect(fake.rejected).toEqual([
      {
        reason:
          'the row holds bytes that are not valid UTF-8 (the first at byte 40 of the row; shown as U+FFFD in the text)',
        input: { text: badRow.toString('utf8'), base64: badRow.toString('base64') },
        location: `row 2 of ${url}`,
      },
    ])
    expect(fake.metrics.get('firms_rows_invalid_utf8_total')).toBe(1)
    expect(fake.metrics.get('firms_rows_rejected_total')).toBe(1)
  })

  it('keeps a U+FFFD the bytes really held, and refuses a header that is not UTF-8', async () => {
    server.answer = () => ({ body: viirsBody(viirsRow('2026-09-25', '718', 8).replace('N20', 'N2\uFFFD')) })
    const { poller, fake } = makePoller(config(), manualClock('2026-09-25T22:00:00Z'))
    const result = await poll(poller)
    expect((result.records[0]!.value as FirmsDetection).satellite).toBe('N2\uFFFD')
    expect(fake.rejected).toEqual([])

    server.answer = () => ({
      body: Buffer.concat([Buffer.from('latitude,longitude,acq_date,acq_time,sat'), Buffer.from([0xc3, 0x28])]),
    })
    await expect(
      poll(makePoller(config({ map_key: freshKey() }), manualClock('2026-09-25T22:00:00Z')).poller),
    ).rejects.toMatchObject({
      code: 'ERR_RETRYABLE',
      message: expect.stringContaining('FIRMS CSV header: the row holds bytes that are not valid UTF-8'),
    })
  })

  it.each([
    ['declares its size (Content-Length)', true, String(100 * 1024 * 1024)],
    ['is chunked, without Content-Length', false, `>${1024 * 1024}`],
  ])(
    'dead-letters a 100 MB answer that %s, unread past the cap, and the other sources go on',
    async (_name, declare, size) => {
      const row = `${viirsRow('2026-09-25', '718', 8)}\n`
      server.answer = (r) =>
        r.source === 'MODIS_NRT'
          ? {
              body: Buffer.from(`${VIIRS_HEADER}\n${row}`.repeat(1) + row.repeat(8000)),
              repeat: { totalBytes: 100 * 1024 * 1024, declare },
            }
          : { body: fixture('firms_viirs_noaa20_nrt_sample.csv') }
      const before = server.bytesWritten
      const { poller, fake } = makePoller(
        config({ map_key: freshKey(), sources: ['VIIRS_NOAA20_NRT', 'MODIS_NRT'], max_body_bytes: 1024 * 1024 }),
        manualClock('2026-09-25T22:00:00Z'),
      )
      const result = await poll(poller)
      expect(result.records).toHaveLength(101)
      expect(fake.rejected).toHaveLength(1)
      const dead = fake.rejected[0]!
      const url = `${server.baseUrl}/api/area/csv/***/MODIS_NRT/${AREA}/1`
      expect(dead.location).toBe(url)
      expect(dead.reason).toMatch(
        /^FIRMS answer \(HTTP 200\) over max_body_bytes, not read: body .*is over the cap of 1048576 bytes/,
      )
      const input = dead.input as { size: string; max_body_bytes: number; preview: string }
      expect(Object.keys(input)).toEqual(['size', 'max_body_bytes', 'preview'])
      expect(input.size).toBe(size)
      expect(input.max_body_bytes).toBe(1024 * 1024)
      expect(input.preview).toBe(`${VIIRS_HEADER}\n${row}${row.repeat(4)}`.slice(0, 256))
      // Reading stopped at the cap: at most one network read past it, nothing near the 100 MB sent
      const logged = fake.logs.find((l) => l.msg === 'FIRMS answer over max_body_bytes dead-lettered')
      expect(logged?.fields.bytesRead).toBeLessThanOrEqual(1024 * 1024 + 1024 * 1024)
      expect(server.bytesWritten - before).toBeLessThan(32 * 1024 * 1024)
      expect(fake.metrics.get('firms_bodies_oversize_total')).toBe(1)
      // the window stays unread: the cursor holds the source that was read, not the oversize one
      expect(Object.keys((result.cursor as { sources: object }).sources)).toEqual(['VIIRS_NOAA20_NRT'])
    },
  )
})

describe('the MAP_KEY stays secret', () => {
  it('never appears in a log line, an error, a cause or a rejected row', async () => {
    const secret = 'S3CR3T0123456789abcdef0123456789'
    const seen: string[] = []
    const scenarios: Array<() => void> = [
      () => {
        server.answer = () => ({
          body: viirsBody(viirsRow('2026-09-25', '718', 8), 'x,y', viirsRow('2026-99-25', '1', 1)),
        })
      },
      () => {
        server.answer = () => ({ status: 400, body: 'Invalid MAP_KEY.' })
      },
      () => {
        server.answer = () => ({ status: 200, body: `Invalid area. ${secret}` })
      },
      () => {
        server.answer = () => ({ status: 500, body: `<html>oops ${secret}</html>` })
      },
      () => {
        server.answer = () => ({ status: 429, body: '' })
      },
      () => {
        server.answer = () => ({ body: fixture('firms_viirs_noaa20_nrt_sample.csv'), delayMs: 2000 })
      },
      () => {
        server.answer = () => ({ body: fixture('firms_viirs_noaa20_nrt_sample.csv'), truncateAt: 100 })
      },
      () => {
        server.answer = () => ({ body: '<html>maintenance</html>' })
      },
      () => {
        server.answer = (r) =>
          r.path.startsWith('/api/data_availability')
            ? { body: 'garbage' }
            : { body: viirsBody(viirsRow('2026-04-25', '100', 1)) }
      },
    ]
    const collect = (err: unknown): void => {
      let e: unknown = err
      while (e instanceof Error) {
        seen.push(e.message, String(e), e.stack ?? '')
        e = e.cause
      }
      if (e !== undefined) seen.push(JSON.stringify(e))
    }
    for (const [i, scenario] of scenarios.entries()) {
      scenario()
      const extra =
        i === 5 ? { request_timeout_seconds: 0.2 } : i === 8 ? { start_date: '2026-04-25', end_date: '2026-04-25' } : {}
      const run = await runConnector(connector, {
        allowErrors: true,
        config: config({ map_key: secret, ...extra }),
        fetch: globalThis.fetch,
        until: { polls: 2 },
      })
      for (const log of run.logs) seen.push(log.msg, JSON.stringify(log.fields))
      for (const r of run.rejected) seen.push(JSON.stringify(r))
      collect(run.error)
    }
    const closed = await startFirmsServer()
    await closed.close()
    const unreachable = await runConnector(connector, {
      allowErrors: true,
      config: config({ map_key: secret, base_url: closed.baseUrl }),
      fetch: globalThis.fetch,
    })
    collect(unreachable.error)
    // with check_key_status, the key travels in a query string
    server.answer = () => ({
      body: 'MAP_KEY is invalid or your have exceeded your transaction/time limit. Please try again later.',
    })
    await runConnector(connector, {
      allowErrors: true,
      config: config({ map_key: secret, check_key_status: true }),
      fetch: globalThis.fetch,
    }).catch(collect)

    expect(server.requests.some((r) => r.path.includes(secret))).toBe(true)
    expect(seen.length).toBeGreaterThan(20)
    expect(seen.filter((s) => s.includes(secret))).toEqual([])
    expect(seen.some((s) => s.includes('/api/area/csv/***/'))).toBe(true)
  })
})

describe('incremental polling', () => {
  it('emits nothing twice over repeated polls of the same data', async () => {
    const { poller } = makePoller(config(), manualClock('2026-09-25T22:00:00Z'))
    const first = await poll(poller)
    expect(first.records).toHaveLength(101)
    const second = await poll(poller, first.cursor)
    const third = await poll(poller, JSON.parse(JSON.stringify(second.cursor)))
    expect(second.records).toEqual([])
    expect(third.records).toEqual([])
    expect(areaRequests().map(shape)).toEqual([
      ['VIIRS_NOAA20_NRT', 1, null],
      ['VIIRS_NOAA20_NRT', 1, null],
      ['VIIRS_NOAA20_NRT', 1, null],
    ])
  })

  it('emits only rows newer than the cursor, new pixels of its minute and late rows within the window', async () => {
    const clock = manualClock('2026-09-25T22:00:00Z')
    const { poller, fake } = makePoller(config({ dedupe_window_hours: 6 }), clock)
    const first = await poll(poller)
    const base = fixture('firms_viirs_noaa20_nrt_sample.csv')
    const newer = viirsRow('2026-09-25', '2200', 30)
    const sameMinute = viirsRow('2026-09-25', '2131', 31)
    const late = viirsRow('2026-09-25', '1700', 32)
    const tooLate = viirsRow('2026-09-25', '1500', 33)
    server.answer = () => ({ body: [base, newer, sameMinute, late, tooLate].join('\n') })
    const second = await poll(poller, first.cursor)
    expect(second.records.map((r) => r.key)).toEqual([
      'VIIRS_NOAA20_NRT:2026-09-25T22:00Z:N20:30:80.5',
      'VIIRS_NOAA20_NRT:2026-09-25T21:31Z:N20:31:80.5',
      'VIIRS_NOAA20_NRT:2026-09-25T17:00Z:N20:32:80.5',
    ])
    expect(second.cursor).toMatchObject({ sources: { VIIRS_NOAA20_NRT: { newest: '2026-09-25T22:00:00Z' } } })
    expect(fake.metrics.get('firms_duplicates_total')).toBeGreaterThan(0)
    expect(fake.metrics.get('firms_stale_rows_total')).toBeGreaterThan(0)
    const third = await poll(poller, second.cursor)
    expect(third.records).toEqual([])
  })

  it('asks for the smallest day range that covers the cursor less the dedupe window', async () => {
    const clock = manualClock('2026-09-25T23:00:00Z')
    server.answer = () => ({ body: viirsBody(viirsRow('2026-09-25', '2250', 1)) })
    const { poller } = makePoller(config({ dedupe_window_hours: 2 }), clock)
    const first = await poll(poller)
    clock.set('2026-09-26T00:30:00Z') // newest 22:50 − 2 h is still the 25th
    const second = await poll(poller, first.cursor)
    server.answer = () => ({ body: viirsBody(viirsRow('2026-09-26', '300', 1)) })
    clock.set('2026-09-26T06:00:00Z')
    const third = await poll(poller, second.cursor)
    expect(third.records).toHaveLength(1)
    clock.set('2026-09-26T07:00:00Z') // newest 03:00 − 2 h is the 26th
    await poll(poller, third.cursor)
    clock.set('2026-09-29T12:00:00Z') // three days later: the 26th to the 29th
    await poll(poller, third.cursor)
    expect(areaRequests().map(shape)).toEqual([
      ['VIIRS_NOAA20_NRT', 1, null],
      ['VIIRS_NOAA20_NRT', 2, null],
      ['VIIRS_NOAA20_NRT', 2, null],
      ['VIIRS_NOAA20_NRT', 1, null],
      ['VIIRS_NOAA20_NRT', 4, null],
    ])
  })

  it('splits a long first read or catch-up into DATE windows of at most 5 days', async () => {
    const clock = manualClock('2026-10-10T12:00:00Z')
    server.answer = () => ({ body: viirsBody(viirsRow('2026-09-26', '1200', 1)) })
    const { poller, fake } = makePoller(config({ initial_day_range: 7, max_catch_up_days: 12 }), clock)
    const first = await poll(poller)
    clock.set('2026-10-20T12:00:00Z') // the cursor (26 Sep) is further back than 12 days: starts 9 Oct
    await poll(poller, first.cursor)
    expect(areaRequests().map(shape)).toEqual([
      ['VIIRS_NOAA20_NRT', 5, '2026-10-04'],
      ['VIIRS_NOAA20_NRT', 2, '2026-10-09'],
      ['VIIRS_NOAA20_NRT', 5, '2026-10-09'],
      ['VIIRS_NOAA20_NRT', 5, '2026-10-14'],
      ['VIIRS_NOAA20_NRT', 2, '2026-10-19'],
    ])
    expect(fake.logs.some((l) => l.msg.includes('max_catch_up_days'))).toBe(true)
  })

  it('reads the whole initial_day_range on the first poll even beyond max_catch_up_days', async () => {
    const { poller, fake } = makePoller(
      config({ initial_day_range: 8, max_catch_up_days: 3 }),
      manualClock('2026-10-10T12:00:00Z'),
    )
    await poll(poller)
    expect(areaRequests().map(shape)).toEqual([
      ['VIIRS_NOAA20_NRT', 5, '2026-10-03'],
      ['VIIRS_NOAA20_NRT', 3, '2026-10-08'],
    ])
    expect(fake.logs.filter((l) => l.level >= 40)).toEqual([])
  })

  it('reads a world-sized body of 150k rows in one poll', async () => {
    const rows = Array.from({ length: 150_000 }, (_, i) =>
      viirsRow(
        '2026-09-25',
        String((i % 24) * 100 + (Math.floor(i / 24) % 60)),
        -60 + (i % 1200) / 10,
        -180 + Math.floor(i / 1200) / 10,
      ),
    )
    const body = [VIIRS_HEADER].concat(rows).join('\n')
    server.answer = () => ({ body })
    const { poller } = makePoller(config({ area: 'world' }), manualClock('2026-09-25T23:00:00Z'))
    const result = await poll(poller)
    expect(result.records).toHaveLength(150_000)
    expect(new Set(result.records.map((r) => r.key)).size).toBe(150_000)
    expect(areaRequests()[0]!.where).toBe('world')
  })

  it('starts afresh, with a warning, from a cursor it did not write', async () => {
    const { poller, fake } = makePoller(config(), manualClock('2026-09-25T22:00:00Z'))
    const result = await poll(poller, { offset: 12 })
    expect(result.records).toHaveLength(101)
    expect(fake.logs.some((l) => l.level === 40 && l.msg.includes('starting afresh'))).toBe(true)
  })

  it('emits no duplicates over repeated polls through runConnector', async () => {
    const run = await runConnector(connector, {
      allowErrors: true,
      config: config(),
      fetch: globalThis.fetch,
      until: { polls: 3 },
    })
    expect(run.error).toBeUndefined()
    expect(run.polls).toBe(3)
    expect(run.records).toHaveLength(101)
    expect(new Set(run.records.map((r) => r.key)).size).toBe(101)
  })
})

describe('historical backfill', () => {
  const AVAILABILITY = `data_id,min_date,max_date
VIIRS_SNPP_NRT,2026-04-28,2026-08-05
VIIRS_SNPP_SP,2012-01-20,2026-04-27
`
  const answerByDate = (r: SeenRequest) => {
    if (r.path.startsWith('/api/data_availability/csv/')) return { body: AVAILABILITY }
    if (r.date === undefined) return { body: `${VIIRS_HEADER}\n` }
    return { body: viirsBody(viirsRow(r.date, '1200', r.dayRange ?? 0), viirsRow(r.date, '1300', 50)) }
  }

  it('reads forward DATE windows from SP or NRT as data_availability says, then stops at end_date', async () => {
    server.answer = answerByDate
    const { poller } = makePoller(
      config({ sources: ['VIIRS_SNPP_NRT'], start_date: '2026-04-25', end_date: '2026-05-02' }),
      manualClock('2026-06-10T00:00:00Z'),
    )
    const first = await poll(poller)
    expect(first.hasMore).toBe(true)
    expect(first.cursor).toMatchObject({ backfill: { start: '2026-04-25', next: '2026-04-30', done: false } })
    const second = await poll(poller, first.cursor)
    expect(second.hasMore).toBe(false)
    expect(second.cursor).toMatchObject({ backfill: { next: '2026-05-03', done: true } })
    const third = await poll(poller, second.cursor)
    expect(third.records).toEqual([])
    expect(server.requests.filter((r) => r.path.startsWith('/api/data_availability'))).toHaveLength(1)
    expect(server.requests.find((r) => r.path.startsWith('/api/data_availability'))?.path).toBe(
      `/api/data_availability/csv/${KEY}/ALL`,
    )
    expect(areaRequests().map(shape)).toEqual([
      ['VIIRS_SNPP_SP', 3, '2026-04-25'],
      ['VIIRS_SNPP_NRT', 2, '2026-04-28'],
      ['VIIRS_SNPP_NRT', 3, '2026-04-30'],
    ])
    const keys = [...first.records, ...second.records].map((r) => r.key)
    expect(keys).toEqual([
      'VIIRS_SNPP_SP:2026-04-25T12:00Z:N20:3:80.5',
      'VIIRS_SNPP_SP:2026-04-25T13:00Z:N20:50:80.5',
      'VIIRS_SNPP_NRT:2026-04-28T12:00Z:N20:2:80.5',
      'VIIRS_SNPP_NRT:2026-04-28T13:00Z:N20:50:80.5',
      'VIIRS_SNPP_NRT:2026-04-30T12:00Z:N20:3:80.5',
      'VIIRS_SNPP_NRT:2026-04-30T13:00Z:N20:50:80.5',
    ])
  })

  it('starts a new backfill from an empty cursor when start_date is new, so live history does not hide it', async () => {
    server.answer = answerByDate
    const clock = manualClock('2026-05-01T06:00:00Z')
    const live = makePoller(config({ sources: ['VIIRS_SNPP_NRT'] }), clock)
    server.answer = () => ({ body: viirsBody(viirsRow('2026-05-01', '500', 7)) })
    const liveCursor = (await poll(live.poller)).cursor
    server.answer = answerByDate
    const { poller } = makePoller(config({ sources: ['VIIRS_SNPP_NRT'], start_date: '2026-04-28' }), clock)
    const first = await poll(poller, liveCursor)
    expect(first.records.map((r) => r.eventTime)).toEqual(['2026-04-28T12:00:00Z', '2026-04-28T13:00:00Z'])
  })

  it('stops the stream when data_availability refuses the key', async () => {
    server.answer = (r) =>
      r.path.startsWith('/api/data_availability') ? { body: 'Invalid MAP_KEY.' } : answerByDate(r)
    const { poller } = makePoller(config({ start_date: '2026-04-28' }), manualClock('2026-05-01T06:00:00Z'))
    await expect(poll(poller)).rejects.toMatchObject({ code: 'ERR_CONNECTOR_CONFIG' })
  })

  it('reads the configured source as it is when data_availability is unreadable', async () => {
    server.answer = (r) =>
      r.path.startsWith('/api/data_availability') ? { body: 'sensor,date,sp,nrt\n' } : answerByDate(r)
    const { poller, fake } = makePoller(
      config({ sources: ['VIIRS_SNPP_NRT'], start_date: '2026-04-20', end_date: '2026-04-21' }),
      manualClock('2026-05-01T06:00:00Z'),
    )
    const result = await poll(poller)
    expect(result.records).toHaveLength(2)
    expect(areaRequests().map(shape)).toEqual([['VIIRS_SNPP_NRT', 2, '2026-04-20']])
    expect(fake.logs.some((l) => l.level === 40 && l.msg.includes('data_availability unreadable'))).toBe(true)
  })

  it('goes on live once an open-ended backfill reaches today', async () => {
    server.answer = answerByDate
    const clock = manualClock('2026-05-01T06:00:00Z')
    const { poller } = makePoller(config({ sources: ['VIIRS_SNPP_NRT'], start_date: '2026-04-28' }), clock)
    const first = await poll(poller)
    expect(first.cursor).toMatchObject({ backfill: { next: '2026-05-02', done: true } })
    expect(first.hasMore).toBe(false)
    await poll(poller, first.cursor)
    // live from the newest row read (28 Apr, 13:00) less the dedupe window, up to today (1 May)
    expect(areaRequests().map(shape)).toEqual([
      ['VIIRS_SNPP_NRT', 4, '2026-04-28'],
      ['VIIRS_SNPP_NRT', 4, null],
    ])
  })
})

describe('transaction budget', () => {
  it('waits instead of going over the limit, counting a day of range as a transaction', async () => {
    const clock = manualClock('2026-09-25T22:00:00Z')
    const { poller, fake } = makePoller(
      config({
        map_key: freshKey(),
        transaction_limit: 3,
        initial_day_range: 2,
        sources: ['VIIRS_NOAA20_NRT', 'MODIS_NRT'],
      }),
      clock,
    )
    const started = clock.now()
    await poll(poller)
    expect(areaRequests().map(shape)).toEqual([
      ['VIIRS_NOAA20_NRT', 2, null],
      ['MODIS_NRT', 2, null],
    ])
    expect(fake.metrics.get('firms_budget_wait_seconds')).toEqual([600])
    expect(clock.now() - started).toBe(600_000)
    expect(fake.metrics.get('firms_transactions_total')).toBe(4)
  })

  it('stops waiting when the poll is aborted', async () => {
    const { poller } = makePoller(
      config({
        map_key: freshKey(),
        transaction_limit: 3,
        initial_day_range: 2,
        sources: ['VIIRS_NOAA20_NRT', 'MODIS_NRT'],
      }),
      createFakeContext().ctx.clock,
    )
    const controller = new AbortController()
    const pending = poll(poller, undefined, controller.signal)
    setTimeout(() => controller.abort(new Error('stream stopping')), 200)
    await expect(pending).rejects.toThrow('stream stopping')
    expect(areaRequests()).toHaveLength(1)
  })

  it('checks the key at start and counts the transactions it already spent', async () => {
    server.answer = (r) =>
      r.path.startsWith('/mapserver/mapkey_status/')
        ? { body: '{"transaction_limit":5000,"current_transactions":4999,"transaction_interval":"10 minutes"}' }
        : { body: fixture('firms_viirs_noaa20_nrt_sample.csv') }
    const key = freshKey()
    const { poller, fake } = makePoller(
      config({ map_key: key, check_key_status: true }),
      manualClock('2026-09-25T22:00:00Z'),
    )
    await poller.start?.()
    expect(server.requests[0]!.path).toBe(`/mapserver/mapkey_status/?MAP_KEY=${key}`)
    const result = await poll(poller)
    expect(result.records).toHaveLength(101)
    expect(fake.metrics.get('firms_budget_wait_seconds')).toEqual([600])
    expect(fake.logs.find((l) => l.msg === 'FIRMS MAP_KEY accepted')?.fields).toMatchObject({
      transactionLimit: 5000,
      currentTransactions: 4999,
      transactionInterval: '10 minutes',
    })
  })

  it('accepts a numeric transaction_interval', async () => {
    server.answer = () => ({
      body: '{"transaction_limit": 5000, "current_transactions": 0, "transaction_interval": 60}',
    })
    const { poller, fake } = makePoller(
      config({ map_key: freshKey(), check_key_status: true }),
      manualClock('2026-09-25T22:00:00Z'),
    )
    await poller.start?.()
    expect(fake.logs.find((l) => l.msg === 'FIRMS MAP_KEY accepted')?.fields.transactionInterval).toBe(60)
  })

  it('refuses to start when the key status says the key is invalid', async () => {
    server.answer = () => ({
      body: 'MAP_KEY is invalid or your have exceeded your transaction/time limit. Please try again later.',
    })
    await expect(
      runConnector(connector, {
        allowErrors: true,
        config: config({ map_key: freshKey(), check_key_status: true }),
        fetch: globalThis.fetch,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CONNECTOR_CONFIG', message: expect.stringContaining('MAP_KEY is invalid') })
  })
})
