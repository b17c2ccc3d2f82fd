/**
 * `delivery: exactly_once` against the real broker: a poll's records, its dead letters and its
 * cursor in one transaction; what a read_committed reader sees; fencing of an older writer; and a
 * `firefront run` SIGKILLed mid-stream and run again, counted key by key with kcat.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SinkRecord } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { KafkaCursorStore } from '../../src/kafka/cursor-store'
import { StreamManager } from '../../src/runtime/stream-manager'
import { createKafkaSink, type KafkaSinkInstance, resolveKafkaSinkConfig } from '../../src/sinks/kafka'
import { configFrom, quietLogger, sequenceConnector, tempDir } from '../pipeline/helpers'
import { BACKENDS as CLIENTS } from './clients'
import { uniqueTopic } from './kcat'

const brokers = inject('kafkaBrokers')
const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const cliJs = join(repo, 'packages/core/dist/cli.js')
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

interface Seen {
  key: string
  value: string
  headers: Record<string, string>
}

/** The topic as a consumer with the given isolation level sees it (kcat: librdkafka, another client). */
function consume(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Seen[] {
  const out = spawnSync(
    'kcat',
    ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-J', '-X', `isolation.level=${isolation}`],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 },
  )
  // a topic not created yet holds nothing
  if (out.status !== 0 && /Unknown topic or partition/.test(out.stderr)) return []
  if (out.status !== 0) throw new Error(`kcat exited with ${out.status}: ${out.stderr}`)
  return out.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const j = JSON.parse(l) as { key: string; payload: string; headers?: string[] }
      const headers: Record<string, string> = {}
      for (let i = 0; i + 1 < (j.headers ?? []).length; i += 2) headers[j.headers![i]!] = j.headers![i + 1]!
      return { key: j.key, value: j.payload, headers }
    })
}

const counts = (seen: readonly Seen[]): Map<string, number> => {
  const m = new Map<string, number>()
  for (const s of seen) m.set(s.key, (m.get(s.key) ?? 0) + 1)
  return m
}

for (const { client, missing } of CLIENTS) {
  describe.skipIf(missing !== undefined)(
    `delivery: exactly_once (real broker) — kafka.client ${client}${missing ? ` (skipped: ${missing})` : ''}`,
    () => {
      it('writes each poll, its dead letters and its cursor in one transaction; read_committed sees each record once', async () => {
        const dir = tempDir()
        dirs.push(dir)
        const topic = uniqueTopic('ff-eos')
        const dlq = uniqueTopic('ff-eos-dlq')
        const cursors = uniqueTopic('ff-eos-cursors')
        const config = configFrom(`state_dir: ${dir}/state
delivery: exactly_once
kafka: { bootstrap_servers: "${brokers}", client: ${client}, client_id: eos-${randomUUID().slice(0, 8)}, topics: { partitions: 3 } }
cursors: { store: kafka, topic: ${cursors} }
dlq: { topic: ${dlq} }
sources:
  seq: { source_type: sequence, topic: ${topic}, rate_limit_per_minute: 600000, ingestion: { mode: batch, max_pages_per_cycle: 100 }, config: { total: 200, per_poll: 25, reject_every: 50 } }
`)
        const manager = new StreamManager({ config, logger: quietLogger(), plugins: [sequenceConnector] })
        await manager.runOnce()
        const metrics = (await manager.getMetrics()) as unknown as {
          producer: Record<string, number>
          streams: Record<string, { records: Record<string, number> }>
        }
        await manager.stop()

        const seen = consume(topic, 'read_committed')
        const expected = Array.from({ length: 200 }, (_, n) => n).filter((n) => (n + 1) % 50 !== 0)
        expect(seen).toHaveLength(expected.length)
        expect([...counts(seen).keys()].sort()).toEqual(expected.map((n) => `seq-${n}`).sort())
        // rejected inputs became dead letters inside the same transactions
        const dead = consume(dlq, 'read_committed')
        expect(dead.map((d) => d.headers['firefront.error']).sort()).toEqual(
          [49, 99, 149, 199].map((n) => `number ${n} is malformed`).sort(),
        )
        // one transaction per poll (8 polls of 25), each with the cursor after it
        expect(metrics.producer).toMatchObject({
          transactions_committed: 8,
          transactions_aborted: 0,
          transactions_fenced: 0,
        })
        // the rejected inputs' dead letters are sent to the dead-letter topic: counted as sent, as with at_least_once
        expect(Object.values(metrics.streams)[0]!.records).toMatchObject({
          fetched: expected.length,
          rejected: 4,
          sent: expected.length + 4,
          cursor_commits: 8,
        })
        const store = await KafkaCursorStore.open(
          configFrom(
            `kafka: { bootstrap_servers: "${brokers}", client: ${client} }\ncursors: { store: kafka, topic: ${cursors} }\n`,
          ),
        )
        expect(store.get('seq')).toMatchObject({ cursor: 200, records: 200 })
        await store.close()
      })

      it('a newer writer of a source fences the older one: its write fails with ERR_FENCED and nothing of it is visible', async () => {
        const topic = uniqueTopic('ff-eos-fence')
        const transactionalId = `fence-${randomUUID().slice(0, 8)}.src`
        const sinks: KafkaSinkInstance[] = []
        const open = async () => {
          const dir = tempDir()
          dirs.push(dir)
          const sink = createKafkaSink(
            resolveKafkaSinkConfig({
              state_dir: dir,
              kafka: { bootstrap_servers: brokers, client, retry_backoff_base: 0.1 },
            }),
            createFakeContext({ id: 'sink:kafka#eos' }).ctx,
          )
          await sink.start?.()
          sinks.push(sink)
          return sink
        }
        const rec = (n: number): SinkRecord => ({
          key: `k${n}`,
          value: { n },
          sourceId: 'src',
          sourceType: 'test',
          priority: 'normal',
          ingestedAt: new Date().toISOString(),
        })
        const request = (from: number) => ({
          sourceId: 'src',
          sourceType: 'test',
          transactionalId,
          parts: [{ topic, records: [rec(from), rec(from + 1)] }],
          extra: [],
        })
        try {
          const older = await open()
          expect((await older.writeTransaction(request(0))).parts).toEqual([
            { delivered: 2, deadLettered: 0, spooled: 0 },
          ])
          const newer = await open()
          await newer.writeTransaction(request(10))
          await expect(older.writeTransaction(request(20))).rejects.toMatchObject({
            code: 'ERR_FENCED',
            message: expect.stringContaining(transactionalId),
          })
          expect(older.metrics()).toMatchObject({ transactions_fenced: 1, transactions_committed: 1 })
          await newer.writeTransaction(request(30))
          expect(
            consume(topic, 'read_committed')
              .map((s) => s.key)
              .sort(),
          ).toEqual(['k0', 'k1', 'k10', 'k11', 'k30', 'k31'])
        } finally {
          for (const s of sinks) await s.close?.()
        }
      })

      it('`firefront run` SIGKILLed mid-stream and run again: every record exactly once to read_committed', async () => {
        const dir = tempDir('firefront-eos-kill-')
        dirs.push(dir)
        mkdirSync(join(dir, 'node_modules', '@firefront'), { recursive: true })
        symlinkSync(join(repo, 'packages/sdk'), join(dir, 'node_modules', '@firefront', 'sdk'))
        writeFileSync(
          join(dir, 'numbers.mjs'),
          `import { defineConnector, Type } from '@firefront/sdk'
export default defineConnector({
  name: 'numbers', version: '1.0.0', sourceTypes: ['numbers'],
  configSchema: Type.Object({ total: Type.Integer(), page: Type.Integer(), delay_ms: Type.Integer() }),
  create: (config) => ({
    mode: 'pull',
    async poll({ cursor }) {
      await new Promise((r) => setTimeout(r, config.delay_ms))
      const from = typeof cursor === 'number' ? cursor : 0
      const until = Math.min(config.total, from + config.page)
      const records = []
      for (let n = from; n < until; n++) records.push({ key: String(n), value: { n } })
      return { records, cursor: until, hasMore: until < config.total }
    },
  }),
})
`,
        )
        const topic = uniqueTopic('ff-eos-kill')
        writeFileSync(
          join(dir, 'f.yaml'),
          `plugins: [./numbers.mjs]
delivery: exactly_once
kafka: { bootstrap_servers: "${brokers}", client: ${client}, client_id: kill-${randomUUID().slice(0, 8)} }
cursors: { store: kafka, topic: ${uniqueTopic('ff-eos-kill-cursors')} }
sources:
  numbers: { source_type: numbers, topic: ${topic}, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, ingestion: { mode: batch, max_pages_per_cycle: 10000 }, config: { total: 3000, page: 20, delay_ms: 100 } }
`,
        )
        const first = spawn(process.execPath, [cliJs, 'run', 'f.yaml', '--once'], { cwd: dir })
        let err = ''
        first.stderr.on('data', (d: Buffer) => (err += d.toString()))
        // kill once 400 records are committed (kcat returns after reading that many), well before the end
        let waited = spawnSync('true', { encoding: 'utf8' })
        for (let i = 0; i < 100; i++) {
          waited = spawnSync(
            'kcat',
            [
              '-C',
              '-b',
              brokers,
              '-t',
              topic,
              '-o',
              'beginning',
              '-c',
              '400',
              '-q',
              '-X',
              'isolation.level=read_committed',
            ],
            { encoding: 'utf8', timeout: 60_000 },
          )
          // the topic is created with the first transaction
          if (waited.status === 0 || !/Unknown topic/.test(waited.stderr)) break
          await new Promise((r) => setTimeout(r, 100))
        }
        expect(waited.status, waited.stderr).toBe(0)
        first.kill('SIGKILL')
        await new Promise((r) => first.on('exit', r))
        const before = consume(topic, 'read_committed').length
        expect(before, err).toBeGreaterThanOrEqual(400)
        expect(before).toBeLessThan(3000)

        const second = spawn(process.execPath, [cliJs, 'run', 'f.yaml', '--once'], { cwd: dir })
        let err2 = ''
        second.stderr.on('data', (d: Buffer) => (err2 += d.toString()))
        const code = await new Promise<number | null>((r) => second.on('exit', (c) => r(c)))
        expect(code, err2).toBe(0)

        const seen = counts(consume(topic, 'read_committed'))
        const missing = Array.from({ length: 3000 }, (_, n) => String(n)).filter((k) => !seen.has(k))
        const duplicated = [...seen].filter(([, c]) => c > 1).map(([k]) => k)
        expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] })
        expect(seen.size).toBe(3000)
      }, 120_000)
    },
  )
}
