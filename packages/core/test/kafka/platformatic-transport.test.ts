/**
 * What the platformatic backend must do beyond the conformance suite, against the real broker
 * (KAFKA_BROKERS): keys land where the kafkajs backend puts them, a broker that accepts
 * connections but never answers surfaces as an error within about the request timeout, a topic
 * is read to the end it had when the read began (past commit markers, short of open
 * transactions), gzip batches arrive intact. kcat is the witness.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { resolveKafkaSinkConfig } from '../../src/kafka/config'
import { openKafkaTransport } from '../../src/kafka/open-transport'
import type { KafkaMessage, KafkaTransport } from '../../src/kafka/transport'
import { readTopic, readUntil, uniqueTopic } from './kcat'

const brokers = inject('kafkaBrokers')

const transports: KafkaTransport[] = []
afterAll(async () => {
  for (const t of transports) await t.disconnect().catch(() => {})
})

async function open(client: 'kafkajs' | 'platformatic', kafka: Record<string, unknown> = {}): Promise<KafkaTransport> {
  const t = await openKafkaTransport({
    kafka: resolveKafkaSinkConfig({
      kafka: { bootstrap_servers: brokers, client, topics: { partitions: 3 }, ...kafka },
    }).kafka,
  })
  transports.push(t)
  return t
}

const message = (n: number, key: string | null = `cell-${n}`): KafkaMessage => ({
  key,
  value: JSON.stringify({ n, frp: n / 4 }),
  headers: { 'x-n': String(n) },
  timestamp: String(1_767_225_600_000 + n),
})

/** A TCP server that accepts connections and never answers: a hung broker. */
async function silentBroker(): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

describe('the platformatic backend against the real broker', () => {
  it('puts each key on the partition the kafkajs backend puts it on (3 partitions)', async () => {
    const kafkajs = await open('kafkajs')
    const platformatic = await open('platformatic')
    const keys = Array.from({ length: 300 }, (_, n) => (n % 3 === 0 ? `cell-${n}` : `${n}-ünï-${'k'.repeat(n % 40)}`))
    const sent = keys.map((key, n) => message(n, key))
    const viaKafkajs = uniqueTopic('ff-plt-parity-kafkajs')
    const viaPlatformatic = uniqueTopic('ff-plt-parity-platformatic')
    await kafkajs.createTopics([viaKafkajs])
    await platformatic.createTopics([viaPlatformatic])
    await kafkajs.send(viaKafkajs, sent)
    await platformatic.send(viaPlatformatic, sent)
    const partitionOf = (topic: string) => new Map(readTopic(brokers, topic).map((m) => [m.key, m.partition]))
    const expected = partitionOf(viaKafkajs)
    const got = partitionOf(viaPlatformatic)
    expect(got.size).toBe(keys.length)
    expect(new Set(got.values()).size).toBe(3)
    for (const key of keys) expect([key, got.get(key)]).toEqual([key, expected.get(key)])
  })

  it('surfaces a broker that never answers as unavailable within about the request timeout, and disconnects', async () => {
    const hung = await silentBroker()
    try {
      const t = await open('platformatic', {
        bootstrap_servers: hung.address,
        request_timeout_ms: 1000,
        connection_timeout_ms: 1000,
      })
      for (const attempt of [() => t.send('ff-plt-hung', [message(1)]), () => t.probe()]) {
        const t0 = Date.now()
        const err = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        )
        const took = Date.now() - t0
        expect(err).toBeDefined()
        expect(t.classify(err)).toMatchObject({ kind: 'unavailable', code: 'PLT_KFK_TIMEOUT' })
        // Not a speed target: it must not wait for the library's default timeouts or retry forever.
        expect(took).toBeLessThan(15_000)
      }
      const t0 = Date.now()
      await t.disconnect()
      expect(Date.now() - t0).toBeLessThan(15_000)
    } finally {
      await hung.close()
    }
  })

  it('reads a topic to the end it had when the read began, not what arrives meanwhile', async () => {
    const t = await open('platformatic')
    const topic = uniqueTopic('ff-plt-read-end')
    await t.createTopics([topic])
    await t.send(
      topic,
      Array.from({ length: 40 }, (_, n) => message(n)),
    )
    let visited = 0
    let wrote: Promise<void> | undefined
    const total = await t.readTopic(
      topic,
      () => {
        visited++
        // records produced while reading are past the watermark taken at the start
        wrote ??= t.send(
          topic,
          Array.from({ length: 25 }, (_, n) => message(100 + n)),
        )
      },
      { timeoutMs: 20_000 },
    )
    await wrote
    expect([total, visited]).toEqual([40, 40])
    expect(readTopic(brokers, topic)).toHaveLength(65)
  })

  it('gives up reading with ERR_TIMEOUT after timeoutMs', async () => {
    const t = await open('platformatic')
    const topic = uniqueTopic('ff-plt-read-timeout')
    await t.createTopics([topic])
    await t.send(topic, [message(1)])
    await expect(t.readTopic(topic, () => {}, { timeoutMs: 1 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
  })

  it('sends gzip batches that any client reads back intact', async () => {
    const t = await open('platformatic', { compression: 'gzip' })
    const topic = uniqueTopic('ff-plt-gzip')
    await t.createTopics([topic])
    const sent = Array.from({ length: 120 }, (_, n) => message(n))
    await t.send(topic, sent)
    const got = readTopic(brokers, topic)
    expect(got.map((m) => m.value).sort()).toEqual(sent.map((m) => m.value as string).sort())
    expect(got.every((m) => m.headers['x-n'] === String(JSON.parse(m.value).n))).toBe(true)
  })

  it('reads past a transaction’s commit marker, and stops before a transaction still open', async () => {
    const t = await open('platformatic')
    const topic = uniqueTopic('ff-plt-read-txn')
    await t.createTopics([topic], { partitions: 1 })
    const writer = await t.transactional!(`ff-plt-read-txn-${topic}`)
    try {
      const committed = await writer.begin()
      await committed.send(topic, [message(1), message(2), message(3)])
      await committed.commit()
      const seen: number[] = []
      const read = () => t.readTopic(topic, (r) => seen.push(JSON.parse(r.value!.toString()).n), { timeoutMs: 20_000 })
      // The coordinator writes the commit marker just after the commit returns; until then the
      // records are not stable yet and a read_committed reader ends before them.
      const total = await readUntil(
        () => {
          seen.length = 0
          return read()
        },
        (n) => n >= 4,
      )
      // 3 records and the commit marker after them
      expect(total).toBe(4)
      expect(seen).toEqual([1, 2, 3])
      const pending = await writer.begin()
      await pending.send(topic, [message(4), message(5)])
      seen.length = 0
      expect(await read()).toBe(4)
      expect(seen).toEqual([1, 2, 3])
      await pending.abort()
    } finally {
      await writer.disconnect()
    }
  })

  it('asks delivery for runs of at most 500 records, and sends a larger transaction whole', async () => {
    const t = await open('platformatic')
    expect(t.maxRecordsPerSend).toBe(500)
    const topic = uniqueTopic('ff-plt-txn-large')
    await t.createTopics([topic])
    const writer = await t.transactional!(`ff-plt-txn-large-${topic}`)
    try {
      const txn = await writer.begin()
      await txn.send(
        topic,
        Array.from({ length: 1234 }, (_, n) => message(n)),
      )
      await txn.commit()
    } finally {
      await writer.disconnect()
    }
    const committed = await readUntil(
      () => readTopic(brokers, topic),
      (got) => got.length >= 1234,
    )
    expect(committed).toHaveLength(1234)
    expect(new Set(committed.map((m) => JSON.parse(m.value).n)).size).toBe(1234)
  })
})
