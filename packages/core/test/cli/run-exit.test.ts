// `firefront run` as an operator sees it: the exit code says how the run ended, the summary's
// figures are what the sink acknowledged, and `--once` stops gracefully on SIGTERM.
import { execFile, spawn } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { tempDir } from '../pipeline/helpers'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const cliJs = join(repo, 'packages/core/dist/cli.js')
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** A project folder whose plugins can import @firefront/sdk. */
function project(): string {
  const dir = tempDir('firefront-run-exit-')
  dirs.push(dir)
  mkdirSync(join(dir, 'node_modules', '@firefront'), { recursive: true })
  symlinkSync(join(repo, 'packages/sdk'), join(dir, 'node_modules', '@firefront', 'sdk'))
  // numbers: `total` records in pages of `page`, each poll waiting `delay_ms` (aborted on stop);
  // `refuse: true` makes the remote refuse the configuration; `skip_odd: true` leaves odd numbers
  // out through ctx.skip.
  writeFileSync(
    join(dir, 'numbers.mjs'),
    `import { ConnectorConfigError, defineConnector, Type } from '@firefront/sdk'
export default defineConnector({
  name: 'numbers', version: '1.0.0', sourceTypes: ['numbers'],
  configSchema: Type.Object({ total: Type.Integer({ default: 10 }), page: Type.Integer({ default: 10 }), delay_ms: Type.Integer({ default: 0 }), refuse: Type.Boolean({ default: false }), skip_odd: Type.Boolean({ default: false }) }),
  create: (config, ctx) => ({
    mode: 'pull',
    async poll({ cursor, signal }) {
      if (config.refuse) throw new ConnectorConfigError('Invalid MAP_KEY.')
      if (config.delay_ms > 0) await new Promise((resolve, reject) => {
        const t = setTimeout(resolve, config.delay_ms)
        signal.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason) }, { once: true })
      })
      const from = typeof cursor === 'number' ? cursor : 0
      const until = Math.min(config.total, from + config.page)
      const records = []
      for (let n = from; n < until; n++) {
        if (config.skip_odd && n % 2 === 1) ctx.skip?.('odd')
        else records.push({ key: String(n), value: { n } })
      }
      return { records, cursor: until, hasMore: until < config.total }
    },
  }),
})
`,
  )
  return dir
}

interface Result {
  code: number
  out: string
  err: string
}

function firefront(cwd: string, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliJs, ...args], { cwd, timeout: 90_000 }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err })
    })
  })
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

const source = (id: string, config: string, topic = `t-${id}`) =>
  `  ${id}: { source_type: numbers, topic: ${topic}, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, ingestion: { mode: batch }, config: ${config} }`

describe('firefront run: exit codes and the summary', () => {
  it('every stream failed: exit 1, with a summary naming the failure', async () => {
    const dir = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      `plugins: [./numbers.mjs]\nsink: { type: file }\nsources:\n${source('a', '{ refuse: true }')}\n`,
    )
    const r = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/a \(numbers, failed\): fetched 0, sent 0.*last error: Invalid MAP_KEY\./)
    expect(r.out).toContain('exit 1: a stream failed')
  })

  it('--source naming no configured source: exit 2, the message without a stack trace', async () => {
    const dir = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      `plugins: [./numbers.mjs]\nsink: { type: file }\nsources:\n${source('a', '{ total: 1 }')}\n`,
    )
    const r = await firefront(dir, 'run', 'f.yaml', '--once', '--source', 'nope')
    expect(r.code).toBe(2)
    expect(r.err).toContain('firefront run: Source not configured: nope')
    expect(r.err).not.toMatch(/\n\s+at /)
  })

  it('inputs a connector skips on purpose are counted by reason in the summary', async () => {
    const dir = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      `plugins: [./numbers.mjs]\nsink: { type: file }\nsources:\n${source('a', '{ total: 10, skip_odd: true }')}\n`,
    )
    const r = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/a \(numbers, stopped\): fetched 5, sent 5, .*rejected inputs 0, skipped 5 \(odd=5\)/)
  })

  it('all delivered: exit 0, the summary counts what the sink acknowledged per topic', async () => {
    const dir = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      `plugins: [./numbers.mjs]\nsink: { type: file }\nsources:\n${source('a', '{ total: 25, page: 10 }')}\n${source('b', '{ total: 5 }')}\n`,
    )
    const r = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('delivered to topics: t-a=25, t-b=5')
    expect(r.out).toContain('total: fetched 30, rejected inputs 0, sent 30,')
  })

  it('broker down at start: nothing claimed as delivered, exit 3 with the spool named; the next run replays it and says so', async () => {
    const dir = project()
    const down = await closedPort()
    const yaml = (brokers: string) =>
      `plugins: [./numbers.mjs]\nkafka: { bootstrap_servers: '${brokers}', retry_backoff_max: 1 }\nshutdown_timeout_seconds: 20\nsources:\n${source('a', '{ total: 40, page: 40 }', `exit-${down}`)}\n`
    writeFileSync(join(dir, 'f.yaml'), yaml(`127.0.0.1:${down}`))
    const first = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(first.out).toContain('delivered to topics: (none)')
    expect(first.out).toMatch(/a \(numbers, stopped\): fetched 40, sent 0, dead-lettered 0, spooled 40/)
    expect(first.out).toMatch(/left in the spool \(delivered at the next start\): \d+ batch/)
    expect(first.code).toBe(3)

    writeFileSync(join(dir, 'f.yaml'), yaml(inject('kafkaBrokers')))
    const second = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(second.code, second.out + second.err).toBe(0)
    expect(second.out).toContain('replayed from the spool of an earlier run: 40')
    // the cursor was committed when the records were spooled: nothing is fetched twice
    expect(second.out).toMatch(/a \(numbers, stopped\): fetched 0/)
  }, 120_000)

  it('--once stops gracefully on SIGTERM: no exit 143, the summary printed, the cursor committed for what was sent', async () => {
    const dir = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      `plugins: [./numbers.mjs]\nsink: { type: file }\nshutdown_timeout_seconds: 4\nsources:\n${source('slow', '{ total: 100, page: 10, delay_ms: 400 }')}\n`,
    )
    const child = spawn(process.execPath, [cliJs, 'run', 'f.yaml', '--once'], { cwd: dir })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    for (let i = 0; i < 100 && !err.includes('stream started'); i++) await new Promise((r) => setTimeout(r, 100))
    await new Promise((r) => setTimeout(r, 1000))
    const started = Date.now()
    child.kill('SIGTERM')
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
    expect(Date.now() - started).toBeLessThan(8000)
    expect(code, err).toBe(0)
    expect(out).toContain('summary')
    const m = /slow \(numbers, stopped\): fetched (\d+), sent (\d+)/.exec(out)
    expect(m).not.toBeNull()
    const [fetched, sent] = [Number(m![1]), Number(m![2])]
    expect(fetched).toBeGreaterThan(0)
    expect(fetched).toBeLessThan(100)
    expect(sent).toBe(fetched)
    const cursors = await firefront(dir, 'cursors', 'f.yaml')
    expect(cursors.out).toContain(String(sent))
  }, 60_000)

  it('without a terminal, a continuous run logs its progress every --progress seconds', async () => {
    const dir = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      `plugins: [./numbers.mjs]\nsink: { type: file }\nsources:\n  live: { source_type: numbers, topic: t, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, ingestion: { mode: real_time, polling_interval_seconds: 0.2 }, config: { total: 1000, page: 5 } }\n`,
    )
    const child = spawn(process.execPath, [cliJs, 'run', 'f.yaml', '--progress', '1'], { cwd: dir })
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    for (let i = 0; i < 100 && (err.match(/progress: in/g) ?? []).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    child.kill('SIGTERM')
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
    expect(code).toBe(0)
    const lines = err.split('\n').filter((l) => l.includes('progress: in'))
    expect(lines.length).toBeGreaterThanOrEqual(2)
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, fetched: expect.any(Number), sent: expect.any(Number) })
  }, 30_000)

  it('a second process on the same state_dir is refused, naming the first; after it stops, a run goes ahead', async () => {
    const dir = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      `plugins: [./numbers.mjs]\nsink: { type: file }\nsources:\n  live: { source_type: numbers, topic: t, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, ingestion: { mode: real_time, polling_interval_seconds: 0.2 }, config: { total: 1000, page: 5 } }\n`,
    )
    const first = spawn(process.execPath, [cliJs, 'run', 'f.yaml'], { cwd: dir })
    let err = ''
    first.stderr.on('data', (d: Buffer) => (err += d.toString()))
    for (let i = 0; i < 100 && !err.includes('stream started'); i++) await new Promise((r) => setTimeout(r, 100))
    const second = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(second.code).toBe(1)
    expect(second.err).toContain(`is in use by process ${first.pid} on `)
    expect(second.out).toContain('no stream ran')
    first.kill('SIGTERM')
    expect(await new Promise<number | null>((r) => first.on('exit', (c) => r(c)))).toBe(0)
    const third = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(third.code, third.err).toBe(0)
  }, 30_000)
})
