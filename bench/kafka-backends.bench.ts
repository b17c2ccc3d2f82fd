/**
 * `send()` throughput of the Kafka client backends side by side: the same FIRMS-like records
 * (~275 B of JSON, a key, 5 headers) in batches of 500, acks all, idempotent, to fresh topics of
 * 3 partitions on the same broker. Rounds alternate which backend goes first, so load on a shared
 * machine falls on both alike; figures are medians over the rounds. The native backend is left
 * out (and said so) where node-rdkafka is not built.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/run.ts kafka-backends
 */
import { randomUUID } from 'node:crypto'
import type { KafkaMessage, KafkaTransport } from '@firefront/core'
import { Kafka, logLevel } from 'kafkajs'
import { openKafkajsTransport } from '../packages/core/src/kafka/kafkajs'
import { openNativeTransport, rdKafkaAvailable } from '../packages/kafka-native/src'
import { type BenchRow, median } from './harness'

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const BATCH = 500
const BATCHES_PER_ROUND = 40
const PARTITIONS = 3

/** A FIRMS VIIRS detection as the connector sends it: ~275 bytes of JSON, a cell key, 5 headers. */
function firmsMessage(i: number): KafkaMessage {
  const value = {
    latitude: 36.5 + (i % 100) / 1000,
    longitude: -121.2 - (i % 77) / 1000,
    bright_ti4: 330.5 + (i % 13),
    scan: 0.39,
    track: 0.36,
    acq_date: '2026-01-01',
    acq_time: '0312',
    satellite: 'N',
    instrument: 'VIIRS',
    confidence: 'nominal',
    version: '2.0NRT',
    bright_ti5: 290.1,
    frp: 4.2 + (i % 50) / 10,
    daynight: 'N',
    type: 0,
    seq: i,
  }
  return {
    key: `cell-${i % 997}`,
    value: JSON.stringify(value),
    headers: {
      'content-type': 'application/json',
      'firefront.source.id': 'firms-viirs',
      'firefront.source.type': 'nasa_firms',
      'firefront.event.time': '2026-01-01T03:12:00.000Z',
      'firefront.ingested.at': '2026-01-01T03:15:00.000Z',
    },
    timestamp: String(1_767_237_300_000 + i),
  }
}

const kafka = new Kafka({ brokers: BROKERS.split(','), clientId: 'firefront-bench', logLevel: logLevel.NOTHING })

async function freshTopic(prefix: string): Promise<string> {
  const topic = `${prefix}-${randomUUID().slice(0, 8)}`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  })
  await admin.disconnect()
  return topic
}

async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.deleteTopics({ topics }).catch(() => {})
  await admin.disconnect()
}

interface Backend {
  readonly name: string
  readonly transport: KafkaTransport
}

/** Records/s of `BATCHES_PER_ROUND` awaited sends of `BATCH` records to a fresh topic. */
async function rate(backend: Backend, batches: readonly KafkaMessage[][]): Promise<number> {
  const topic = await freshTopic(`ff-bench-${backend.name}`)
  await backend.transport.send(topic, batches[0]!.slice(0, 10)) // connection and metadata, not counted
  const t0 = performance.now()
  for (const b of batches) await backend.transport.send(topic, b)
  const seconds = (performance.now() - t0) / 1000
  await deleteTopics([topic])
  return (batches.length * BATCH) / seconds
}

export default async function kafkaBackendsBench(): Promise<BenchRow[]> {
  const messages = Array.from({ length: BATCH * BATCHES_PER_ROUND }, (_, i) => firmsMessage(i))
  const batches: KafkaMessage[][] = []
  for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH))
  const size = Math.round(messages.reduce((n, m) => n + Buffer.byteLength(m.value as string), 0) / messages.length)

  const backends: Backend[] = [{ name: 'kafkajs', transport: await openKafkajsTransport({ brokers: [BROKERS] }) }]
  const native = rdKafkaAvailable()
  if (native) backends.push({ name: 'native', transport: await openNativeTransport({ brokers: [BROKERS] }) })

  // Warm-up round (JIT, connections, producer ids): not counted.
  for (const b of backends) await rate(b, batches.slice(0, 4))
  const rates = new Map<string, number[]>(backends.map((b) => [b.name, []]))
  const ratios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? backends : [...backends].reverse()
    const got = new Map<string, number>()
    for (const b of order) got.set(b.name, await rate(b, batches))
    for (const [name, r] of got) rates.get(name)!.push(r)
    if (native) ratios.push(got.get('native')! / got.get('kafkajs')!)
  }
  for (const b of backends) await b.transport.disconnect()

  const note = `${BATCHES_PER_ROUND} sends of ${BATCH} records (~${size} B JSON, key, 5 headers), ${PARTITIONS} partitions, acks all, idempotent; median of ${ROUNDS} alternated rounds`
  const rounds = (name: string) =>
    `rounds ${rates
      .get(name)!
      .map((v) => Math.round(v))
      .join('/')}`
  const rows: BenchRow[] = [
    {
      suite: 'kafka-backends',
      name: 'kafkajs transport send() records/s',
      value: median(rates.get('kafkajs')!),
      unit: 'records/s',
      note: `${note}; ${rounds('kafkajs')}`,
    },
  ]
  if (native) {
    rows.push(
      {
        suite: 'kafka-backends',
        name: 'native (librdkafka) transport send() records/s',
        value: median(rates.get('native')!),
        unit: 'records/s',
        note: rounds('native'),
      },
      {
        suite: 'kafka-backends',
        name: 'native / kafkajs (median of per-round ratios)',
        value: median(ratios),
        unit: 'ratio',
        note: `per-round ${ratios.map((r) => r.toFixed(2)).join('/')}`,
      },
    )
  } else {
    rows.push({
      suite: 'kafka-backends',
      name: 'native (librdkafka) transport send() records/s',
      value: Number.NaN,
      unit: 'records/s',
      note: 'skipped: node-rdkafka is not built here',
    })
  }
  return rows
}
