import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FirmsServer, fixture, startFirmsServer } from './firms-server'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))
const cli = join(root, 'packages/core/dist/cli.js')
const plugin = join(root, 'packages/connector-nasa-firms/dist/index.js')
// the plugin lies outside the test's config folder: trust its package explicitly
const trust = ['--allow-plugin-path', join(root, 'packages/connector-nasa-firms')]
const MAP_KEY = 'abcdef0123456789abcdef0123456789'
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

// The built binary and the built plugin, as a user runs them (npm test builds first).
describe('firefront run --once with the FIRMS connector against a local FIRMS host', () => {
  let server: FirmsServer
  beforeAll(async () => {
    const modis = fixture('firms_modis_nrt_sample.csv')
    // one malformed row in the MODIS answer: it must reach the dead-letter file, the rest go on
    const broken = modis.replace(
      /\n([^\n]*)\n/,
      '\n$1\n12.3,not-a-longitude,300,1,1,2026-10-01,241,Terra,MODIS,50,6.1NRT,290,5,D\n',
    )
    server = await startFirmsServer((req) => ({
      body: req.source === 'MODIS_NRT' ? broken : fixture('firms_viirs_noaa20_nrt_sample.csv'),
    }))
  })
  afterAll(() => server.close())

  it('fetches, parses and writes every detection; the bad row is dead-lettered; the key is never printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-firms-run-'))
    const config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `plugins: ["${plugin}"]
state_dir: ${dir}/state
log_level: debug
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  firms_india:
    source_type: nasa_firms
    ingestion: { mode: batch }
    config:
      map_key: \${FIRMS_MAP_KEY}
      base_url: ${server.baseUrl}
      sources: [VIIRS_NOAA20_NRT, MODIS_NRT]
      area: "68,6,97.5,37.5"
`,
    )
    const env = { ...process.env, FIRMS_MAP_KEY: MAP_KEY }
    const result = await run(process.execPath, [cli, 'run', config, '--once', ...trust], { env, cwd: dir })
    expect(result.stdout).toContain('firms_india (nasa-firms, stopped): fetched 215')
    const out = lines(join(dir, 'out/wildfire-nasa-firms.jsonl'))
    expect(out).toHaveLength(101 + 114)
    const first = out.find((r) => (r.value as { acq_time: string }).acq_time === '0718')
    expect(first).toMatchObject({
      topic: 'wildfire-nasa-firms',
      sourceId: 'firms_india',
      sourceType: 'nasa_firms',
      eventTime: expect.stringMatching(/T07:18:00/),
    })
    const dead = lines(join(dir, 'out/firefront-dlq.jsonl'))
    expect(dead).toHaveLength(1)
    expect(String((dead[0]!.headers as Record<string, string>)['firefront.error'])).toMatch(/longitude/)
    // the requests carried the key; nothing the run printed does
    expect(server.requests.some((r) => r.key === MAP_KEY)).toBe(true)
    expect(result.stdout + result.stderr).not.toContain(MAP_KEY)
    expect(readFileSync(join(dir, 'state/cursors.json'), 'utf8')).not.toContain(MAP_KEY)

    // a second run resumes from the committed cursor: the same answers give no duplicate
    const again = await run(process.execPath, [cli, 'run', config, '--once', ...trust], { env, cwd: dir })
    expect(again.stdout).toContain('total: fetched 0')
    expect(lines(join(dir, 'out/wildfire-nasa-firms.jsonl'))).toHaveLength(215)
  })

  it('one answer larger than the queue (15,000 rows, queue_max_size 10,000, drop_oldest): every row delivered, none dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-firms-run-'))
    const config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `plugins: ["${plugin}"]
state_dir: ${dir}/state
queue_max_size: 10000
queue_overflow_strategy: drop_oldest
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  firms_big:
    source_type: nasa_firms
    ingestion: { mode: batch }
    config: { map_key: "\${FIRMS_MAP_KEY}", base_url: "${server.baseUrl}", sources: [VIIRS_SNPP_NRT], area: world }
`,
    )
    // 15,000 distinct valid detections in one CSV answer
    const header =
      'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight'
    const rows = Array.from({ length: 15_000 }, (_, i) => {
      const lat = (-60 + (i % 1200) * 0.1).toFixed(4)
      const lon = (-170 + Math.floor(i / 1200) * 0.5).toFixed(4)
      return `${lat},${lon},330.1,0.4,0.4,2026-09-25,${String(100 + (i % 50)).padStart(4, '0')},N,VIIRS,n,2.0NRT,290.2,4.5,D`
    })
    const previous = server.answer
    server.answer = () => ({ body: `${header}\n${rows.join('\n')}\n` })
    try {
      const env = { ...process.env, FIRMS_MAP_KEY: MAP_KEY }
      const result = await run(process.execPath, [cli, 'run', config, '--once', ...trust], { env, cwd: dir })
      expect(result.stdout).toContain(
        'firms_big (nasa-firms, stopped): fetched 15000, sent 15000, dead-lettered 0, spooled 0, dropped 0',
      )
      expect(result.stdout).not.toContain('dropped by reason')
      expect(lines(join(dir, 'out/wildfire-nasa-firms.jsonl'))).toHaveLength(15_000)
      // the cursor covers them all: the next run fetches nothing again, and loses nothing
      const again = await run(process.execPath, [cli, 'run', config, '--once', ...trust], { env, cwd: dir })
      expect(again.stdout).toContain('total: fetched 0')
      expect(lines(join(dir, 'out/wildfire-nasa-firms.jsonl'))).toHaveLength(15_000)
    } finally {
      server.answer = previous
    }
  }, 60_000)

  it('a 429 asking to wait a day ends --once within seconds, the stream failed with a truthful message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-firms-run-'))
    const config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `plugins: ["${plugin}"]
state_dir: ${dir}/state
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  firms_limited:
    source_type: nasa_firms
    ingestion: { mode: batch }
    config: { map_key: "\${FIRMS_MAP_KEY}", base_url: "${server.baseUrl}", sources: [VIIRS_SNPP_NRT], area: world }
`,
    )
    const previous = server.answer
    server.answer = () => ({ status: 429, body: 'Too Many Requests', headers: { 'retry-after': '86400' } })
    // requests of earlier tests on this server are not this run's
    const earlier = server.requests.length
    const started = Date.now()
    try {
      const failed = await run(process.execPath, [cli, 'run', config, '--once', ...trust], {
        env: { ...process.env, FIRMS_MAP_KEY: MAP_KEY },
        cwd: dir,
        timeout: 60_000,
      }).then(
        () => undefined,
        (err: { code: number; killed: boolean; stdout: string; stderr: string }) => err,
      )
      expect(failed?.killed).toBe(false)
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(failed?.code).toBe(1)
      expect(failed?.stdout).toMatch(/firms_limited \(nasa-firms, failed\)/)
      expect(failed?.stdout).toContain(
        'the remote asked to wait 86400 s before retrying, more than max_retry_after_seconds (300 s); not retried now: this source is tried again at its next scheduled poll (with --once: at the next run)',
      )
      // the one request, not retried; and no message claims a retry that does not happen
      expect(
        server.requests.slice(earlier).filter((r) => r.source === 'VIIRS_SNPP_NRT' && r.where === 'world'),
      ).toHaveLength(1)
      expect(`${failed?.stdout}${failed?.stderr}`).not.toMatch(/retried next poll/)
    } finally {
      server.answer = previous
    }
  })

  it('a refused MAP_KEY stops the stream with the message and exit 1, the key redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-firms-run-'))
    const config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `plugins: ["${plugin}"]
state_dir: ${dir}/state
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  firms_bad_key:
    source_type: nasa_firms
    ingestion: { mode: batch }
    config: { map_key: "\${FIRMS_MAP_KEY}", base_url: "${server.baseUrl}", sources: [VIIRS_SNPP_NRT], area: world }
`,
    )
    const previous = server.answer
    server.answer = () => ({ status: 400, body: 'Invalid MAP_KEY.' })
    try {
      const failed = await run(process.execPath, [cli, 'run', config, '--once', ...trust], {
        env: { ...process.env, FIRMS_MAP_KEY: MAP_KEY },
        cwd: dir,
      }).then(
        () => undefined,
        (err: { code: number; stdout: string; stderr: string }) => err,
      )
      expect(failed?.code).toBe(1)
      expect(failed?.stdout).toMatch(/firms_bad_key \(nasa-firms, failed\).*last error: .*Invalid MAP_KEY\./)
      expect(`${failed?.stdout}${failed?.stderr}`).not.toContain(MAP_KEY)
    } finally {
      server.answer = previous
    }
  })
})
