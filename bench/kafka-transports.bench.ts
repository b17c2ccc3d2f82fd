/**
 * `send()` throughput of the Kafka client backends side by side: the kafkajs and platformatic
 * transports (and native when installed: its batch producer, and node-rdkafka per record) sending
 * the peers benchmark's FIRMS-shaped records
 * (~275 B of JSON, a key, 5 headers) in batches of 500 to fresh 3-partition topics, acks all,
 * idempotent. Rounds alternate which backend goes first, so load on a shared machine falls on
 * each alike; figures are medians of the rounds. A second part sends them in other batch sizes.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/run.ts kafka-transports
 */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { resolveKafkaSinkConfig } from '../packages/core/src/kafka/config'
import { type KafkaClientName, openKafkaTransport } from '../packages/core/src/kafka/open-transport'
import type { KafkaMessage, KafkaTransport } from '../packages/core/src/kafka/transport'
import { type BenchRow, median } from './harness'
import { firefrontMessages } from './peers/records'

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000)
const BATCH = 500
const SIZES = [100, 500, 1000, 2000, 5000]
const PARTITIONS = 3

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

/** A row of the bench: a backend and the `kafka:` keys that pick its variant. */
interface Contender {
  readonly id: string
  readonly client: KafkaClientName
  readonly extra?: Readonly<Record<string, unknown>>
}

const CONTENDERS: readonly Contender[] = [
  { id: 'kafkajs', client: 'kafkajs' },
  { id: 'platformatic', client: 'platformatic' },
  { id: 'native', client: 'native', extra: { native_producer: 'batch' } },
  { id: 'native (node-rdkafka per record)', client: 'native', extra: { native_producer: 'node-rdkafka' } },
]

async function installed(client: Contender): Promise<boolean> {
  try {
    const t = await open(client)
    await t.disconnect()
    return true
  } catch {
    return false
  }
}

function open({ client, extra }: Contender): Promise<KafkaTransport> {
  return openKafkaTransport({
    kafka: resolveKafkaSinkConfig({
      kafka: { bootstrap_servers: BROKERS, client, ...extra, topics: { partitions: PARTITIONS } },
    }).kafka,
  })
}

/**
 * Records/s of sending `messages` to a fresh topic in batches of `size`, `inFlight` sends at a
 * time (each lane takes the next batch when its send resolves), with the process's CPU seconds
 * per 100k records (every thread: librdkafka's too).
 */
async function measure(
  transport: KafkaTransport,
  messages: readonly KafkaMessage[],
  size: number,
  inFlight = 1,
): Promise<{ rate: number; cpuPer100k: number }> {
  const topic = await freshTopic(`ff-bench-${transport.client}`)
  await transport.send(topic, messages.slice(0, size)) // metadata for the topic, not counted
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < messages.length) {
      const i = next
      next += size
      await transport.send(topic, messages.slice(i, i + size))
    }
  }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inFlight }, lane))
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  await deleteTopics([topic])
  return { rate: messages.length / seconds, cpuPer100k: (cpu.user + cpu.system) / 1e6 / (messages.length / 100_000) }
}

const rate = async (transport: KafkaTransport, messages: readonly KafkaMessage[], size: number): Promise<number> =>
  (await measure(transport, messages, size)).rate

/** Sends in flight at once in the third part (native only: librdkafka keeps order with up to 5). */
const IN_FLIGHT = [1, 2, 4]

export default async function kafkaTransportsBench(): Promise<BenchRow[]> {
  const contenders: Contender[] = []
  for (const c of CONTENDERS) if (c.client !== 'native' || (await installed(c))) contenders.push(c)
  const clients = contenders.map((c) => c.id)
  // The peers benchmark's records: FIRMS-shaped, ~275 B of JSON, keyed, Firefront's 5 headers.
  const messages: KafkaMessage[] = firefrontMessages(0, RECORDS, '2026-09-25T07:20:00.000Z')
  const bytes = Buffer.byteLength(messages[0]!.value as string)
  const transports = new Map<string, KafkaTransport>()
  for (const c of contenders) {
    const t = await open(c)
    await t.connect()
    transports.set(c.id, t)
  }
  // Warm-up (JIT, connections): not counted.
  for (const t of transports.values()) await rate(t, messages.slice(0, 5000), BATCH)

  const rates = new Map<string, number[]>(clients.map((c) => [c, []]))
  const ratios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? clients : [...clients].reverse()
    const got = new Map<string, number>()
    for (const c of order) got.set(c, await rate(transports.get(c)!, messages, BATCH))
    for (const [c, r] of got) rates.get(c)!.push(r)
    ratios.push(got.get('platformatic')! / got.get('kafkajs')!)
  }

  const bySize = new Map<string, number[]>()
  for (let round = 0; round < Math.max(3, Math.floor(ROUNDS / 2)); round++) {
    for (const size of round % 2 === 0 ? SIZES : [...SIZES].reverse()) {
      for (const c of clients) {
        const key = `${c}@${size}`
        bySize.set(key, [...(bySize.get(key) ?? []), await rate(transports.get(c)!, messages, size)])
      }
    }
  }
  // Several sends in flight: only librdkafka pipelines them (kafkajs and @platformatic/kafka keep
  // one request in flight with idempotence); this is what Firefront's one-batch-at-a-time
  // delivery leaves on the table with the native backend.
  const inFlight = new Map<number, { rate: number; cpuPer100k: number }[]>()
  const native = transports.get('native')
  if (native) {
    for (let round = 0; round < Math.max(3, Math.floor(ROUNDS / 2)); round++) {
      for (const n of round % 2 === 0 ? IN_FLIGHT : [...IN_FLIGHT].reverse()) {
        inFlight.set(n, [...(inFlight.get(n) ?? []), await measure(native, messages, BATCH, n)])
      }
    }
  }
  for (const t of transports.values()) await t.disconnect()

  const note = `${RECORDS} records of ~${bytes} B JSON, key, 5 headers; batches of ${BATCH}; ${PARTITIONS} partitions; acks all, idempotent; ${ROUNDS} alternated rounds`
  const rows: BenchRow[] = clients.map((c) => ({
    suite: 'kafka-transports',
    name: `${c} send() records/s (batches of ${BATCH})`,
    value: median(rates.get(c)!),
    unit: 'records/s',
    note: `${note}; rounds ${rates
      .get(c)!
      .map((v) => Math.round(v))
      .join('/')}`,
  }))
  rows.push({
    suite: 'kafka-transports',
    name: 'platformatic / kafkajs (median of per-round ratios)',
    value: median(ratios),
    unit: 'ratio',
    note: `per-round ratios ${ratios.map((r) => r.toFixed(2)).join('/')}`,
  })
  for (const size of SIZES) {
    for (const c of clients) {
      const values = bySize.get(`${c}@${size}`)!
      rows.push({
        suite: 'kafka-transports',
        name: `${c} send() records/s (batches of ${size})`,
        value: median(values),
        unit: 'records/s',
        note: `rounds ${values.map((v) => Math.round(v)).join('/')}`,
      })
    }
  }
  for (const [n, runs] of inFlight) {
    rows.push({
      suite: 'kafka-transports',
      name: `native send() records/s, ${n} batch(es) of ${BATCH} in flight`,
      value: median(runs.map((r) => r.rate)),
      unit: 'records/s',
      note: `rounds ${runs.map((r) => Math.round(r.rate)).join('/')}; CPU s per 100k (median) ${median(runs.map((r) => r.cpuPer100k)).toFixed(2)}`,
    })
  }
  return rows
}
