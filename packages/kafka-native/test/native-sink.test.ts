/**
 * The kafka sink, the Kafka cursor store and the consumer-lag reader on `kafka.client: native`,
 * against the real broker (KAFKA_BROKERS), with kcat as the witness: what core's kafka tests
 * check for kafkajs, checked for the native backend, loaded by name as a user's config loads it.
 * The broker stopped mid-stream is this file's own (port 19692, under a lock).
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SinkBatch, SinkRecord } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { KafkaCursorStore } from '../../core/src/kafka/cursor-store'
import { createKafkaLagReader } from '../../core/src/kafka/lag-reader'
import { openKafkaTransport } from '../../core/src/kafka/open-transport'
import {
  createKafkaSink,
  HEADERS,
  inspectDlq,
  type KafkaSinkInstance,
  replayDlq,
  resolveKafkaSinkConfig,
} from '../../core/src/sinks/kafka'
import { withOwnBroker } from '../../core/test/kafka/exclusive-broker'
import { readTopic, uniqueTopic } from '../../core/test/kafka/kcat'
import { configFrom } from '../../core/test/pipeline/helpers'
import { DEBIAN_BUILD_PACKAGES, rdKafkaAvailable } from '../src'

const OWN_BROKER_PORT = 19692
const available = rdKafkaAvailable()
const skipped = `SKIPPED, node-rdkafka is not built here (apt-get install ${DEBIAN_BUILD_PACKAGES.join(' ')}, then npm rebuild node-rdkafka)`
const brokers = inject('kafkaBrokers')

const rec = (key: string, value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord => ({
  key,
  value,
  sourceId: 'firms-viirs',
  sourceType: 'nasa_firms',
  priority: 'normal',
  ingestedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
})
const batch = (topic: string, records: SinkRecord[]): SinkBatch => ({
  topic,
  sourceId: 'firms-viirs',
  sourceType: 'nasa_firms',
  records,
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const sinks: KafkaSinkInstance[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close?.()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const stateDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'firefront-native-sink-'))
  dirs.push(d)
  return d
}

function makeSink(config: Record<string, unknown> = {}, at = brokers, dir = stateDir()) {
  const dlqTopic = uniqueTopic('ff-native-dlq')
  const resolved = resolveKafkaSinkConfig({
    state_dir: dir,
    dlq: { topic: dlqTopic },
    ...config,
    kafka: { bootstrap_servers: at, client: 'native', topics: { partitions: 3 }, ...(config.kafka as object) },
  })
  const fake = createFakeContext({ id: 'sink:kafka#native' })
  const sink = createKafkaSink(resolved, fake.ctx)
  sinks.push(sink)
  return { sink, config: resolved, dlqTopic, stateDir: dir, ...fake }
}

describe.skipIf(!available)(
  `kafka sink on kafka.client: native (real broker)${available ? '' : `: ${skipped}`}`,
  () => {
    it('kafka.client: native opens this package’s transport, loaded by name', async () => {
      const { config } = makeSink()
      const transport = await openKafkaTransport({ kafka: config.kafka })
      expect(transport.client).toBe('native')
      await transport.probe()
      await transport.disconnect()
    })

    it('delivers each record once, with its key, headers and a partition chosen by key', async () => {
      const { sink } = makeSink()
      await sink.start?.()
      const topic = uniqueTopic('ff-native-fires')
      await sink.ensureTopics([topic])
      const records = Array.from({ length: 60 }, (_, i) =>
        rec(`cell-${i % 12}`, { id: i }, { eventTime: '2025-12-31T23:00:00.000Z', headers: { 'x-trace': `t${i}` } }),
      )
      expect(await sink.send(batch(topic, records.slice(0, 30)))).toEqual({
        delivered: 30,
        deadLettered: 0,
        spooled: 0,
      })
      expect(await sink.send(batch(topic, records.slice(30)))).toEqual({ delivered: 30, deadLettered: 0, spooled: 0 })
      const got = readTopic(brokers, topic)
      expect(got.map((m) => JSON.parse(m.value).id).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 60 }, (_, i) => i),
      )
      for (const m of got) {
        const id = JSON.parse(m.value).id as number
        expect(m.key).toBe(`cell-${id % 12}`)
        expect(m.headers).toMatchObject({ 'x-trace': `t${id}`, [HEADERS.sourceId]: 'firms-viirs' })
      }
      const partitionOf = new Map<string, Set<number>>()
      for (const m of got) partitionOf.set(m.key!, (partitionOf.get(m.key!) ?? new Set()).add(m.partition))
      for (const parts of partitionOf.values()) expect(parts.size).toBe(1)
      expect(sink.metrics()).toMatchObject({ total_sent: 60, batches: 2, total_failed: 0, connected: true })
      expect((await sink.health()).healthy).toBe(true)
    })

    it('dead-letters poison records and replays the oversized one once the limit is raised', async () => {
      const { sink, config, dlqTopic, stateDir: dir } = makeSink({ kafka: { max_message_bytes: 4096 } })
      await sink.start?.()
      const topic = uniqueTopic('ff-native-poison')
      const records = [
        rec('a', { id: 1 }),
        rec('b', { id: 2, count: 12n }),
        rec('e', { id: 5, blob: 'x'.repeat(10_000) }),
      ]
      expect(await sink.send(batch(topic, records))).toEqual({ delivered: 1, deadLettered: 2, spooled: 0 })
      const dead = readTopic(brokers, dlqTopic)
      expect(dead.map((m) => [m.key, m.headers[HEADERS.errorCode]]).sort()).toEqual([
        ['b', 'SERIALIZATION_FAILED'],
        ['e', 'RECORD_TOO_LARGE'],
      ])
      expect((await inspectDlq(config, { source: 'firms-viirs' })).matched).toBe(2)
      const replay = await replayDlq(
        resolveKafkaSinkConfig({ ...config, state_dir: dir, kafka: { ...config.kafka, max_message_bytes: 1_000_000 } }),
        { reason: 'RECORD_TOO_LARGE', since: new Date(Date.now() - 60_000) },
      )
      expect(replay).toMatchObject({ matched: 1, replayed: 1, failed: 0, byTopic: { [topic]: 1 } })
      expect(JSON.parse(readTopic(brokers, topic).find((m) => m.key === 'e')!.value).blob).toHaveLength(10_000)
    })

    it('dead-letters the records the broker refuses, one by one, and delivers the rest', async () => {
      const { sink, dlqTopic } = makeSink()
      await sink.start?.()
      const topic = uniqueTopic('ff-native-broker-limit')
      // The broker's limit for this topic is below what the sink allows: the broker refuses the record.
      const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin()
      await admin.connect()
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '3000' }] }],
        waitForLeaders: true,
      })
      await admin.disconnect()
      await sink.ensureTopics([topic])
      const records = [
        rec('a', { id: 1 }),
        rec('big', { blob: 'y'.repeat(8000) }),
        rec('c', { id: 3 }),
        rec('d', { id: 4 }),
      ]
      expect(await sink.send(batch(topic, records))).toEqual({ delivered: 3, deadLettered: 1, spooled: 0 })
      expect(readTopic(brokers, dlqTopic).map((m) => [m.key, m.headers[HEADERS.errorCode]])).toEqual([
        ['big', 'MESSAGE_TOO_LARGE'],
      ])
      expect(
        readTopic(brokers, topic)
          .map((m) => m.key)
          .sort(),
      ).toEqual(['a', 'c', 'd'])
    })

    it('dead-letters a batch for a topic the broker refuses to create, naming the topic and the reason', async () => {
      const { sink, dlqTopic } = makeSink()
      await sink.start?.()
      expect(await sink.send(batch('bad topic name!', [rec('a', 1), rec('b', 2)]))).toEqual({
        delivered: 0,
        deadLettered: 2,
        spooled: 0,
      })
      const dead = readTopic(brokers, dlqTopic)
      expect(dead).toHaveLength(2)
      expect(dead[0]!.headers[HEADERS.error]).toMatch(/kafka refused to create topic "bad topic name!"/)
    })

    it('ensureTopics fails with a clear error when the broker refuses the settings', async () => {
      const { sink } = makeSink({ enable_dlq: false, kafka: { topics: { partitions: 1, replication_factor: 3 } } })
      await sink.start?.()
      const topic = uniqueTopic('ff-native-rf3')
      await expect(sink.ensureTopics([topic])).rejects.toMatchObject({
        code: 'ERR_SINK_REFUSED',
        message: expect.stringMatching(new RegExp(`"${topic}".*replication factor 3.*INVALID_REPLICATION_FACTOR`, 's')),
      })
    })

    it('graceful close waits for every batch handed over, and all of them are in Kafka', async () => {
      const { sink } = makeSink({ kafka: { compression: 'gzip' } })
      await sink.start?.()
      const topic = uniqueTopic('ff-native-close')
      const sends = Array.from({ length: 10 }, (_, b) =>
        sink.send(
          batch(
            topic,
            Array.from({ length: 50 }, (_, i) => rec(`k${b * 50 + i}`, { n: b * 50 + i })),
          ),
        ),
      )
      await sink.close?.()
      expect((await Promise.all(sends)).reduce((n, r) => n + r.delivered, 0)).toBe(500)
      const got = readTopic(brokers, topic)
      expect(got).toHaveLength(500)
      expect(new Set(got.map((m) => m.key)).size).toBe(500)
    })

    it('never writes the SASL password into a log line or an error; start fails naming the broker', async () => {
      const password = 'Tr0ub4dor-and-3-more'
      const { sink, logs } = makeSink({
        kafka: { sasl: { mechanism: 'scram-sha-256', username: 'ingest', password }, connection_timeout_ms: 1000 },
      })
      const error = await sink.start?.().catch((err: unknown) => err)
      const seen = JSON.stringify({
        logs,
        error: error instanceof Error ? { message: error.message, stack: error.stack } : error,
        metrics: sink.metrics(),
        health: await sink.health(),
      })
      expect(logs.length).toBeGreaterThan(0)
      expect(seen).not.toContain(password)
      expect(error).toMatchObject({
        code: 'ERR_SINK_REFUSED',
        message: expect.stringMatching(/kafka at 127\.0\.0\.1:\d+ refused the sink: .*SASL.*\(ILLEGAL_SASL_STATE\)/),
      })
    })
  },
)

describe.skipIf(!available)(
  `kafka sink on kafka.client: native when Kafka is away${available ? '' : `: ${skipped}`}`,
  () => {
    const nth = (topic: string, from: number, size: number): SinkBatch => ({
      topic,
      sourceId: 'iot-ca',
      sourceType: 'iot_mqtt',
      records: Array.from({ length: size }, (_, i) => ({
        key: `r-${from + i}`,
        value: { n: from + i },
        sourceId: 'iot-ca',
        sourceType: 'iot_mqtt',
        priority: 'normal',
        ingestedAt: new Date().toISOString(),
      })),
    })

    it('with a wrong bootstrap address: a clear error, batches spooled; a new instance on the same spool replays them', async () => {
      const dir = stateDir()
      const topic = uniqueTopic('ff-native-wrong-addr')
      const away = makeSink({ kafka: { retry_backoff_max: 2 } }, '127.0.0.1:1', dir)
      const t0 = Date.now()
      await away.sink.start?.()
      expect(await away.sink.send(nth(topic, 0, 25))).toEqual({ delivered: 0, deadLettered: 0, spooled: 25 })
      expect(await away.sink.send(nth(topic, 25, 25))).toEqual({ delivered: 0, deadLettered: 0, spooled: 25 })
      // far below the 10 s request timeout: librdkafka says at once that no broker answers
      expect(Date.now() - t0).toBeLessThan(8000)
      const health = await away.sink.health()
      expect(health).toMatchObject({ healthy: false, connected: false, spool_entries: 2 })
      expect(String(health.last_error)).toMatch(/127\.0\.0\.1:1.*Connection refused/)
      expect(away.logs.some((l) => l.level === 50 && /cannot reach kafka at 127\.0\.0\.1:1/.test(l.msg))).toBe(true)
      await away.sink.close?.()

      const back = makeSink({}, brokers, dir)
      await back.sink.start?.()
      expect(back.sink.metrics()).toMatchObject({ replayed: 50, spool_entries: 0, connected: true })
      expect(
        readTopic(brokers, topic)
          .map((m) => m.key)
          .sort(),
      ).toEqual(Array.from({ length: 50 }, (_, i) => `r-${i}`).sort())
    })

    it('with the broker stopped mid-stream for ~20 s: every record arrives, through the spool, exactly once, in order per key', async () => {
      await withOwnBroker(OWN_BROKER_PORT, async (broker) => {
        const { sink, logs } = makeSink({ kafka: { retry_backoff_max: 2 } }, broker.brokers)
        await sink.start?.()
        const topic = uniqueTopic('ff-native-restart')
        await sink.ensureTopics([topic])
        let next = 0
        let streaming = true
        const totals = { delivered: 0, spooled: 0, deadLettered: 0 }
        const stream = (async () => {
          while (streaming) {
            const r = await sink.send(nth(topic, next, 20))
            next += 20
            totals.delivered += r.delivered
            totals.spooled += r.spooled
            totals.deadLettered += r.deadLettered
            await sleep(100)
          }
        })()
        await sleep(3000)
        broker.stop()
        await sleep(20_000)
        expect(sink.metrics()).toMatchObject({ connected: false })
        expect(totals.spooled).toBeGreaterThan(0)
        broker.restart()
        await sleep(5000)
        streaming = false
        await stream
        for (let i = 0; i < 120 && sink.metrics().spool_entries > 0; i++) await sleep(500)
        const m = sink.metrics()
        await sink.close?.()

        expect(totals.deadLettered).toBe(0)
        expect(totals.delivered + totals.spooled).toBe(next)
        expect(m).toMatchObject({ spool_entries: 0, connected: true })
        expect(m.replayed).toBe(m.spooled)
        expect(logs.some((l) => /kafka is reachable again/.test(l.msg))).toBe(true)
        const got = readTopic(broker.brokers, topic)
        const seen = new Map<string, number>()
        for (const msg of got) seen.set(msg.key!, (seen.get(msg.key!) ?? 0) + 1)
        expect(Array.from({ length: next }, (_, i) => `r-${i}`).filter((k) => !seen.has(k))).toEqual([])
        expect([...seen.values()].filter((n) => n > 1)).toEqual([])
        const byPartition = new Map<number, number[]>()
        for (const msg of [...got].sort((a, b) => a.offset - b.offset)) {
          byPartition.set(msg.partition, [...(byPartition.get(msg.partition) ?? []), Number(msg.key!.slice(2))])
        }
        for (const ns of byPartition.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b))
      })
    }, 480_000)
  },
)

describe.skipIf(!available)(`cursors and lag on kafka.client: native${available ? '' : `: ${skipped}`}`, () => {
  it('commits, resets and reads back cursors across instances in a compacted topic', async () => {
    const topic = `cursors-${randomUUID()}`
    const config = configFrom(
      `kafka: { bootstrap_servers: "${brokers}", client: native }\ncursors: { store: kafka, topic: ${topic} }\n`,
    )
    const first = await KafkaCursorStore.open(config)
    expect(first.list()).toEqual({})
    await first.commit('firms', { VIIRS_SNPP_NRT: '2026-11-27T01:00:00Z' }, 10)
    await first.commit('firms', { VIIRS_SNPP_NRT: '2026-11-27T02:00:00Z' }, 5)
    await first.commit('noaa', 'etag-1')
    await first.reset('noaa')
    await first.close()
    const second = await KafkaCursorStore.open(config)
    expect(second.get('firms')).toMatchObject({ cursor: { VIIRS_SNPP_NRT: '2026-11-27T02:00:00Z' }, records: 15 })
    expect(second.get('noaa')).toBeUndefined()
    await second.close()
  })

  it('reads consumer lag through the native backend', async () => {
    const topic = uniqueTopic('ff-native-lag-reader')
    const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, messages: Array.from({ length: 12 }, (_, i) => ({ value: String(i) })) })
    await producer.disconnect()
    const group = `ff-native-lag-${randomUUID().slice(0, 8)}`
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '5' }] })
    await admin.disconnect()
    const { kafka: k } = resolveKafkaSinkConfig({ kafka: { bootstrap_servers: brokers, client: 'native' } })
    const reader = createKafkaLagReader({ brokers: [brokers], groups: [group], kafka: k })
    try {
      expect(await reader.read()).toMatchObject({ maxLag: 7, byGroup: { [group]: 7 } })
    } finally {
      await reader.close()
    }
  })
})
