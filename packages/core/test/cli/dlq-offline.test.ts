/**
 * `firefront dlq` with no broker: the built binary, as a user runs it (npm test builds first),
 * lists what is on disk (spool and local dead-letter file) and says the topic could not be read.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SpooledBatch } from '../../src/kafka/delivery/delivery-spool'
import { SegmentSpool } from '../../src/spool/segment-spool'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const cli = join(root, 'packages/core/dist/cli.js')

interface Run {
  code: number
  stdout: string
  stderr: string
}

function firefront(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

const entry = (over: Partial<SpooledBatch>, keys: string[]): SpooledBatch => ({
  v: 1,
  topic: 'fires',
  sourceId: 'firms-viirs',
  sourceType: 'nasa_firms',
  reason: 'unavailable',
  spooledAt: '2026-11-27T00:00:00.000Z',
  attempts: 4,
  messages: keys.map((key) => ({ key, value: '{}', headers: {}, timestamp: '0' })),
  ...over,
})

describe('firefront dlq without a broker', () => {
  let dir: string
  let config: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firefront-dlq-offline-'))
    const stateDir = join(dir, 'state')
    const spool = new SegmentSpool<SpooledBatch>({ directory: join(stateDir, 'spool'), maxBytes: 1 << 20 })
    await spool.open()
    await spool.append([entry({}, ['a', 'b', 'c'])])
    await spool.append([
      entry({ topic: 'firefront-dlq', reason: 'dlq-capped', deadLetter: { originalTopic: 'fires' } }, ['d']),
    ])
    await spool.close()
    const local = new SegmentSpool<SpooledBatch>({ directory: join(stateDir, 'dead-letter'), maxBytes: 1 << 20 })
    await local.open()
    await local.append([
      entry({ topic: 'firefront-dlq', reason: 'dlq-disabled', deadLetter: { originalTopic: 'alerts' } }, ['e', 'f']),
    ])
    await local.close()
    config = join(dir, 'firefront.yaml')
    writeFileSync(
      config,
      `state_dir: ${stateDir}
kafka: { bootstrap_servers: "127.0.0.1:${await closedPort()}", connection_timeout_ms: 1000, request_timeout_ms: 2000 }
sources:
  firms-viirs: { source_type: nasa_firms, topic: fires, enabled: false }
`,
    )
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lists the spool and the local dead-letter file, says the topic could not be read, and exits 0', async () => {
    const r = await firefront('dlq', config)
    expect(r.stderr).not.toMatch(/Error:|at .*\.js:\d+/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/dead-letter topic firefront-dlq: could not be read \(.+\); showing only what is on disk/)
    expect(r.stdout).toContain('spool: 4 record(s) in 2 batch(es)')
    expect(r.stdout).toMatch(/by reason: unavailable=3, dlq-capped=1/)
    expect(r.stdout).toMatch(/local dead-letter file: 2 record\(s\); by reason: dlq-disabled=2/)
  })

  it('--json carries the same figures and the reason the topic was not read', async () => {
    const r = await firefront('dlq', config, '--json')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as Record<string, unknown>
    expect(report).toMatchObject({
      topic: 'firefront-dlq',
      topicError: expect.any(String),
      total: 0,
      spool: { entries: 2, records: 4, deadLetters: 1, byTopic: { fires: 4 } },
      local: { entries: 1, records: 2, byTopic: { alerts: 2 } },
    })
  })

  it('--replay needs the broker: exit 1 with a message naming the topic', async () => {
    const r = await firefront('dlq', config, '--replay')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/firefront dlq --replay: cannot read the dead-letter topic firefront-dlq: /)
  })
})
