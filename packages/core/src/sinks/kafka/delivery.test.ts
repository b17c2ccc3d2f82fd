import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SinkBatch, SinkRecord } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  connectionError,
  FakeClock,
  FakeTransport,
  PipelinedTransport,
  protocolError,
  settle,
} from '../../../test/kafka/fakes'
import { resolveKafkaSinkConfig } from '../../kafka/config'
import { createKafkaSink, type KafkaSinkInstance } from './kafka-sink'
import { HEADERS } from '../../kafka/delivery/messages'

const rec = (i: number, value: unknown = { n: i }): SinkRecord => ({
  key: `k${i}`,
  value,
  sourceId: 'src-a',
  sourceType: 'test',
  priority: 'normal',
  ingestedAt: '2026-01-01T00:00:00.000Z',
})
const batch = (topic: string, records: SinkRecord[]): SinkBatch => ({
  topic,
  sourceId: 'src-a',
  sourceType: 'test',
  records,
})
const range = (from: number, n: number): SinkRecord[] => Array.from({ length: n }, (_, i) => rec(from + i))

const open: KafkaSinkInstance[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const s of open.splice(0)) await s.close?.()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function setup<T extends FakeTransport = FakeTransport>(
  config: Record<string, unknown> = {},
  options: { auto?: boolean; stateDir?: string; transport?: T } = {},
) {
  const clock = new FakeClock(options.auto ?? false)
  const transport = (options.transport ?? new FakeTransport()) as T
  const fake = createFakeContext({ id: 'sink:kafka#test' })
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'firefront-kafka-unit-'))
  dirs.push(stateDir)
  const resolved = resolveKafkaSinkConfig({ state_dir: stateDir, close_timeout_seconds: 0, ...config })
  const sink = createKafkaSink(resolved, fake.ctx, { transport, clock, random: () => 0.5 })
  open.push(sink)
  return { sink, clock, transport, stateDir, ...fake }
}

/**
 * Waits until `check` passes, up to 10 s of real time (the spool does real, fsync'd I/O), moving
 * the fake clock by `step` between tries.
 */
async function until(check: () => boolean, clock?: FakeClock, step = 1000): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (check()) return
    if (clock) await clock.advance(step)
    await new Promise((r) => setTimeout(r, 5))
  }
  if (!check()) throw new Error('condition not reached within 10 s')
}

describe('kafka delivery: retries', () => {
  it('retries a failing batch after 1, 2 and 4 s, as one request each time, then delivers it', async () => {
    const { sink, clock, transport } = setup({}, { auto: true })
    await sink.start?.()
    transport.failSend = (_t, _m, call) => (call < 3 ? connectionError() : undefined)
    const result = await sink.send(batch('fires', range(0, 5)))
    expect(result).toEqual({ delivered: 5, deadLettered: 0, spooled: 0 })
    expect(clock.sleeps).toEqual([1000, 2000, 4000])
    expect(transport.requests.map((r) => r.messages.length)).toEqual([5, 5, 5, 5])
    expect(sink.metrics()).toMatchObject({ total_sent: 5, total_retries: 3, total_failed: 0, batches: 1 })
  })

  it('caps the delay at retry_backoff_max', async () => {
    const { sink, clock, transport } = setup({ kafka: { max_retries: 5, retry_backoff_max: 3 } }, { auto: true })
    await sink.start?.()
    transport.failSend = (_t, _m, call) => (call < 5 ? connectionError() : undefined)
    await sink.send(batch('fires', range(0, 1)))
    expect(clock.sleeps).toEqual([1000, 2000, 3000, 3000, 3000])
  })

  it('spools a batch whose retries run out, spools later batches behind it, and replays both in order', async () => {
    const { sink, transport, clock, logs } = setup({}, { auto: true })
    await sink.start?.()
    let down = true
    transport.failSend = () => (down ? connectionError() : undefined)
    transport.failProbe = () => (down ? connectionError() : undefined)
    expect(await sink.send(batch('fires', range(0, 3)))).toEqual({ delivered: 0, deadLettered: 0, spooled: 3 })
    expect(transport.requests).toHaveLength(4) // 1 + max_retries
    const requestsWhileDown = transport.requests.length
    expect(await sink.send(batch('fires', range(3, 2)))).toEqual({ delivered: 0, deadLettered: 0, spooled: 2 })
    expect(transport.requests.length).toBe(requestsWhileDown) // straight to the spool: no retry storm
    expect(sink.metrics()).toMatchObject({ connected: false, spool_entries: 2, total_failed: 3, spooled: 5 })
    expect((await sink.health()).healthy).toBe(false)
    expect(logs.some((l) => l.level === 50 && /cannot reach kafka/.test(l.msg))).toBe(true)
    down = false
    await until(() => sink.metrics().spool_entries === 0, clock)
    expect(transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
    expect(sink.metrics()).toMatchObject({ connected: true, replayed: 5, total_sent: 5 })
    // Back to direct delivery once the spool is empty.
    expect(await sink.send(batch('fires', range(5, 1)))).toEqual({ delivered: 1, deadLettered: 0, spooled: 0 })
  })

  it('sends a batch in runs of the transport’s records per send; a run that fails is spooled with the rest, in order', async () => {
    const { sink, transport, clock } = setup({}, { auto: true })
    Object.assign(transport, { maxRecordsPerSend: 3 })
    await sink.start?.()
    expect(await sink.send(batch('fires', range(0, 7)))).toEqual({ delivered: 7, deadLettered: 0, spooled: 0 })
    expect(transport.requests.map((r) => r.messages.length)).toEqual([3, 3, 1])
    // the second run cannot be sent: the first stays delivered, the rest waits in the spool
    let down = false
    transport.failProbe = () => (down ? connectionError() : undefined)
    transport.failSend = (_t, _m, call) => {
      if (call === 4) down = true
      return down ? connectionError() : undefined
    }
    expect(await sink.send(batch('fires', range(7, 7)))).toEqual({ delivered: 3, deadLettered: 0, spooled: 4 })
    down = false
    await until(() => sink.metrics().spool_entries === 0, clock)
    expect(transport.deliveredTo('fires').map((m) => m.key)).toEqual(range(0, 14).map((r) => r.key))
  })

  it('starts a new producer when the broker lost the idempotent state, and delivers', async () => {
    const { sink, transport } = setup({}, { auto: true })
    await sink.start?.()
    transport.failSend = (_t, _m, call) => (call === 0 ? protocolError('UNKNOWN_PRODUCER_ID', false) : undefined)
    expect(await sink.send(batch('fires', range(0, 2)))).toEqual({ delivered: 2, deadLettered: 0, spooled: 0 })
    expect(transport.resets).toBe(1)
  })
})

describe('kafka delivery: dead letters', () => {
  it('dead-letters unserialisable and oversized records with error headers and delivers the rest', async () => {
    const { sink, transport } = setup({ kafka: { max_message_bytes: 2048 } })
    await sink.start?.()
    const cyclic: Record<string, unknown> = {}
    cyclic.me = cyclic
    const records = [rec(0), rec(1, { big: 1n }), rec(2), rec(3, cyclic), rec(4, 'x'.repeat(5000)), rec(5)]
    expect(await sink.send(batch('fires', records))).toEqual({ delivered: 3, deadLettered: 3, spooled: 0 })
    expect(transport.requests.filter((r) => r.topic === 'fires')).toHaveLength(1)
    expect(transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k0', 'k2', 'k5'])
    const dead = transport.deliveredTo('firefront-dlq')
    expect(dead.map((m) => [m.key, m.headers[HEADERS.errorCode]])).toEqual([
      ['k1', 'SERIALIZATION_FAILED'],
      ['k3', 'SERIALIZATION_FAILED'],
      ['k4', 'RECORD_TOO_LARGE'],
    ])
    expect(dead[0]!.headers).toMatchObject({
      [HEADERS.originalTopic]: 'fires',
      [HEADERS.sourceId]: 'src-a',
      [HEADERS.sourceType]: 'test',
      [HEADERS.attempts]: '0',
      [HEADERS.failedAt]: '2026-01-01T00:00:00.000Z',
    })
    expect(dead[0]!.headers[HEADERS.error]).toMatch(/BigInt/)
    expect(dead[0]!.value).toBe('{"big":"1"}')
    expect(transport.created).toEqual(['firefront-dlq', 'fires'])
  })

  it('finds the records the broker refuses by halving the batch, and delivers the others', async () => {
    const { sink, transport } = setup()
    await sink.start?.()
    transport.failSend = (topic, messages) =>
      topic === 'fires' && messages.some((m) => m.value.includes('poison'))
        ? protocolError('MESSAGE_TOO_LARGE', false)
        : undefined
    const records = range(0, 8)
    records[5] = rec(5, { poison: true })
    expect(await sink.send(batch('fires', records))).toEqual({ delivered: 7, deadLettered: 1, spooled: 0 })
    expect(transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k6', 'k7'])
    expect(transport.deliveredTo('firefront-dlq').map((m) => [m.key, m.headers[HEADERS.errorCode]])).toEqual([
      ['k5', 'MESSAGE_TOO_LARGE'],
    ])
  })

  it('dead-letters a batch refused for its topic (authorisation) after one attempt', async () => {
    const { sink, transport } = setup()
    await sink.start?.()
    transport.failSend = (topic) =>
      topic === 'secret'
        ? protocolError('TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized to access topics')
        : undefined
    expect(await sink.send(batch('secret', range(0, 3)))).toEqual({ delivered: 0, deadLettered: 3, spooled: 0 })
    const dead = transport.deliveredTo('firefront-dlq')
    expect(dead[0]!.headers).toMatchObject({
      [HEADERS.errorCode]: 'TOPIC_AUTHORIZATION_FAILED',
      [HEADERS.error]: 'Not authorized to access topics',
      [HEADERS.attempts]: '1',
      [HEADERS.originalTopic]: 'secret',
    })
  })

  it('caps dead letters per minute: the excess waits in the spool and reaches the dead-letter topic later', async () => {
    const { sink, transport, clock } = setup({ dlq: { max_records_per_minute: 2 }, failure_rate_min_records: 1000 })
    await sink.start?.()
    const records = [rec(0, 1n), rec(1, 2n), rec(2, 3n), rec(3, 4n), rec(4)]
    expect(await sink.send(batch('fires', records))).toEqual({ delivered: 1, deadLettered: 2, spooled: 2 })
    expect(transport.deliveredTo('firefront-dlq').map((m) => m.key)).toEqual(['k0', 'k1'])
    expect(sink.metrics()).toMatchObject({ dlq_capped: 2, spool_entries: 1 })
    // Dead letters waiting for the cap do not hold up the topic's own batches.
    expect(await sink.send(batch('fires', range(5, 1)))).toEqual({ delivered: 1, deadLettered: 0, spooled: 0 })
    await clock.advance(30_000)
    expect(transport.deliveredTo('firefront-dlq')).toHaveLength(2)
    await until(() => transport.deliveredTo('firefront-dlq').length === 4, clock)
    expect(transport.deliveredTo('firefront-dlq').map((m) => m.key)).toEqual(['k0', 'k1', 'k2', 'k3'])
    expect(sink.metrics()).toMatchObject({ spool_entries: 0, dead_lettered: 4 })
  })

  it('pauses instead of dead-lettering everything when the failure rate crosses the threshold, and says so', async () => {
    const { sink, transport, clock, logs, metrics } = setup({
      dlq: { failure_rate_threshold: 0.5, window_seconds: 60, pause_seconds: 30 },
      failure_rate_min_records: 10,
    })
    await sink.start?.()
    transport.failSend = (topic) =>
      topic === 'secret' ? protocolError('TOPIC_AUTHORIZATION_FAILED', false) : undefined
    expect(await sink.send(batch('fires', range(0, 5)))).toMatchObject({ delivered: 5 })
    expect(await sink.send(batch('secret', range(5, 10)))).toEqual({ delivered: 0, deadLettered: 10, spooled: 0 })
    expect(sink.metrics()).toMatchObject({ paused: true, pauses: 1 })
    expect((await sink.health()).paused).toBe(true)
    expect(metrics.get('kafka_paused')).toBe(1)
    expect(logs.some((l) => l.level === 40 && /paused for 30 s: 10 of 15 records failed/.test(l.msg))).toBe(true)
    // While paused, batches go to the spool, not to Kafka nor the dead-letter topic.
    const sent = transport.requests.length
    expect(await sink.send(batch('secret', range(15, 10)))).toEqual({ delivered: 0, deadLettered: 0, spooled: 10 })
    expect(await sink.send(batch('fires', range(25, 2)))).toEqual({ delivered: 0, deadLettered: 0, spooled: 2 })
    expect(transport.requests.length).toBe(sent)
    transport.failSend = () => undefined // the ACL is fixed during the pause
    await clock.advance(30_000)
    await until(() => sink.metrics().spool_entries === 0, clock)
    expect(sink.metrics()).toMatchObject({ paused: false })
    expect(metrics.get('kafka_paused')).toBe(0)
    expect(transport.deliveredTo('secret')).toHaveLength(10)
    expect(transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k25', 'k26'])
  })

  it('keeps dead letters in the local file when the DLQ is disabled', async () => {
    const { sink, transport, stateDir } = setup({ enable_dlq: false })
    await sink.start?.()
    expect(await sink.send(batch('fires', [rec(0, 1n), rec(1)]))).toEqual({ delivered: 1, deadLettered: 1, spooled: 0 })
    expect(transport.deliveredTo('firefront-dlq')).toEqual([])
    expect(sink.metrics()).toMatchObject({ dead_lettered_local: 1 })
    const { scanSpool } = await import('../../spool/segment-spool')
    const seen: unknown[] = []
    await scanSpool(join(stateDir, 'dead-letter'), (v) => seen.push(v))
    expect(seen).toMatchObject([
      { reason: 'dlq-disabled', deadLetter: { originalTopic: 'fires' }, messages: [{ key: 'k0' }] },
    ])
  })
})

describe('kafka delivery: spool and lifecycle', () => {
  it('rejects with ERR_SPOOL_FULL when the spool cannot take a batch', async () => {
    const { sink, transport } = setup({ spool: { max_bytes: 2048 } }, { auto: true })
    transport.failConnect = () => connectionError()
    transport.failProbe = () => connectionError()
    await sink.start?.()
    await sink.send(batch('fires', range(0, 3)))
    await expect(sink.send(batch('fires', range(3, 30)))).rejects.toMatchObject({ code: 'ERR_SPOOL_FULL' })
    expect(sink.metrics()).toMatchObject({ spool_full: 1 })
  })

  it('with an unreachable broker at start: no error, batches spooled; a new instance on the same spool replays them first', async () => {
    const first = setup({}, { auto: true })
    first.transport.failConnect = () => connectionError()
    first.transport.failProbe = () => connectionError()
    await first.sink.start?.()
    expect(await first.sink.send(batch('fires', range(0, 2)))).toEqual({ delivered: 0, deadLettered: 0, spooled: 2 })
    expect(first.sink.metrics()).toMatchObject({
      connected: false,
      last_error: expect.stringMatching(/ECONNREFUSED 127\.0\.0\.1:1/),
    })
    await first.sink.close?.()

    const second = setup({}, { auto: true, stateDir: first.stateDir })
    await second.sink.start?.()
    // start() resolved after the replay: the old batch is out before any new one.
    expect(second.transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k0', 'k1'])
    await second.sink.send(batch('fires', range(2, 1)))
    expect(second.transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k0', 'k1', 'k2'])
  })

  it('close waits for batches in flight, then refuses new ones', async () => {
    const { sink, transport, clock } = setup()
    await sink.start?.()
    transport.failSend = (_t, _m, call) => (call === 0 ? connectionError() : undefined)
    const inFlight = sink.send(batch('fires', range(0, 2)))
    await settle()
    const closing = sink.close?.()
    await clock.advance(1000)
    expect(await inFlight).toEqual({ delivered: 2, deadLettered: 0, spooled: 0 })
    await closing
    await expect(sink.send(batch('fires', range(2, 1)))).rejects.toMatchObject({ code: 'ERR_STOPPED' })
  })

  it('spools a batch waiting for its retry at once when the runtime stops the plugin', async () => {
    const { sink, transport, abort } = setup()
    await sink.start?.()
    transport.failSend = () => connectionError()
    transport.failProbe = () => connectionError()
    const pending = sink.send(batch('fires', range(0, 4)))
    await settle()
    expect(transport.requests).toHaveLength(1) // waiting out the 1 s backoff on the fake clock
    abort()
    expect(await pending).toEqual({ delivered: 0, deadLettered: 0, spooled: 4 })
    expect(sink.metrics()).toMatchObject({ spool_entries: 1, connected: false })
  })

  it('refuses to start when the broker refuses the dead-letter topic, naming it', async () => {
    const { sink, transport } = setup()
    transport.failCreate = () =>
      Object.assign(
        new Error(
          'kafka refused to create topic "firefront-dlq": Replication factor: 3 larger than available brokers: 1.',
        ),
        {
          code: 'ERR_SINK_REFUSED',
        },
      )
    await expect(sink.start?.()).rejects.toMatchObject({
      code: 'ERR_SINK_REFUSED',
      message: expect.stringMatching(/firefront-dlq/),
    })
  })

  it('redacts the SASL password from errors, log lines and dead-letter headers', async () => {
    const password = 'hunter2-very-secret'
    const { sink, transport, logs } = setup(
      { kafka: { sasl: { mechanism: 'plain', username: 'u', password } } },
      { auto: true },
    )
    await sink.start?.()
    transport.failSend = (topic) =>
      topic === 'fires' ? protocolError('TOPIC_AUTHORIZATION_FAILED', false, `denied for u:${password}`) : undefined
    await sink.send(batch('fires', range(0, 1)))
    const everything = JSON.stringify([logs, sink.metrics(), transport.delivered])
    expect(everything).not.toContain(password)
    expect(transport.deliveredTo('firefront-dlq')[0]!.headers[HEADERS.error]).toBe('denied for u:[redacted]')
  })
})

describe('kafka delivery: the state metrics() reports', () => {
  it('reports delivering, retrying, spooling, and delivering again once the spool is replayed', async () => {
    const { sink, transport, clock } = setup()
    expect(sink.metrics().delivery_state).toBe(null)
    await sink.start?.()
    expect(sink.metrics().delivery_state).toBe('delivering')
    let down = true
    transport.failSend = () => (down ? connectionError() : undefined)
    transport.failProbe = () => (down ? connectionError() : undefined)
    const pending = sink.send(batch('fires', range(0, 2)))
    await settle()
    expect(sink.metrics().delivery_state).toBe('retrying')
    expect((await sink.health()).delivery_state).toBe('retrying')
    await clock.advance(1000 + 2000 + 4000)
    expect(await pending).toEqual({ delivered: 0, deadLettered: 0, spooled: 2 })
    expect(sink.metrics()).toMatchObject({ delivery_state: 'spooling', connected: false })
    // The probe answers: the spool is replayed, then sends go direct again.
    down = false
    await until(() => sink.metrics().delivery_state === 'delivering', clock)
    expect(transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k0', 'k1'])
    expect(sink.metrics()).toMatchObject({ spool_entries: 0, replayed: 2, connected: true })
  })

  it('is paused while the failure rate pause lasts, then replays what the pause spooled', async () => {
    const { sink, transport, clock } = setup({
      dlq: { failure_rate_threshold: 0.5, window_seconds: 60, pause_seconds: 30 },
      failure_rate_min_records: 4,
    })
    await sink.start?.()
    transport.failSend = (topic) =>
      topic === 'secret' ? protocolError('TOPIC_AUTHORIZATION_FAILED', false) : undefined
    await sink.send(batch('secret', range(0, 4)))
    expect(sink.metrics().delivery_state).toBe('paused')
    expect(await sink.send(batch('fires', range(4, 1)))).toEqual({ delivered: 0, deadLettered: 0, spooled: 1 })
    await clock.advance(30_000)
    await until(() => sink.metrics().delivery_state === 'delivering', clock)
    expect(transport.deliveredTo('fires').map((m) => m.key)).toEqual(['k4'])
  })
})

describe('kafka delivery: batches in flight (a transport that keeps their order)', () => {
  const keys = (ms: readonly { key: unknown }[]) => ms.map((m) => String(m.key))

  it('hands up to kafka.max_in_flight_batches batches of a topic to the transport at once, in call order', async () => {
    const transport = new PipelinedTransport()
    transport.hold = true
    const { sink } = setup({ kafka: { max_in_flight_batches: 3 } }, { transport })
    await sink.start?.()
    expect(sink.maxInFlightBatches).toBe(3)
    const results = [0, 1, 2, 3, 4].map((b) => sink.send(batch('fires', range(b * 2, 2))))
    await settle()
    expect(transport.requests).toHaveLength(3) // the fourth waits for room
    transport.release(0)
    await settle()
    expect(transport.requests).toHaveLength(4)
    for (let i = 1; i < 5; i++) {
      await until(() => transport.requests.length > i)
      transport.release(i)
    }
    for (const r of results) expect(await r).toEqual({ delivered: 2, deadLettered: 0, spooled: 0 })
    expect(transport.maxOpen).toBe(3)
    expect(keys(transport.requests.flatMap((r) => r.messages))).toEqual(range(0, 10).map((r) => r.key))
  })

  it('keeps one batch in flight on a transport that does not keep order across sends', async () => {
    const { sink, transport } = setup({ kafka: { max_in_flight_batches: 4 } })
    await sink.start?.()
    expect(sink.maxInFlightBatches).toBe(1)
    await Promise.all([sink.send(batch('fires', range(0, 2))), sink.send(batch('fires', range(2, 2)))])
    expect(keys(transport.deliveredTo('fires'))).toEqual(['k0', 'k1', 'k2', 'k3'])
  })

  it('retries the first of two batches when it fails and the second succeeds: nothing lost, the retry lands after the second', async () => {
    const transport = new PipelinedTransport()
    const { sink, clock } = setup({ kafka: { max_in_flight_batches: 2 } }, { auto: true, transport })
    await sink.start?.()
    transport.failSend = (_t, _m, call) => (call === 0 ? connectionError() : undefined)
    const [a, b] = await Promise.all([sink.send(batch('fires', range(0, 3))), sink.send(batch('fires', range(3, 3)))])
    expect(a).toEqual({ delivered: 3, deadLettered: 0, spooled: 0 })
    expect(b).toEqual({ delivered: 3, deadLettered: 0, spooled: 0 })
    expect(clock.sleeps).toEqual([1000])
    expect(keys(transport.requests.flatMap((r) => r.messages))).toEqual([
      'k0',
      'k1',
      'k2',
      'k3',
      'k4',
      'k5',
      'k0',
      'k1',
      'k2',
    ])
    expect(keys(transport.deliveredTo('fires'))).toEqual(['k3', 'k4', 'k5', 'k0', 'k1', 'k2'])
    expect(sink.metrics()).toMatchObject({ total_sent: 6, total_retries: 1, total_failed: 0 })
  })

  it('spools batches in flight that fail together in their order, and replays them in that order', async () => {
    const transport = new PipelinedTransport()
    const { sink, clock } = setup({ kafka: { max_in_flight_batches: 3 } }, { auto: true, transport })
    await sink.start?.()
    let down = true
    transport.failSend = () => (down ? connectionError() : undefined)
    transport.failProbe = () => (down ? connectionError() : undefined)
    const results = await Promise.all([0, 1, 2].map((b) => sink.send(batch('fires', range(b * 2, 2)))))
    expect(results).toEqual([0, 1, 2].map(() => ({ delivered: 0, deadLettered: 0, spooled: 2 })))
    expect(sink.metrics()).toMatchObject({ spool_entries: 3, spooled: 6 })
    down = false
    await until(() => sink.metrics().spool_entries === 0, clock)
    expect(keys(transport.deliveredTo('fires'))).toEqual(range(0, 6).map((r) => r.key))
  })

  it('dead-letters a refused record of the first batch and delivers both batches', async () => {
    const transport = new PipelinedTransport()
    const { sink } = setup({ kafka: { max_in_flight_batches: 2 } }, { auto: true, transport })
    await sink.start?.()
    transport.failSend = (topic, messages) =>
      topic === 'fires' && messages.some((m) => m.key === 'k1') ? protocolError('MESSAGE_TOO_LARGE', false) : undefined
    const [a, b] = await Promise.all([sink.send(batch('fires', range(0, 3))), sink.send(batch('fires', range(3, 3)))])
    expect(a).toEqual({ delivered: 2, deadLettered: 1, spooled: 0 })
    expect(b).toEqual({ delivered: 3, deadLettered: 0, spooled: 0 })
    expect(keys(transport.deliveredTo('fires')).sort()).toEqual(['k0', 'k2', 'k3', 'k4', 'k5'])
    expect(keys(transport.deliveredTo(sink.producer!.dlqTopic))).toEqual(['k1'])
  })
})
