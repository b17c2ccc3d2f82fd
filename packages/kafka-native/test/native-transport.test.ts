/**
 * The native transport against the real broker (KAFKA_BROKERS): every member of KafkaTransport,
 * with kcat and kafkajs as independent witnesses. Skipped, and said so in the test names, where
 * node-rdkafka is not built.
 */
import type { KafkaTransport, TopicRecord } from '@firefront/core'
import { createFakeContext } from '@firefront/sdk/testing'
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs'
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest'
import { resolveKafkaSinkConfig } from '../../core/src/kafka/config'
import { openKafkajsTransport } from '../../core/src/kafka/kafkajs'
import { readTopic, readUntil, uniqueTopic } from '../../core/test/kafka/kcat'
import { DEBIAN_BUILD_PACKAGES, openNativeTransport, rdKafkaAvailable } from '../src'
import { addon as batchAddon } from '@firefront/rdkafka-batch'

const available = rdKafkaAvailable()
const suite = available
  ? 'native transport (real broker)'
  : `native transport: SKIPPED, node-rdkafka is not built here (apt-get install ${DEBIAN_BUILD_PACKAGES.join(' ')}, then npm rebuild node-rdkafka)`

const brokers = inject('kafkaBrokers')
const kafkajs = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING })
const admin = kafkajs.admin()
let adminConnected = false
const kafkaAdmin = async () => {
  if (!adminConnected) await admin.connect()
  adminConnected = true
  return admin
}

const opened: KafkaTransport[] = []
afterEach(async () => {
  for (const t of opened.splice(0)) await t.disconnect()
})
afterAll(async () => {
  if (adminConnected) await admin.disconnect()
})

async function open(extra: Record<string, unknown> = {}, logger = createFakeContext().ctx.logger) {
  const { kafka } = resolveKafkaSinkConfig({ kafka: { bootstrap_servers: brokers, ...extra } })
  const t = await openNativeTransport({ kafka, logger })
  opened.push(t)
  return t
}

const firmsLike = (i: number) => ({
  key: `cell-${i % 12}`,
  value: JSON.stringify({ latitude: 36.5 + i / 1000, longitude: -121.2, frp: 1.5 * i, confidence: 'nominal', i }),
  headers: { 'content-type': 'application/json', 'firefront.source.id': 'firms-viirs', 'x-trace': `t${i}` },
  timestamp: String(1_767_225_600_000 + i),
})

const readAll = async (t: KafkaTransport, topic: string) => {
  const got: TopicRecord[] = []
  const total = await t.readTopic(topic, (r) => got.push(r), { timeoutMs: 20_000 })
  return { total, got }
}

describe.skipIf(!available)(suite, () => {
  // both ways records reach librdkafka: the batch producer addon, and node-rdkafka per record
  it.each([batchAddon ? 'batch' : undefined, 'node-rdkafka'].filter((p): p is string => p !== undefined))(
    'sends batches acks all (%s producer): kcat sees every record once with its key, headers and timestamp',
    async (producer) => {
      const t = await open({ native_producer: producer })
      const topic = uniqueTopic('ff-native-send')
      expect(await t.createTopics([topic], { partitions: 3 })).toEqual([topic])
      await t.connect()
      await t.send(
        topic,
        Array.from({ length: 300 }, (_, i) => firmsLike(i)),
      )
      await t.send(topic, [
        { key: Buffer.from('buf-key'), value: Buffer.from([0, 1, 2]) },
        { key: 'gone', value: null },
      ])
      await t.send(topic, [])

      const seen = readTopic(brokers, topic)
      expect(seen).toHaveLength(302)
      const byId = new Map(seen.filter((m) => m.value.startsWith('{')).map((m) => [JSON.parse(m.value).i as number, m]))
      expect([...byId.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i))
      for (const [i, m] of byId) {
        expect(m.key).toBe(`cell-${i % 12}`)
        expect(m.headers).toEqual(firmsLike(i).headers)
      }
      // same key, same partition
      const parts = new Map<string, Set<number>>()
      for (const m of byId.values()) parts.set(m.key!, (parts.get(m.key!) ?? new Set()).add(m.partition))
      for (const p of parts.values()) expect(p.size).toBe(1)

      // the timestamp given is the record's timestamp, and a null value is a tombstone
      const { total, got } = await readAll(t, topic)
      expect(total).toBe(302)
      const first = got.find((r) => r.value?.toString().includes('"i":0,') || r.value?.toString().endsWith('"i":0}'))
      expect(first?.timestamp).toBe('1767225600000')
      const tomb = got.find((r) => r.key?.toString() === 'gone')
      expect(tomb?.value).toBeNull()
      expect(got.find((r) => r.key?.toString() === 'buf-key')?.value).toEqual(Buffer.from([0, 1, 2]))
    },
  )

  it('puts each key on the partition kafkajs’ DefaultPartitioner picks (the Java client’s murmur2)', async () => {
    const native = await open()
    const js = await openKafkajsTransport({ brokers: [brokers] })
    opened.push(js)
    const a = uniqueTopic('ff-native-murmur')
    const b = uniqueTopic('ff-kafkajs-murmur')
    await native.createTopics([a, b], { partitions: 6 })
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `key-${i}-é`, value: String(i) }))
    await native.send(a, messages)
    await js.send(b, messages)
    const partitionOf = (topic: string) => new Map(readTopic(brokers, topic).map((m) => [m.key, m.partition]))
    const viaNative = partitionOf(a)
    const viaKafkajs = partitionOf(b)
    expect(viaNative.size).toBe(200)
    expect(new Set(viaNative.values()).size).toBe(6)
    expect([...viaNative].sort()).toEqual([...viaKafkajs].sort())
  })

  it('rejects a send with the first delivery error once every report is in; a record-level refusal is `record`', async () => {
    const t = await open()
    const topic = uniqueTopic('ff-native-too-large')
    const a = await kafkaAdmin()
    await a.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
      waitForLeaders: true,
    })
    const big = { key: 'big', value: 'x'.repeat(10_000) }
    const err = await t.send(topic, [big]).catch((e: unknown) => e)
    expect(t.classify(err)).toMatchObject({ kind: 'record', code: 'MESSAGE_TOO_LARGE' })
    // the producer is still usable, and the small records go through on their own
    await t.send(topic, [
      { key: 'a', value: 'small' },
      { key: 'b', value: 'small' },
    ])
    expect(readTopic(brokers, topic).map((m) => m.key)).toEqual(['a', 'b'])
  })

  it('creates only missing topics, compacted when asked, and waits for their leaders', async () => {
    const t = await open({ topics: { partitions: 2 } })
    const plain = uniqueTopic('ff-native-plain')
    const compacted = uniqueTopic('ff-native-compacted')
    expect(await t.createTopics([plain])).toEqual([plain])
    expect(await t.createTopics([plain, compacted], { partitions: 1, compacted: true })).toEqual([compacted])
    expect(await t.createTopics([plain, compacted])).toEqual([])
    const a = await kafkaAdmin()
    const md = await a.fetchTopicMetadata({ topics: [plain, compacted] })
    expect(Object.fromEntries(md.topics.map((x) => [x.name, x.partitions.length]))).toEqual({
      [plain]: 2,
      [compacted]: 1,
    })
    const described = await a.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] }],
    })
    expect(described.resources[0]?.configEntries[0]?.configValue).toBe('compact')
    // readable at once: every partition has a leader
    expect(await t.readTopic(plain, () => {}, { timeoutMs: 10_000 })).toBe(0)
  })

  it('refuses a topic the broker refuses with ERR_SINK_REFUSED naming the topic and the broker’s reason', async () => {
    const t = await open()
    await expect(t.createTopics(['bad topic name!'])).rejects.toMatchObject({
      code: 'ERR_SINK_REFUSED',
      message: expect.stringMatching(/kafka refused to create topic "bad topic name!".*\[INVALID_TOPIC_EXCEPTION\]/),
    })
    const rf3 = uniqueTopic('ff-native-rf3')
    const err = await t.createTopics([rf3], { replicationFactor: 3 }).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'ERR_SINK_REFUSED',
      message: expect.stringMatching(
        new RegExp(
          `kafka refused to create topic "${rf3}" \\(3 partitions, replication factor 3\\).*INVALID_REPLICATION_FACTOR`,
        ),
      ),
    })
    expect(t.classify(err)).toMatchObject({ kind: 'refused', code: 'ERR_SINK_REFUSED' })
  })

  it('probes, and replaces the producer with a new one that sends', async () => {
    const t = await open()
    const topic = uniqueTopic('ff-native-reset')
    await t.createTopics([topic], { partitions: 1 })
    await t.probe()
    await t.send(topic, [{ key: 'before', value: '1' }])
    await t.resetProducer()
    await t.send(topic, [{ key: 'after', value: '2' }])
    expect(readTopic(brokers, topic).map((m) => m.key)).toEqual(['before', 'after'])
  })

  it('reads lag per group: committed topics only, the low watermark where a partition has no commit', async () => {
    const t = await open()
    const topic = uniqueTopic('ff-native-lag')
    const other = uniqueTopic('ff-native-lag-other')
    await t.createTopics([topic, other], { partitions: 3 })
    // 10 records on each partition of `topic`, 7 on `other`
    // idempotent: a retried send must not write records twice (the lag counts them)
    const producer = kafkajs.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    for (let p = 0; p < 3; p++) {
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: p, value: `${i}` })) })
    }
    await producer.send({
      topic: other,
      messages: Array.from({ length: 7 }, (_, i) => ({ partition: 0, value: `${i}` })),
    })
    await producer.disconnect()
    const group = `ff-native-lag-${Date.now()}`
    const a = await kafkaAdmin()
    // committed on partitions 0 (at 4) and 1 (at 10); none on 2
    await a.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '4' },
        { partition: 1, offset: '10' },
      ],
    })
    const lag = await t.readLag([group, 'ff-native-never-committed'])
    expect(lag).toEqual({ [group]: 6 + 0 + 10, 'ff-native-never-committed': 0 })
    // a second reading reuses the group's consumer and sees a new commit
    await a.setOffsets({ groupId: group, topic, partitions: [{ partition: 2, offset: '10' }] })
    expect(await t.readLag([group])).toEqual({ [group]: 6 })
  })

  it('reads a topic from its start to the high watermark taken when called, in order per partition', async () => {
    const t = await open()
    const topic = uniqueTopic('ff-native-read')
    await t.createTopics([topic], { partitions: 3 })
    await t.send(
      topic,
      Array.from({ length: 90 }, (_, i) => ({ key: `k${i % 9}`, value: String(i) })),
    )
    const { total, got } = await readAll(t, topic)
    expect(total).toBe(90)
    expect(got).toHaveLength(90)
    for (let p = 0; p < 3; p++) {
      const offsets = got.filter((r) => r.partition === p).map((r) => Number(r.offset))
      expect(offsets).toEqual(offsets.map((_, i) => i))
    }
    expect(new Set(got.map((r) => r.value?.toString())).size).toBe(90)
    // a topic that does not exist: 0, and no visit
    expect(await t.readTopic(uniqueTopic('ff-native-none'), () => expect.unreachable(), { timeoutMs: 5000 })).toBe(0)
    // too little time: ERR_TIMEOUT
    await expect(t.readTopic(topic, () => {}, { timeoutMs: 1 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
  })

  it('transactions: a producer fenced by a newer one fails its next transaction as fenced, and gets nothing in', async () => {
    const t = await open()
    const topic = uniqueTopic('ff-native-txn')
    await t.createTopics([topic], { partitions: 1 })
    const id = `ff-native-txn-${Date.now()}`
    const older = await t.transactional!(id)
    const first = await older.begin()
    await first.send(topic, [{ key: 'a', value: '1' }])
    await first.commit()
    const newer = await t.transactional!(id)
    // the older producer finds out on its next write: librdkafka purges it, and says why
    const next = await older.begin()
    const err = await next.send(topic, [{ key: 'zombie', value: '2' }]).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_FENCED', message: expect.stringContaining(id) })
    expect(t.classify(err)).toMatchObject({ kind: 'fenced' })
    await next.abort()
    const last = await newer.begin()
    await last.send(topic, [{ key: 'b', value: '3' }])
    await last.commit()
    await older.disconnect()
    await newer.disconnect()
    const committed: string[] = []
    await readUntil(
      async () => {
        committed.length = 0
        await t.readTopic(topic, (r) => committed.push(r.key!.toString()), { timeoutMs: 20_000 })
        return committed.length
      },
      (n) => n >= 2,
    )
    expect(committed).toEqual(['a', 'b'])
  })

  it('fails fast and clearly when no broker answers, and disconnects without hanging', async () => {
    const { ctx, logs } = createFakeContext()
    const { kafka } = resolveKafkaSinkConfig({
      kafka: { bootstrap_servers: '127.0.0.1:1', request_timeout_ms: 30_000 },
    })
    const t = await openNativeTransport({ kafka, logger: ctx.logger })
    opened.push(t)
    for (const attempt of [() => t.connect(), () => t.probe(), () => t.send('x', [{ key: 'k', value: 'v' }])]) {
      const t0 = Date.now()
      const err = await attempt().catch((e: unknown) => e)
      // well within the 30 s request timeout
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(t.classify(err)).toMatchObject({ kind: 'unavailable', code: '_ALL_BROKERS_DOWN' })
      expect((err as Error).message).toMatch(/127\.0\.0\.1:1.*Connection refused/)
    }
    expect(logs.some((l) => l.level === 40 && /Connection refused/.test(l.msg))).toBe(true)
    const t0 = Date.now()
    await t.disconnect()
    await t.disconnect()
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it('never writes the SASL password into a log line or an error; a mechanism the broker lacks is refused', async () => {
    const password = 'Tr0ub4dor-and-3-more'
    const { ctx, logs } = createFakeContext()
    const t = await open({ sasl: { mechanism: 'scram-sha-256', username: 'ingest', password } }, ctx.logger)
    const err = await t.connect().catch((e: unknown) => e)
    // The broker speaks PLAINTEXT: the SASL handshake is refused.
    expect(t.classify(err)).toMatchObject({ kind: 'refused', code: 'ILLEGAL_SASL_STATE' })
    await t.disconnect()
    const seen = JSON.stringify({ logs, message: (err as Error).message, stack: (err as Error).stack })
    expect(logs.length).toBeGreaterThan(0)
    expect(seen).not.toContain(password)
  })

  describe('with the producer in a child process (kafka.producer_process)', () => {
    it('sends batches made one after another without waiting: every record once, in call order per partition', async () => {
      const t = await open({ producer_process: true })
      const topic = uniqueTopic('ff-native-process')
      await t.createTopics([topic], { partitions: 3 })
      const sends = Array.from({ length: 8 }, (_, b) =>
        t.send(
          topic,
          Array.from({ length: 200 }, (_, i) => firmsLike(b * 200 + i)),
        ),
      )
      await Promise.all(sends)
      const { total, got } = await readAll(t, topic)
      expect(total).toBe(1600)
      const seq = (r: TopicRecord) => (JSON.parse(String(r.value)) as { i: number }).i
      expect(new Set(got.map(seq)).size).toBe(1600)
      for (let p = 0; p < 3; p++) {
        const inPartition = got.filter((r) => r.partition === p).map(seq)
        expect(inPartition).toEqual([...inPartition].sort((a, b) => a - b))
      }
      const first = got.find((r) => seq(r) === 0)!
      expect(first.key?.toString()).toBe('cell-0')
      expect(first.headers).toEqual(firmsLike(0).headers)
      expect(first.timestamp).toBe('1767225600000')
    })

    it('surfaces a refused record as `record`, and an unreachable broker as unavailable, through the process', async () => {
      const t = await open({ producer_process: true })
      const topic = uniqueTopic('ff-native-process-too-large')
      const a = await kafkaAdmin()
      await a.createTopics({
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
        waitForLeaders: true,
      })
      const err = await t.send(topic, [{ key: 'big', value: 'x'.repeat(10_000) }]).catch((e: unknown) => e)
      expect(t.classify(err)).toMatchObject({ kind: 'record', code: 'MESSAGE_TOO_LARGE' })
      await t.send(topic, [{ key: 'a', value: 'small' }])
      await t.resetProducer()
      await t.send(topic, [{ key: 'b', value: 'small' }])
      expect(readTopic(brokers, topic).map((m) => m.key)).toEqual(['a', 'b'])

      const { ctx, logs } = createFakeContext()
      const { kafka } = resolveKafkaSinkConfig({
        kafka: {
          bootstrap_servers: '127.0.0.1:1',
          client: 'native',
          producer_process: true,
          connection_timeout_ms: 1000,
        },
      })
      const away = await openNativeTransport({ kafka, logger: ctx.logger })
      opened.push(away)
      const t0 = Date.now()
      const down = await away.send('x', [{ key: 'k', value: 'v' }]).catch((e: unknown) => e)
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(away.classify(down)).toMatchObject({ kind: 'unavailable', code: '_ALL_BROKERS_DOWN' })
      expect((down as Error).message).toMatch(/127\.0\.0\.1:1.*Connection refused/)
      // librdkafka's log lines reach the logger from the process
      expect(logs.some((l) => l.level === 40 && /Connection refused/.test(l.msg))).toBe(true)
    })
  })
})
