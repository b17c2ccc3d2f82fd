// `firefront run --watch` against a real broker: the config file changes mid-stream; only the
// source whose block changed restarts, after its queued records are delivered, from its cursor;
// a new file that does not validate is refused while the running one goes on; SIGHUP reloads too.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { readTopic } from '../kafka/kcat'
import { tempDir } from '../pipeline/helpers'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const cliJs = join(repo, 'packages/core/dist/cli.js')
const brokers = process.env.KAFKA_BROKERS ?? inject('kafkaBrokers')
const dirs: string[] = []
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** A project whose counter connector emits `page` numbered records per poll, labelled. */
function project(): string {
  const dir = tempDir('firefront-reload-')
  dirs.push(dir)
  mkdirSync(join(dir, 'node_modules', '@firefront'), { recursive: true })
  symlinkSync(join(repo, 'packages/sdk'), join(dir, 'node_modules', '@firefront', 'sdk'))
  writeFileSync(
    join(dir, 'counter.mjs'),
    `import { defineConnector, Type } from '@firefront/sdk'
export default defineConnector({
  name: 'counter', version: '1.0.0', sourceTypes: ['counter'],
  configSchema: Type.Object({ label: Type.String(), page: Type.Integer({ default: 5 }) }, { additionalProperties: false }),
  create: (config) => ({
    mode: 'pull',
    async poll({ cursor }) {
      const from = typeof cursor === 'number' ? cursor : 0
      const records = []
      for (let n = from; n < from + config.page; n++) records.push({ key: String(n), value: { n, label: config.label } })
      return { records, cursor: from + config.page }
    },
  }),
})
`,
  )
  return dir
}

const config = (topics: { a: string; b: string }, labelB: string, modeB = 'real_time') => `plugins: [./counter.mjs]
state_dir: state
kafka: { bootstrap_servers: "${brokers}", batch_size: 50, batch_timeout_seconds: 0.05 }
sources:
  a: { source_type: counter, topic: ${topics.a}, rate_limit_per_minute: 600000, ingestion: { mode: real_time, polling_interval_seconds: 0.3 }, config: { label: a1 } }
  b: { source_type: counter, topic: ${topics.b}, rate_limit_per_minute: 600000, ingestion: { mode: ${modeB}, polling_interval_seconds: 0.3 }, config: { label: ${labelB} } }
`

type Counted = { n: number; label: string }
/** What the topic holds; nothing while it does not exist yet. */
const values = (topic: string): Counted[] => {
  try {
    return readTopic(brokers, topic).map((m) => JSON.parse(m.value) as Counted)
  } catch (err) {
    if (/Unknown topic/.test((err as Error).message)) return []
    throw err
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = probe()
    if (found !== undefined && found !== false) return found
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

describe('firefront run --watch with a real broker', () => {
  it('restarts only the changed source from its cursor, refuses an invalid file, reloads on SIGHUP', async () => {
    const dir = project()
    const id = randomUUID().slice(0, 8)
    const topics = { a: `reload-${id}-a`, b: `reload-${id}-b` }
    const file = join(dir, 'firefront.yaml')
    writeFileSync(file, config(topics, 'b1'))
    const child = spawn(process.execPath, [cliJs, 'run', 'firefront.yaml', '--watch', '--progress', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let out = ''
    let err = ''
    child.stdout?.on('data', (d) => {
      out += String(d)
    })
    child.stderr?.on('data', (d) => {
      err += String(d)
    })
    const logs = () =>
      `${out}${err}`
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; source?: string; restarted?: string[]; problems?: string[] })

    await until('both sources to deliver', () => values(topics.a).length >= 10 && values(topics.b).length >= 10)

    // mid-stream, b's block changes
    writeFileSync(file, config(topics, 'b2'))
    const reloaded = await until('the reload', () => logs().find((l) => l.msg.startsWith('config reloaded')))
    expect(reloaded.restarted).toEqual(['b'])
    await until('b2 records', () => values(topics.b).some((v) => v.label === 'b2'))

    // a file that does not validate: refused with its error, the running config goes on
    writeFileSync(file, config(topics, 'b3', 'no_such_mode'))
    await until('the refusal', () => err.includes('reload refused'))
    expect(err).toMatch(/reload refused, firefront\.yaml is invalid \(1 problem\); the running configuration goes on/)
    expect(err).toMatch(/sources\.b\.ingestion\.mode/)
    const before = values(topics.b).length
    await until('b to go on after the refusal', () => values(topics.b).length > before + 5)
    expect(values(topics.b).some((v) => v.label === 'b3')).toBe(false)

    // SIGHUP re-reads the file: a valid b4 without --watch's help (the watch sees it too; one reload applies it)
    writeFileSync(file, config(topics, 'b4'))
    child.kill('SIGHUP')
    await until('b4 records', () => values(topics.b).some((v) => v.label === 'b4'))

    child.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(0)

    // a never restarted; b restarted once per accepted reload
    const started = logs().filter((l) => l.msg === 'stream started')
    expect(started.filter((l) => l.source === 'a')).toHaveLength(1)
    expect(started.filter((l) => l.source === 'b').length).toBeGreaterThanOrEqual(3)
    // b's cursor was kept across restarts: every number once, the labels in order, none from 0 again
    const b = values(topics.b)
    const ns = b.map((v) => v.n).sort((x, y) => x - y)
    expect(ns).toEqual(ns.map((_, i) => i))
    const firstOf = (label: string) => Math.min(...b.filter((v) => v.label === label).map((v) => v.n))
    const lastOf = (label: string) => Math.max(...b.filter((v) => v.label === label).map((v) => v.n))
    expect(firstOf('b2')).toBe(lastOf('b1') + 1)
    expect(firstOf('b4')).toBe(lastOf('b2') + 1)
    // a ran on untouched: one label, every number once
    const a = values(topics.a)
      .map((v) => v.n)
      .sort((x, y) => x - y)
    expect(a).toEqual(a.map((_, i) => i))
  }, 180_000)
})
