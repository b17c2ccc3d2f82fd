import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NwsServer, fixture, geojson, problem, startNwsServer, substituteTimes } from './nws-server'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))
const cli = join(root, 'packages/core/dist/cli.js')
const plugin = join(root, 'packages/connector-noaa/dist/index.js')
// the plugin lies outside the test's config folder: trust its package explicitly
const trust = ['--allow-plugin-path', join(root, 'packages/connector-noaa')]
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

// The built binary and the built plugin, as a user runs them (npm test builds first).
describe('firefront run --once with the NOAA connector against a local NWS', () => {
  let server: NwsServer
  beforeAll(async () => {
    const now = Date.now()
    const bundle = JSON.parse(
      substituteTimes(fixture('nws_alerts_active_national_weathergov_guam7day_bundle_templated.json'), now),
    ) as { features: unknown[] }
    const raw = JSON.parse(fixture('nws_alerts_active_national_weathergov_guam7day_bundle_templated.json')) as {
      features: unknown[]
    }
    // one raw placeholder among real times: it must reach the dead-letter file, the rest go on
    bundle.features[0] = raw.features[0]
    const koak = substituteTimes(fixture('nws_observations_koak_limit1_weathergov_templated.json'), now)
    server = await startNwsServer((req) =>
      req.path === '/alerts/active'
        ? geojson(bundle)
        : req.path === '/stations/KOAK/observations'
          ? geojson(koak)
          : problem(404, 'NotFound', 'Not Found', 'no such station'),
    )
  })
  afterAll(() => server.close())

  it('writes alerts and observations, dead-letters the placeholder, and resumes without duplicates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-noaa-run-'))
    const config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `plugins: ["${plugin}"]
state_dir: ${dir}/state
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  noaa_weather_ca:
    source_type: noaa_weather
    ingestion: { mode: batch }
    config:
      user_agent: "(firefront.test, ops@firefront.test)"
      base_url: ${server.baseUrl}
      alerts: { area: [CA] }
      observations: { stations: [KOAK] }
`,
    )
    const result = await run(process.execPath, [cli, 'run', config, '--once', ...trust], { cwd: dir })
    expect(result.stdout).toContain('noaa_weather_ca (noaa, stopped): fetched 246')
    const out = lines(join(dir, 'out/wildfire-weather-data.jsonl'))
    expect(out).toHaveLength(245 + 1)
    expect(out.filter((r) => (r.value as { kind: string }).kind === 'observation')).toHaveLength(1)
    const rfw = out.find((r) => (r.value as { event?: string }).event === 'Red Flag Warning')
    expect(rfw).toMatchObject({
      topic: 'wildfire-weather-data',
      sourceId: 'noaa_weather_ca',
      sourceType: 'noaa_weather',
    })
    const dead = lines(join(dir, 'out/firefront-dlq.jsonl'))
    expect(dead).toHaveLength(1)
    expect(String((dead[0]!.headers as Record<string, string>)['firefront.error'])).toMatch(/date:now/)
    expect(server.requests.every((r) => r.headers['user-agent'] === '(firefront.test, ops@firefront.test)')).toBe(true)

    const again = await run(process.execPath, [cli, 'run', config, '--once', ...trust], { cwd: dir })
    expect(again.stdout).toContain('total: fetched 0')
    expect(lines(join(dir, 'out/wildfire-weather-data.jsonl'))).toHaveLength(246)
  })

  it('a 429 asking to wait a day ends --once within seconds, the stream failed with a truthful message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-noaa-run-'))
    const config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `plugins: ["${plugin}"]
state_dir: ${dir}/state
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  throttled:
    source_type: noaa_alerts
    ingestion: { mode: batch }
    max_retry_after_seconds: 60
    config: { user_agent: "(firefront.test, ops@firefront.test)", base_url: "${server.baseUrl}" }
`,
    )
    const previous = server.answer
    server.answer = () => ({ status: 429, body: '<html>Too Many Requests</html>', headers: { 'retry-after': '86400' } })
    const started = Date.now()
    try {
      const failed = await run(process.execPath, [cli, 'run', config, '--once', ...trust], {
        cwd: dir,
        timeout: 60_000,
      }).then(
        () => undefined,
        (err: { code: number; killed: boolean; stdout: string; stderr: string }) => err,
      )
      expect(failed?.killed).toBe(false)
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(failed?.code).toBe(1)
      expect(failed?.stdout).toMatch(/throttled \(noaa, failed\)/)
      expect(failed?.stdout).toContain(
        'the remote asked to wait 86400 s before retrying, more than max_retry_after_seconds (60 s); not retried now',
      )
    } finally {
      server.answer = previous
    }
  })

  it('an unknown station stops the stream with the problem and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-noaa-run-'))
    const config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `plugins: ["${plugin}"]
state_dir: ${dir}/state
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  bad_station:
    source_type: noaa_observations
    ingestion: { mode: batch }
    config: { user_agent: "(firefront.test, ops@firefront.test)", base_url: "${server.baseUrl}", observations: { stations: [KXXX] } }
`,
    )
    const failed = await run(process.execPath, [cli, 'run', config, '--once', ...trust], { cwd: dir }).then(
      () => undefined,
      (err: { code: number; stdout: string; stderr: string }) => err,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stdout).toMatch(/bad_station \(noaa, failed\).*last error: .*NotFound: Not Found: no such station/)
  })
})
