/**
 * One suite every Kafka client backend passes against the real broker (KAFKA_BROKERS): the
 * transport's members as delivery, the lag throttle, the cursor store and `firefront dlq` use
 * them. kcat and a kafkajs admin are the witnesses, so a backend is never checked by itself.
 */
import { randomUUID } from 'node:crypto'
import { ConfigResourceTypes, Kafka, logLevel, Partitioners } from 'kafkajs'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { resolveKafkaSinkConfig } from '../../src/kafka/config'
import { openKafkaTransport } from '../../src/kafka/open-transport'
import type { KafkaMessage, KafkaTransport, TopicRecord } from '../../src/kafka/transport'
import { CLIENTS } from './clients'
import { readTopic, readUntil, readValues, uniqueTopic } from './kcat'

const brokers = inject('kafkaBrokers')
const witness = new Kafka({ brokers: [brokers], clientId: 'conformance-witness', logLevel: logLevel.NOTHING })
const admin = witness.admin()
let adminConnected = false
const witnessAdmin = async () => {
  if (!adminConnected) {
    await admin.connect()
    adminConnected = true
  }
  return admin
}
afterAll(async () => {
  if (adminConnected) await admin.disconnect()
})

/** kafkajs' DefaultPartitioner (murmur2, as the Java client): where a key must land. */
function expectedPartition(topic: string, key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner()
  return partitioner({
    topic,
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      partitionErrorCode: 0,
    })),
    message: { key, value: null },
  })
}

const message = (n: number): KafkaMessage => ({
  key: `cell-${n % 17}`,
  value: JSON.stringify({ n, frp: n * 0.25, note: 'ünïcode ✓' }),
  headers: { 'firefront.source.id': 'firms', 'x-n': String(n) },
  timestamp: String(1_767_225_600_000 + n),
})

for (const { client, name, settings, missing } of CLIENTS) {
  describe.skipIf(missing !== undefined)(`kafka client "${name}"${missing ? ` (skipped: ${missing})` : ''}`, () => {
    const open = (kafka: Record<string, unknown> = {}, extra: { retries?: number } = {}) =>
      openKafkaTransport({
        kafka: resolveKafkaSinkConfig({
          kafka: { bootstrap_servers: brokers, ...settings, topics: { partitions: 3 }, ...kafka },
        }).kafka,
        ...extra,
      })
    const transports: KafkaTransport[] = []
    afterAll(async () => {
      for (const t of transports) await t.disconnect()
    })
    const opened = async (kafka: Record<string, unknown> = {}) => {
      const t = await open(kafka)
      transports.push(t)
      return t
    }

    it('names itself', async () => {
      expect((await opened()).client).toBe(client)
    })

    it('creates topics once (partitions from config), and compacted ones on request', async () => {
      const t = await opened()
      const plain = uniqueTopic(`ff-conf-${client}`)
      const compacted = uniqueTopic(`ff-conf-${client}-cursors`)
      expect(await t.createTopics([plain])).toEqual([plain])
      expect(await t.createTopics([plain])).toEqual([])
      expect(await t.createTopics([compacted], { compacted: true, partitions: 1 })).toEqual([compacted])
      const a = await witnessAdmin()
      const meta = await a.fetchTopicMetadata({ topics: [plain, compacted] })
      expect(meta.topics.find((x) => x.name === plain)?.partitions).toHaveLength(3)
      expect(meta.topics.find((x) => x.name === compacted)?.partitions).toHaveLength(1)
      const described = await a.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] }],
      })
      expect(described.resources[0]?.configEntries[0]?.configValue).toBe('compact')
    })

    it('refuses a topic the broker will not create, naming it and the broker’s reason', async () => {
      const t = await opened()
      const topic = uniqueTopic(`ff-conf-${client}-rf`)
      await expect(t.createTopics([topic], { replicationFactor: 3 })).rejects.toMatchObject({
        code: 'ERR_SINK_REFUSED',
        message: expect.stringMatching(new RegExp(`${topic}.*replication`, 'i')),
      })
    })

    it('sends keys, values, headers and timestamps intact, each key on its murmur2 partition', async () => {
      const t = await opened()
      const topic = uniqueTopic(`ff-conf-${client}-send`)
      await t.createTopics([topic])
      await t.connect()
      const sent = Array.from({ length: 200 }, (_, n) => message(n))
      await t.send(topic, sent.slice(0, 120))
      await t.send(topic, sent.slice(120))
      const got = readTopic(brokers, topic)
      expect(got).toHaveLength(200)
      const byN = new Map(got.map((m) => [JSON.parse(m.value).n as number, m]))
      for (const m of sent) {
        const n = JSON.parse(m.value as string).n as number
        const w = byN.get(n)!
        expect(w.key).toBe(m.key)
        expect(w.value).toBe(m.value)
        expect(w.headers).toEqual(m.headers)
        expect(w.partition).toBe(expectedPartition(topic, m.key as string, 3))
      }
      // order within a partition is the order sent
      for (let p = 0; p < 3; p++) {
        const ns = got.filter((m) => m.partition === p).map((m) => JSON.parse(m.value).n as number)
        expect(ns).toEqual([...ns].sort((a, b) => a - b))
      }
      // the message timestamps were kept (read back by the transport itself)
      const seen: TopicRecord[] = []
      expect(await t.readTopic(topic, (r) => seen.push(r), { timeoutMs: 20_000 })).toBe(200)
      expect(seen).toHaveLength(200)
      for (const r of seen) {
        const n = JSON.parse(r.value!.toString()).n as number
        expect(r.timestamp).toBe(sent[n]!.timestamp)
        expect(r.headers).toEqual(sent[n]!.headers)
        expect(r.key?.toString()).toBe(sent[n]!.key)
      }
    })

    it('sends a tombstone (null value) and null keys', async () => {
      const t = await opened()
      const topic = uniqueTopic(`ff-conf-${client}-null`)
      await t.createTopics([topic], { partitions: 1 })
      await t.send(topic, [
        { key: 'gone', value: null },
        { key: null, value: '{"keyless":true}' },
      ])
      const seen: TopicRecord[] = []
      await t.readTopic(topic, (r) => seen.push(r), { timeoutMs: 20_000 })
      expect(seen.map((r) => [r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
        ['gone', null],
        [null, '{"keyless":true}'],
      ])
    })

    it('reads a topic that does not exist as empty, and a topic to the end it had when called', async () => {
      const t = await opened()
      expect(await t.readTopic(uniqueTopic('ff-conf-none'), () => {}, { timeoutMs: 10_000 })).toBe(0)
      const topic = uniqueTopic(`ff-conf-${client}-read`)
      await t.createTopics([topic])
      await t.send(
        topic,
        Array.from({ length: 30 }, (_, n) => message(n)),
      )
      let count = 0
      const total = await t.readTopic(
        topic,
        () => {
          count++
        },
        { timeoutMs: 20_000 },
      )
      expect([total, count]).toEqual([30, 30])
      // the throw-away reader group is gone afterwards
      const { groups } = await (await witnessAdmin()).listGroups()
      expect(groups.filter((g) => g.groupId.startsWith('firefront-reader-'))).toEqual([])
    })

    it('reads consumer lag per group: high watermark minus committed offset, low watermark without one', async () => {
      const t = await opened()
      const topic = uniqueTopic(`ff-conf-${client}-lag`)
      await t.createTopics([topic], { partitions: 2 })
      // 20 records on partition 0 and 10 on partition 1, whatever the partitioner
      const a = await witnessAdmin()
      // idempotent: a retry of the send (the topic is seconds old) must not write a partition's records twice
      const producer = witness.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
      })
      await producer.connect()
      await producer.send({
        topic,
        messages: [
          ...Array.from({ length: 20 }, (_, n) => ({ partition: 0, value: `a${n}` })),
          ...Array.from({ length: 10 }, (_, n) => ({ partition: 1, value: `b${n}` })),
        ],
      })
      await producer.disconnect()
      const group = `ff-conf-group-${randomUUID().slice(0, 8)}`
      await a.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '15' }] })
      const lag = await t.readLag([group, `ff-conf-nobody-${randomUUID().slice(0, 8)}`])
      // partition 0: 20 - 15; partition 1 has no committed offset: the group never read it
      // (kafkajs' admin reports it as -1, counted from the low watermark)
      expect(lag[group]).toBe(5 + 10)
      expect(Object.values(lag)[1]).toBe(0)
    })

    it('probes a live broker, and fails fast and classified as unavailable against a dead address', async () => {
      const live = await opened()
      await expect(live.probe()).resolves.toBeUndefined()
      const dead = await opened({
        bootstrap_servers: '127.0.0.1:1',
        request_timeout_ms: 1000,
        connection_timeout_ms: 500,
      })
      const t0 = Date.now()
      const err = await dead.send('ff-conf-dead', [message(1)]).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeDefined()
      expect(Date.now() - t0).toBeLessThan(20_000)
      expect(dead.classify(err).kind).toBe('unavailable')
      await expect(dead.probe()).rejects.toBeDefined()
    })

    it('classifies a record the broker refuses as a record failure, and the producer still works after', async () => {
      const t = await opened()
      const topic = uniqueTopic(`ff-conf-${client}-big`)
      await t.createTopics([topic], { partitions: 1 })
      await (await witnessAdmin()).alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: [{ name: 'max.message.bytes', value: '2048' }],
          },
        ],
      })
      const big: KafkaMessage = { key: 'big', value: 'x'.repeat(8192) }
      const err = await t.send(topic, [big]).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeDefined()
      const failure = t.classify(err)
      expect(failure).toMatchObject({ kind: 'record', authentication: false })
      expect(failure.code).toMatch(/TOO_LARGE/)
      await t.send(topic, [{ key: 'small', value: '"ok"' }])
      const got = readTopic(brokers, topic)
      expect(got.map((m) => m.value)).toEqual(['"ok"'])
    })

    it('a new producer (resetProducer) goes on sending, and disconnect is clean and repeatable', async () => {
      const t = await open()
      const topic = uniqueTopic(`ff-conf-${client}-reset`)
      await t.createTopics([topic])
      await t.send(topic, [message(1)])
      await t.resetProducer()
      await t.send(topic, [message(2)])
      await t.disconnect()
      await t.disconnect()
      expect(readTopic(brokers, topic).map((m) => JSON.parse(m.value).n)).toEqual(expect.arrayContaining([1, 2]))
    })

    it('transactions: a commit is visible to read_committed, an abort never; a newer producer fences the older', async (ctx) => {
      const t = await opened()
      if (!t.transactional) return ctx.skip()
      const topic = uniqueTopic(`ff-conf-${client}-txn`)
      await t.createTopics([topic], { partitions: 1 })
      const id = `ff-conf-${client}-${randomUUID().slice(0, 8)}`
      const older = await t.transactional(id)
      const committed = await older.begin()
      await committed.send(topic, [message(1), message(2)])
      await committed.commit()
      const aborted = await older.begin()
      await aborted.send(topic, [message(3)])
      await aborted.abort()
      const open = await older.begin()
      await open.send(topic, [message(4)])
      // a newer producer with the same id: the older one's open transaction is aborted, it is fenced
      const newer = await t.transactional(id)
      const failure = await open.commit().then(
        () => undefined,
        (e: unknown) => t.classify(e),
      )
      expect(failure?.kind).toBe('fenced')
      await open.abort()
      const last = await newer.begin()
      await last.send(topic, [message(5)])
      await last.commit()
      await older.disconnect()
      await newer.disconnect()
      const visible = await readUntil(
        () => readValues(brokers, topic, 'read_committed'),
        (v) => v.length >= 3,
      )
      expect(visible.map((v) => JSON.parse(v).n)).toEqual([1, 2, 5])
      // a read_uncommitted reader sees the aborted records too: they were written, then aborted
      expect(readValues(brokers, topic, 'read_uncommitted').map((v) => JSON.parse(v).n)).toEqual([1, 2, 3, 4, 5])
    })

    it('keeps the SASL password out of every error it throws', async () => {
      const secret = `pw-${randomUUID()}`
      const t = await opened({
        bootstrap_servers: '127.0.0.1:1',
        request_timeout_ms: 1000,
        connection_timeout_ms: 500,
        sasl: { mechanism: 'plain', username: 'firefront', password: secret },
      })
      const err = await t.send('ff-conf-sasl', [message(1)]).then(
        () => undefined,
        (e: unknown) => e,
      )
      const failure = t.classify(err)
      expect(err).toBeDefined()
      expect(String((err as Error).message)).not.toContain(secret)
      expect(failure.message).not.toContain(secret)
    })
  })
}
