/**
 * The kafka sink and the consumer-lag reader on `kafka.client: native` against the real broker
 * (KAFKA_BROKERS), with kcat as the witness: what only this backend does differently. Core's
 * kafka tests (sink, outage, cursor store, exactly-once, conformance) run on every installed
 * backend, this one included.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SinkRecord } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createKafkaLagReader } from '../../core/src/kafka/lag-reader'
import { openKafkaTransport } from '../../core/src/kafka/open-transport'
import { createKafkaSink, HEADERS, type KafkaSinkInstance, resolveKafkaSinkConfig } from '../../core/src/sinks/kafka'
import { readTopic, uniqueTopic } from '../../core/test/kafka/kcat'
import { DEBIAN_BUILD_PACKAGES, rdKafkaAvailable } from '../src'

const available = rdKafkaAvailable()
const skipped = `SKIPPED, node-rdkafka is not built here (apt-get install ${DEBIAN_BUILD_PACKAGES.join(' ')}, then npm rebuild node-rdkafka)`
const brokers = inject('kafkaBrokers')
const witness = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING })

const rec = (key: string, value: unknown): SinkRecord => ({
  key,
  value,
  sourceId: 'firms-viirs',
  sourceType: 'nasa_firms',
  priority: 'normal',
  ingestedAt: '2026-01-01T00:00:00.000Z',
})

const sinks: KafkaSinkInstance[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close?.()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function makeSink(kafka: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'firefront-native-sink-'))
  dirs.push(dir)
  const dlqTopic = uniqueTopic('ff-native-dlq')
  const config = resolveKafkaSinkConfig({
    state_dir: dir,
    dlq: { topic: dlqTopic },
    kafka: { bootstrap_servers: brokers, client: 'native', topics: { partitions: 3 }, ...kafka },
  })
  const sink = createKafkaSink(config, createFakeContext({ id: 'sink:kafka#native' }).ctx)
  sinks.push(sink)
  return { sink, config, dlqTopic }
}

describe.skipIf(!available)(`kafka.client: native (real broker)${available ? '' : `: ${skipped}`}`, () => {
  it('opens this package’s transport, loaded by name as a config file asks for it', async () => {
    const { config } = makeSink()
    const transport = await openKafkaTransport({ kafka: config.kafka })
    expect(transport.client).toBe('native')
    await transport.probe()
    await transport.disconnect()
  })

  it('dead-letters a record the broker refuses (librdkafka reports it per record), and delivers the rest', async () => {
    const { sink, dlqTopic } = makeSink()
    await sink.start?.()
    const topic = uniqueTopic('ff-native-broker-limit')
    // The broker's limit for this topic is below what the sink allows: the broker refuses the record.
    const admin = witness.admin()
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
    expect(await sink.send({ topic, sourceId: 'firms-viirs', sourceType: 'nasa_firms', records })).toEqual({
      delivered: 3,
      deadLettered: 1,
      spooled: 0,
    })
    expect(readTopic(brokers, dlqTopic).map((m) => [m.key, m.headers[HEADERS.errorCode]])).toEqual([
      ['big', 'MESSAGE_TOO_LARGE'],
    ])
    expect(
      readTopic(brokers, topic)
        .map((m) => m.key)
        .sort(),
    ).toEqual(['a', 'c', 'd'])
  })

  it('with 4 batches in flight, delivers every record once and in order per key and partition', async () => {
    const { sink } = makeSink({ max_in_flight_batches: 4 })
    await sink.start?.()
    expect(sink.maxInFlightBatches).toBe(4)
    const topic = uniqueTopic('ff-native-in-flight')
    await sink.ensureTopics([topic])
    const keys = 24
    const perBatch = 250
    const batches = 12
    // Every batch is handed over without waiting for the previous one's acknowledgement.
    const results = await Promise.all(
      Array.from({ length: batches }, (_, b) =>
        sink.send({
          topic,
          sourceId: 'firms-viirs',
          sourceType: 'nasa_firms',
          records: Array.from({ length: perBatch }, (_, i) => {
            const seq = b * perBatch + i
            return rec(`cell-${seq % keys}`, { seq })
          }),
        }),
      ),
    )
    for (const r of results) expect(r).toEqual({ delivered: perBatch, deadLettered: 0, spooled: 0 })
    const seen = readTopic(brokers, topic).sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    expect(seen).toHaveLength(batches * perBatch)
    const seqs = seen.map((m) => (JSON.parse(m.value) as { seq: number }).seq)
    expect(new Set(seqs).size).toBe(batches * perBatch)
    const lastByKey = new Map<string, number>()
    const lastByPartition = new Map<number, number>()
    for (const [i, m] of seen.entries()) {
      const seq = seqs[i]!
      expect(seq).toBeGreaterThan(lastByKey.get(m.key ?? '') ?? -1)
      expect(seq).toBeGreaterThan(lastByPartition.get(m.partition) ?? -1)
      lastByKey.set(m.key ?? '', seq)
      lastByPartition.set(m.partition, seq)
    }
    expect(lastByPartition.size).toBe(3)
  })

  it('reads consumer lag for the throttle through the native backend', async () => {
    const topic = uniqueTopic('ff-native-lag-reader')
    const admin = witness.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
    // idempotent: a retried send must not write records twice (the lag counts them)
    const producer = witness.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    await producer.send({ topic, messages: Array.from({ length: 12 }, (_, i) => ({ value: String(i) })) })
    await producer.disconnect()
    const group = `ff-native-lag-${randomUUID().slice(0, 8)}`
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '5' }] })
    await admin.disconnect()
    const { kafka } = resolveKafkaSinkConfig({ kafka: { bootstrap_servers: brokers, client: 'native' } })
    const reader = createKafkaLagReader({ brokers: [brokers], groups: [group], kafka })
    try {
      expect(await reader.read()).toMatchObject({ maxLag: 7, byGroup: { [group]: 7 } })
    } finally {
      await reader.close()
    }
  })
})
