// What an operator looks at, against a real `firefront run` (built CLI) writing into the real Kafka
// broker: /metrics checked by promtool, `firefront status`, and the status page in headless
// Chromium (Debian's, driven by playwright-core; no browser download).
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { StatusReport } from '../../src/observability/status/report'
import { operatorTool } from '../../../../test/setup/operator-tools'
import { CLI, type LiveRun, startLiveRun, waitFor } from './live-run'

const run = promisify(execFile)
const promtool = operatorTool('promtool')
const browser = process.env.CHROMIUM_PATH ?? operatorTool('chromium')
const docs = fileURLToPath(new URL('../../../../docs/', import.meta.url))

let live: LiveRun
const status = async (): Promise<StatusReport> => (await (await fetch(`${live.url}/api/status`)).json()) as StatusReport
const stream = (r: StatusReport, source: string) => r.streams.find((s) => s.source === source)

beforeAll(async () => {
  // `revoked` fails after 10 polls (5 s): the page first shows it running
  live = await startLiveRun(inject('kafkaBrokers'), { revokedAfter: 10 })
  await waitFor(async () => ((await status()).producer?.sent ?? 0) > 20 || undefined, 30_000, 'records in Kafka')
}, 60_000)

afterAll(async () => {
  const code = await live?.stop()
  // a failed stream makes the run exit 1, as documented
  expect(code).toBe(1)
})

describe.skipIf(!promtool)('/metrics of a running firefront run', () => {
  it('passes promtool check metrics without a single complaint', async () => {
    const text = await (await fetch(`${live.url}/metrics`)).text()
    const checked = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' })
    expect(`${checked.stdout}${checked.stderr}`).toBe('')
    expect(checked.status).toBe(0)
    // the runtime's, the plugins' (with the labels they pass) and Node.js's own
    expect(text).toMatch(/^firefront_records_sent_total\{source="fires",plugin="connector:ticker"\} [1-9]/m)
    expect(text).toMatch(
      /^firefront_records_enqueued_total\{source="fires",plugin="connector:ticker",priority="high"\} /m,
    )
    expect(text).toMatch(/^firefront_plugin_ticker_polls_total\{outcome="ok",plugin="connector:ticker#fires"\} [1-9]/m)
    expect(text).toMatch(/^firefront_record_latency_seconds_bucket\{le="\+Inf",source="fires"\} [1-9]/m)
    expect(text).toMatch(/^firefront_build_info\{version="\d+\.\d+\.\d+",nodejs_version="[\d.]+"\} 1$/m)
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m)
  })
})

describe('firefront status', () => {
  it('finds the run from its config (port 0) and prints every stream, the queue, throttle and producer', async () => {
    await waitFor(
      async () => stream(await status(), 'revoked')?.status === 'failed' || undefined,
      20_000,
      'the failure',
    )
    const { stdout } = await run(process.execPath, [CLI, 'status', live.config])
    expect(stdout).toContain(`· ${live.url}`)
    expect(stdout).toMatch(/^SOURCE\s+STATE\s+PRIORITY\s+IN\/S\s+OUT\/S/m)
    expect(stdout).toMatch(/^fires\s+running\s+high\s/m)
    expect(stdout).toMatch(/^sensors\s+running\s+normal\s/m)
    expect(stdout).toMatch(/^revoked\s+failed\s+normal\s.*the remote refused the key \(HTTP 403\)/m)
    expect(stdout).toMatch(/^queue\s+\d+ \/ 10,000 \(critical \d+, high \d+, normal \d+, low \d+\)$/m)
    expect(stdout).toMatch(
      /^throttle\s+allow · [\d.,]+ records\/s · consumer lag \d+ \(target 1,000, critical 5,000\)$/m,
    )
    expect(stdout).toMatch(
      /^producer\s+sent [\d,]+ · retries 0 · failed 0 · dead letters 0 · spool 0 batches, 0 bytes/m,
    )
    const json = JSON.parse((await run(process.execPath, [CLI, 'status', '--url', live.url, '--json'])).stdout)
    expect(json.streams.map((s: { source: string }) => s.source)).toEqual(['fires', 'sensors', 'revoked'])
  })

  it('nothing answering: exit 1 with the address it tried', async () => {
    const r = spawnSync(process.execPath, [CLI, 'status', '--url', 'http://127.0.0.1:9'], { encoding: 'utf8' })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('no Firefront answers at http://127.0.0.1:9')
  })
})

describe.skipIf(!browser)('the status page in headless Chromium', () => {
  it('shows the streams, numbers and charts that move while records flow, a failure, and the detections map', async () => {
    const b = await chromium.launch({ executablePath: browser!, headless: true, args: ['--no-sandbox'] })
    try {
      const page = await b.newPage({ viewport: { width: 1440, height: 1100 } })
      const failedAt = stream(await status(), 'revoked')?.status
      await page.goto(`${live.url}/`)
      await page.waitForSelector('tr[data-source="revoked"]')
      const sources = await page.$$eval('tr[data-source]', (rows) => rows.map((r) => r.getAttribute('data-source')))
      expect(sources).toEqual(['fires', 'sensors', 'revoked'])
      // evaluated in the page (a string: the test itself compiles without DOM types)
      const read = () =>
        page.evaluate(`({
          sent: Number(document.querySelector('tr[data-source="fires"] [data-field="sent"]').textContent.replace(/,/g, '')),
          chart: document.querySelector('tr[data-source="fires"] [data-field="rate-chart"] path.line')?.getAttribute('d'),
          producer: document.querySelector('[data-field="producer-sent"]').textContent,
          updated: document.body.dataset.updated,
        })`) as Promise<{ sent: number; chart: string | undefined; producer: string; updated: string }>
      const before = await read()
      await page.waitForFunction(`document.body.dataset.updated !== ${JSON.stringify(before.updated)}`)
      await page.waitForTimeout(2500)
      const after = await read()
      expect(after.sent).toBeGreaterThan(before.sent)
      expect(after.producer).not.toBe(before.producer)
      expect(after.chart).toBeTruthy()
      expect(after.chart).not.toBe(before.chart)
      // the failure: state and last error (it may have happened before the page loaded)
      expect(failedAt === 'failed' || failedAt === 'running').toBe(true)
      await page.waitForSelector('tr[data-source="revoked"] [data-field="status"] .badge.failed', { timeout: 15_000 })
      expect(await page.textContent('tr[data-source="revoked"] [data-field="last-error"]')).toContain(
        'the remote refused the key (HTTP 403)',
      )
      expect(await page.textContent('#health')).toContain('unhealthy')
      // fires and revoked carry coordinates, sensors none: sensors is not on the map
      const dots = await page.$$eval('#dots circle', (c) => c.length)
      expect(dots).toBeGreaterThan(10)
      expect(await page.textContent('#map-count')).toMatch(/detections in the last hour \(fires, revoked\)$/)
      // queue per priority, throttle against its targets, version and uptime
      expect(await page.$$eval('#queue [data-priority]', (d) => d.map((e) => e.getAttribute('data-priority')))).toEqual(
        ['critical', 'high', 'normal', 'low'],
      )
      expect(await page.textContent('#throttle')).toContain('1,000 / 5,000')
      expect(await page.textContent('#meta')).toMatch(/^v\d+\.\d+\.\d+ · Node\.js [\d.]+ · up \d+ s · sink kafka$/)
      // nothing was fetched from anywhere but the run itself
      const shot = process.env.UPDATE_STATUS_SCREENSHOT
        ? join(docs, 'status-page.png')
        : join(mkdtempSync(join(tmpdir(), 'firefront-shot-')), 'status-page.png')
      await page.screenshot({ path: shot, fullPage: true })
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG')
      expect(existsSync(join(docs, 'status-page.png'))).toBe(true)
    } finally {
      await b.close()
    }
  })

  it('loads no resource from outside the run', async () => {
    const b = await chromium.launch({ executablePath: browser!, headless: true, args: ['--no-sandbox'] })
    try {
      const page = await b.newPage()
      const urls: string[] = []
      page.on('request', (r) => urls.push(r.url()))
      await page.goto(`${live.url}/`)
      await page.waitForSelector('tr[data-source]')
      expect(urls.length).toBeGreaterThan(1)
      for (const u of urls) expect(u.startsWith(`${live.url}/`)).toBe(true)
    } finally {
      await b.close()
    }
  })
})
