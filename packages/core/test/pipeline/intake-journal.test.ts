// The intake journal inside the runtime: a push source's records are journaled before `emit`
// resolves (so before the connector acknowledges upstream), settled when the sink accounts for
// them, and what a run could not deliver is sent at the next start, dead letters included.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineConnector, defineSink, RetryableError, type SinkBatch, Type } from '@firefront/sdk'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { StreamManager } from '../../src/runtime/stream-manager'
import { configFrom, quietLogger, readOutput, tempDir, until } from './helpers'

/** A push source that emits `count` numbered readings and one malformed message, then waits. */
const sensors = (state: { emitted: number; journalLinesAtEmit: number[]; journal: string }) =>
  defineConnector({
    name: 'sensors',
    version: '1.0.0',
    sourceTypes: ['sensors'],
    configSchema: Type.Object({ count: Type.Integer({ default: 0 }) }),
    create: (config, ctx) => ({
      mode: 'push',
      async subscribe(emit, signal) {
        for (let i = 1; i <= config.count; i++) {
          await emit({ key: `r${i}`, value: { reading: i }, eventTime: '2026-08-01T12:00:00.000Z' })
          // what an MQTT connector would now PUBACK is in the journal file already
          state.journalLinesAtEmit.push(readFileSync(state.journal, 'utf8').split('\n').filter(Boolean).length)
          state.emitted++
        }
        if (config.count > 0) ctx.reject({ reason: 'payload is not JSON', input: '{oops', location: 'tele/x/SENSOR' })
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
      },
    }),
  })

/** A sink that cannot reach its destination: every send fails, as a Kafka outage would. */
const unreachable = defineSink({
  name: 'unreachable',
  version: '1.0.0',
  configSchema: Type.Object({}),
  create: () => ({
    send: async (_batch: SinkBatch) => {
      throw new RetryableError('the destination does not answer')
    },
  }),
})

const configText = (dir: string, sink: string, count: number, journal = '') => `
state_dir: ${dir}/state
enable_dlq: true
shutdown_timeout_seconds: 1
sink: ${sink}
kafka: { batch_size: 10, batch_timeout_seconds: 0.01, retry_backoff_base: 0.01, retry_backoff_max: 0.05 }
sources:
  field:
    source_type: sensors
    topic: readings
    ingestion: { mode: continuous_streaming, buffer_size: 2, buffer_flush_interval_seconds: 0.01 }
    config: { count: ${count} }${journal}
`
const config = (dir: string, sink: string, count: number, journal = '') =>
  configFrom(configText(dir, sink, count, journal))

describe('the intake journal of a push source', () => {
  it('what a run acknowledged and could not deliver is sent at the next start, dead letters included', async () => {
    const dir = tempDir()
    const journal = join(dir, 'state', 'journal', 'field.jsonl')
    const state = { emitted: 0, journalLinesAtEmit: [] as number[], journal }

    // run 1: the destination is away; the stop's deadline passes with every record still unsent
    const first = new StreamManager({
      config: config(dir, '{ type: unreachable }', 6),
      logger: quietLogger(),
      plugins: [sensors(state), unreachable],
    })
    const firstId = await first.startStream('field')
    await until(() => state.emitted === 6, 'six readings emitted')
    await until(async () => (await first.getMetrics()).streams[firstId]?.journal?.pending === 7, '7 journaled')
    await first.stop()
    expect(state.journalLinesAtEmit).toEqual([1, 2, 3, 4, 5, 6])
    expect(readFileSync(journal, 'utf8').trim().split('\n')).toHaveLength(7)
    const firstLines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { at?: string })

    // run 2: the destination is back; the source emits nothing new
    const second = new StreamManager({
      config: config(dir, `{ type: file, config: { directory: ${dir}/out } }`, 0),
      logger: quietLogger(),
      plugins: [sensors(state), unreachable],
    })
    const secondId = await second.startStream('field')
    await until(async () => (await second.getMetrics()).streams[secondId]?.journal?.pending === 0, 'all settled')
    const metrics = (await second.getMetrics()).streams[secondId]!
    await second.stop()

    const out = readOutput(join(dir, 'out'))
    const readings = out.get('readings') ?? []
    expect(readings.map((r) => r.key)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'])
    // ingested at the first run's emit time, not the replay's
    expect(readings[0]!.ingestedAt).toBe(firstLines[0]!.at)
    expect(out.get('firefront-dlq')?.map((r) => (r.value as { input: string }).input)).toEqual(['{oops'])
    // the rejected input's dead letter is a record sent to the dead-letter topic
    expect(metrics.records).toMatchObject({ replayed: 7, fetched: 6, rejected: 1, sent: 7 })
    expect(metrics.journal).toMatchObject({ pending: 0, recovered: 7 })
    // nothing left for a third run
    expect(readFileSync(journal, 'utf8')).toBe('')
  })

  it('a journal left with entries by a source that does not run now is named at start', async () => {
    const dir = tempDir()
    const journal = join(dir, 'state', 'journal', 'field.jsonl')
    const state = { emitted: 0, journalLinesAtEmit: [] as number[], journal }
    const first = new StreamManager({
      config: config(dir, '{ type: unreachable }', 2),
      logger: quietLogger(),
      plugins: [sensors(state), unreachable],
    })
    await first.startStream('field')
    await until(() => state.emitted === 2, 'two readings emitted')
    await first.stop()
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) })
    const disabled = configFrom(
      `${configText(dir, `{ type: file, config: { directory: ${dir}/out } }`, 0)}    enabled: false\n`,
    )
    const second = new StreamManager({ config: disabled, logger, plugins: [sensors(state), unreachable] })
    await second.start()
    await second.startAll()
    await second.stop()
    const warning = lines
      .map((l) => JSON.parse(l) as { msg: string; source?: string; file?: string })
      .find((l) => l.source === 'field')
    expect(warning?.msg).toMatch(/intake journal of source field, which does not run now/)
    expect(warning?.file).toBe(journal)
  })

  it('journal.enabled: false writes no journal', async () => {
    const dir = tempDir()
    const state = { emitted: 0, journalLinesAtEmit: [] as number[], journal: '' }
    const quiet = defineConnector({
      name: 'sensors',
      version: '1.0.0',
      sourceTypes: ['sensors'],
      configSchema: Type.Object({ count: Type.Integer({ default: 0 }) }),
      create: (c) => ({
        mode: 'push',
        async subscribe(emit, signal) {
          for (let i = 1; i <= c.count; i++) {
            await emit({ key: `r${i}`, value: i })
            state.emitted++
          }
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
        },
      }),
    })
    const manager = new StreamManager({
      config: config(dir, `{ type: file, config: { directory: ${dir}/out } }`, 3, '\n    journal: { enabled: false }'),
      logger: quietLogger(),
      plugins: [quiet],
    })
    const id = await manager.startStream('field')
    await until(() => state.emitted === 3, 'three readings')
    expect((await manager.getMetrics()).streams[id]?.journal).toBeNull()
    await manager.stop()
    expect(readOutput(join(dir, 'out')).get('readings')).toHaveLength(3)
    expect(existsSync(join(dir, 'state', 'journal'))).toBe(false)
  })
})
