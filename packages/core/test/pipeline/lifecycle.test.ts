import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  defineConnector,
  defineIngestionMode,
  defineSink,
  defineThrottlePolicy,
  defineTopicResolver,
  type ModeExit,
  type SinkBatch,
  Type,
} from '@firefront/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { StreamManager } from '../../src/runtime/stream-manager'
import { configFrom, quietLogger, readOutput, sequenceConnector, tempDir, until } from './helpers'

/** What the test plugins did, in order. */
let calls: string[] = []
let dirs: string[] = []
afterEach(() => {
  calls = []
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
  dirs = []
})
const dir = () => {
  const d = tempDir('firefront-lifecycle-')
  dirs.push(d)
  return d
}

const recordingThrottle = defineThrottlePolicy({
  name: 'recording',
  version: '1.0.0',
  configSchema: Type.Object({}, { additionalProperties: true }),
  create: () => ({
    start: async () => void calls.push('throttle:start'),
    close: async () => void calls.push('throttle:close'),
    check: async () => ({ action: 'allow', delayMs: 0 }),
    metrics: () => ({}),
  }),
})

const scriptedSink = defineSink({
  name: 'scripted',
  version: '1.0.0',
  configSchema: Type.Object({
    fail_start: Type.Boolean({ default: false }),
    fail_close: Type.Boolean({ default: false }),
    tag: Type.Boolean({ default: false }),
  }),
  create: (config) => {
    const sent: SinkBatch[] = []
    return {
      start: async () => {
        calls.push('sink:start')
        if (config.fail_start) throw new Error('no route to the sink')
      },
      close: async () => {
        calls.push('sink:close')
        if (config.fail_close) throw new Error('the sink would not close')
      },
      send: async (batch) => {
        sent.push(batch)
        calls.push(`sink:send:${batch.records.map((r) => JSON.stringify(r.value)).join(',')}`)
        return { delivered: batch.records.length, deadLettered: 0, spooled: 0 }
      },
      ...(config.tag
        ? {
            hooks: {
              name: 'sink-tag',
              beforeSend: (batch: SinkBatch) => ({
                ...batch,
                records: batch.records.map((r) => ({ ...r, headers: { ...r.headers, 'x-sink': 'yes' } })),
              }),
            },
          }
        : {}),
    }
  },
})

const trackingResolver = defineTopicResolver({
  name: 'tracking',
  version: '1.0.0',
  configSchema: Type.Object({ fail_start: Type.Boolean({ default: false }) }),
  create: (config) => ({
    start: async () => {
      calls.push('resolver:start')
      if (config.fail_start) throw new Error('resolver table missing')
    },
    close: async () => void calls.push('resolver:close'),
    resolve: () => undefined,
  }),
})

const base = (d: string, extra: string, sources = '') => `
state_dir: ${d}/state
kafka: { batch_size: 50, batch_timeout_seconds: 0.02 }
throttling: { enabled: true, policy: recording }
topic_resolvers: [{ name: tracking, config: {} }]
${extra}
sources:
${sources || '  s: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t, ingestion: { mode: batch }, config: { total: 3, per_poll: 3 } }'}
`

const plugins = [recordingThrottle, scriptedSink, trackingResolver, sequenceConnector]

describe('lifecycle: one ordered start, reverse stop, nothing swallowed', () => {
  it('a sink that fails to start stops what started before it (throttle, cursor store, state lock), naming the sink', async () => {
    const d = dir()
    const config = configFrom(base(d, 'sink: { type: scripted, config: { fail_start: true } }'))
    const manager = new StreamManager({ config, logger: quietLogger(), plugins })
    await expect(manager.start()).rejects.toThrow(/sink:scripted failed to start: no route to the sink/)
    // the throttle was closed; the resolvers (after the sink) never started
    expect(calls).toEqual(['throttle:start', 'sink:start', 'sink:close', 'throttle:close'])
    // the state lock was released: another manager can take the folder
    const next = new StreamManager({
      config: configFrom(base(d, 'sink: { type: scripted, config: {} }')),
      logger: quietLogger(),
      plugins,
    })
    await next.start()
    await next.stop()
  })

  it('a resolver that fails to start is closed, then the sink and the throttle, in reverse', async () => {
    const d = dir()
    const text = base(d, 'sink: { type: scripted, config: {} }').replace(
      'config: {} }]',
      'config: { fail_start: true } }]',
    )
    const manager = new StreamManager({ config: configFrom(text), logger: quietLogger(), plugins })
    await expect(manager.start()).rejects.toThrow(/topic-resolver:tracking failed to start: resolver table missing/)
    expect(calls).toEqual([
      'throttle:start',
      'sink:start',
      'resolver:start',
      'resolver:close',
      'sink:close',
      'throttle:close',
    ])
  })

  it('topic resolvers are started and closed; a part that fails to stop is reported and the rest still stop', async () => {
    const d = dir()
    const config = configFrom(base(d, 'sink: { type: scripted, config: { fail_close: true } }'))
    const manager = new StreamManager({ config, logger: quietLogger(), plugins })
    const errors: string[] = []
    manager.events.on('error', (e) => errors.push(e.message))
    await manager.runOnce()
    const report = await manager.stop()
    expect(calls.filter((c) => !c.startsWith('sink:send'))).toEqual([
      'throttle:start',
      'sink:start',
      'resolver:start',
      'resolver:close',
      'sink:close',
      'throttle:close',
    ])
    expect(report.failures.map((f) => f.error.message)).toEqual([
      'sink:scripted failed to stop: the sink would not close',
    ])
    expect(errors).toContain('sink:scripted failed to stop: the sink would not close')
  })

  it('a second manager on one state_dir is refused, naming the holder; a dead holder does not block', async () => {
    const d = dir()
    const config = configFrom(base(d, 'sink: { type: scripted, config: {} }'))
    const first = new StreamManager({ config, logger: quietLogger(), plugins, configFile: 'first.yaml' })
    await first.start()
    const second = new StreamManager({ config, logger: quietLogger(), plugins })
    await expect(second.start()).rejects.toMatchObject({
      code: 'ERR_STATE_LOCKED',
      message: expect.stringMatching(new RegExp(`in use by process ${process.pid} .*first\\.yaml`)),
    })
    await first.stop()
    // a crashed holder: a lock file whose process is gone
    writeFileSync(
      join(d, 'state', 'firefront.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: 'then' }),
    )
    const third = new StreamManager({ config, logger: quietLogger(), plugins })
    await third.start()
    await third.stop()
  })
})

describe('built-ins use the public contract only', () => {
  /** A third-party mode: one cycle, then it ends its stream through the SDK's `done()`. */
  const oneShotMode = defineIngestionMode({
    name: 'one-shot',
    version: '1.0.0',
    configSchema: Type.Object({ fail: Type.Boolean({ default: false }) }, { additionalProperties: true }),
    create: (config) => {
      let resolveDone!: (exit: ModeExit) => void
      const done = new Promise<ModeExit>((r) => {
        resolveDone = r
      })
      let cycles = 0
      const once = async (
        source: Parameters<import('@firefront/sdk').IngestionModeInstance['runOnce']>[0],
        process: Parameters<import('@firefront/sdk').IngestionModeInstance['runOnce']>[1],
      ) => {
        if (source.kind !== 'pull') throw new Error('pull only')
        const page = await source.fetch(new AbortController().signal)
        await process(page.records, page.cursor)
        cycles++
      }
      return {
        start: async (source, process) => {
          void once(source, process).then(() =>
            resolveDone(
              config.fail ? { reason: 'fatal', error: new Error('the schedule broke') } : { reason: 'ended' },
            ),
          )
        },
        runOnce: once,
        stop: async () => resolveDone({ reason: 'stopped' }),
        done: () => done,
        metrics: () => ({
          mode: 'one-shot',
          running: false,
          recordsProcessed: 0,
          errors: 0,
          cycles,
          runtimeSeconds: 0,
          lastSuccess: null,
          lastError: null,
        }),
      }
    },
  })

  it('a third-party ingestion mode ends its stream (ended → stopped, fatal → failed with the error)', async () => {
    const d = dir()
    const sources = `  ok: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t, ingestion: { mode: one-shot }, config: { total: 2, per_poll: 2 } }
  bad: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t, ingestion: { mode: one-shot, fail: true }, config: { total: 2, per_poll: 2 } }`
    const config = configFrom(base(d, 'sink: { type: scripted, config: {} }', sources), ['one-shot'])
    const manager = new StreamManager({ config, logger: quietLogger(), plugins: [...plugins, oneShotMode] })
    const stopped: Array<{ sourceId: string; reason: string; error?: string }> = []
    manager.events.on('stream:stopped', (e) =>
      stopped.push({ sourceId: e.sourceId, reason: e.reason, ...(e.error ? { error: e.error.message } : {}) }),
    )
    await manager.startAll()
    // the mode ends its stream after one cycle: nothing here waits on time
    await until(() => stopped.length === 2, 'both streams to end')
    expect(stopped).toHaveLength(2)
    expect(stopped).toContainEqual({ sourceId: 'ok', reason: 'ended' })
    expect(stopped).toContainEqual({ sourceId: 'bad', reason: 'failed', error: 'the schedule broke' })
    const status = Object.fromEntries(manager.listStreams().map((s) => [s.sourceId, s.status]))
    expect(status).toEqual({ ok: 'stopped', bad: 'failed' })
    await manager.stop()
  })

  it("send hooks carried by plugin instances apply: a sink's to every batch, a connector's to its own source", async () => {
    const hooked = defineConnector({
      name: 'hooked',
      version: '1.0.0',
      sourceTypes: ['hooked'],
      configSchema: Type.Object({}),
      create: () => ({
        mode: 'pull',
        poll: async ({ cursor }) => (cursor ? { records: [] } : { records: [{ value: 'h' }], cursor: 1 }),
        hooks: {
          name: 'upper',
          beforeSend: (batch) => ({
            ...batch,
            records: batch.records.map((r) => ({ ...r, value: String(r.value).toUpperCase() })),
          }),
        },
      }),
    })
    const d = dir()
    const sources = `  a: { source_type: hooked, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t, ingestion: { mode: batch }, config: {} }
  b: { source_type: sequence, rate_limit_per_minute: 600000, cache_ttl_seconds: 0, topic: t, ingestion: { mode: batch }, config: { total: 1, per_poll: 1 } }`
    const config = configFrom(base(d, 'sink: { type: file, config: {} }', sources))
    // the file sink carries no hooks; a second sink-level hook comes from code
    const manager = new StreamManager({
      config: { ...config, sink: { type: 'file', config: { directory: join(d, 'out') } } },
      logger: quietLogger(),
      plugins: [...plugins, hooked],
      hooks: [
        {
          name: 'mark',
          beforeSend: (batch) => ({
            ...batch,
            records: batch.records.map((r) => ({ ...r, headers: { ...r.headers, 'x-mark': batch.sourceId } })),
          }),
        },
      ],
    })
    await manager.runOnce()
    await manager.stop()
    const out = readOutput(join(d, 'out')).get('t') ?? []
    expect(out).toHaveLength(2)
    const values = out.map((r) => r.value)
    // the connector's hook upper-cased its own record only
    expect(values).toContain('H')
    expect(values).toContainEqual({ n: 0, source: 'b' })
    // the hook from code marked both
    expect(out.every((r) => JSON.stringify(r).includes('x-mark'))).toBe(true)
  })

  it("a third-party sink reads the config file's own blocks through configFromFile, as the built-in sinks do", async () => {
    let seen: unknown
    const fromFile = defineSink({
      name: 'from-file',
      version: '1.0.0',
      configSchema: Type.Object({ topic_prefix: Type.String(), partitions: Type.Integer({ default: 1 }) }),
      configFromFile: (file) => ({
        topic_prefix: String((file.default_topic as string | undefined) ?? 'none'),
        partitions: 3,
      }),
      create: (config) => {
        seen = config
        return { send: async (b) => ({ delivered: b.records.length, deadLettered: 0, spooled: 0 }) }
      },
    })
    const d = dir()
    const text = base(d, 'default_topic: fires\nsink: { type: from-file, config: { partitions: 6 } }')
    const manager = new StreamManager({
      config: configFrom(text),
      logger: quietLogger(),
      plugins: [...plugins, fromFile],
    })
    await manager.start()
    await manager.stop()
    // the file's block is read, and the sink's own config block is laid over it
    expect(seen).toEqual({ topic_prefix: 'fires', partitions: 6 })
  })
})
