/**
 * The kafka sink's throughput next to a bare kafkajs producer (same records, batch size, acks,
 * idempotence; same broker, same run, fresh topics), kcat's produce rate as the machine's
 * ceiling, and the sink's hand-over→ack latency at a paced 1k records/s. Medians of 3 runs.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/run.ts kafka
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SinkBatch, SinkRecord } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { createKafkaSink, resolveKafkaSinkConfig } from '../packages/core/src/sinks/kafka'
import { type BenchRow, median, percentile } from './harness'

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const RUNS = 3
const BATCH = 500
const RECORDS = 50_000
const PARTITIONS = 3
const LATENCY_RATE = 1000 // records/s
const LATENCY_SECONDS = 5
const LATENCY_BATCH = 10 // records per hand-over (every 10 ms)

const INGESTED_AT = '2026-01-01T00:00:00.000Z'

/** FIRMS-like detections: ~250 bytes of JSON each. */
function makeRecords(n: number): SinkRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `cell-${i % 997}`,
    value: {
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
      seq: i,
    },
    eventTime: '2026-01-01T03:12:00.000Z',
    sourceId: 'firms-viirs',
    sourceType: 'nasa_firms',
    priority: 'normal',
    ingestedAt: INGESTED_AT,
  }))
}

const batches = (records: SinkRecord[], topic: string, size: number): SinkBatch[] => {
  const out: SinkBatch[] = []
  for (let i = 0; i < records.length; i += size) {
    out.push({ topic, sourceId: 'firms-viirs', sourceType: 'nasa_firms', records: records.slice(i, i + size) })
  }
  return out
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

function newSink(stateDir: string) {
  const config = resolveKafkaSinkConfig({
    state_dir: stateDir,
    enable_dlq: false,
    kafka: { bootstrap_servers: BROKERS, batch_size: BATCH, topics: { partitions: PARTITIONS } },
  })
  return createKafkaSink(config, createFakeContext({ id: 'sink:kafka#bench' }).ctx)
}

const headersOf = (r: SinkRecord): Record<string, string> => ({
  'firefront.source.id': r.sourceId,
  'firefront.source.type': r.sourceType,
  'firefront.event.time': r.eventTime ?? '',
  'firefront.ingested.at': r.ingestedAt,
  'content-type': 'application/json',
})

/**
 * Records/s through the kafka sink (`send` of batches of 500) and through a bare kafkajs
 * producer (the same records, batch size, acks all, idempotence), measured batch by batch in
 * turns (which side goes first alternates), so load on a shared machine falls on both alike.
 */
async function pairedRates(records: SinkRecord[]): Promise<{ sink: number; bare: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'firefront-bench-'))
  const sinkTopic = await freshTopic('ff-bench-sink')
  const bareTopic = await freshTopic('ff-bench-bare')
  const sink = newSink(stateDir)
  await sink.start?.()
  await sink.ensureTopics([sinkTopic])
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  const sinkBatches = batches(records, sinkTopic, BATCH)
  const bareBatches = batches(records, bareTopic, BATCH)
  let sinkMs = 0
  let bareMs = 0
  const viaSink = async (b: SinkBatch): Promise<void> => {
    const t0 = performance.now()
    const r = await sink.send(b)
    sinkMs += performance.now() - t0
    if (r.delivered !== b.records.length) throw new Error(`sink delivered ${r.delivered} of ${b.records.length}`)
  }
  const viaBare = async (b: SinkBatch): Promise<void> => {
    const t0 = performance.now()
    await producer.send({
      topic: b.topic,
      acks: -1,
      messages: b.records.map((r) => ({
        key: r.key,
        value: JSON.stringify(r.value),
        headers: headersOf(r),
        timestamp: String(Date.parse(r.ingestedAt)),
      })),
    })
    bareMs += performance.now() - t0
  }
  for (let i = 0; i < sinkBatches.length; i++) {
    if (i % 2 === 0) {
      await viaSink(sinkBatches[i]!)
      await viaBare(bareBatches[i]!)
    } else {
      await viaBare(bareBatches[i]!)
      await viaSink(sinkBatches[i]!)
    }
  }
  await sink.close?.()
  await producer.disconnect()
  rmSync(stateDir, { recursive: true, force: true })
  await deleteTopics([sinkTopic, bareTopic])
  return { sink: records.length / (sinkMs / 1000), bare: records.length / (bareMs / 1000) }
}

/** Records/s of `kcat -P` producing the same JSON lines (key<TAB>value), acks all: the ceiling. */
async function kcatRate(file: string, count: number): Promise<number> {
  const topic = await freshTopic('ff-bench-kcat')
  const t0 = performance.now()
  const out = spawnSync(
    'kcat',
    ['-P', '-b', BROKERS, '-t', topic, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-K', '\t', '-l', file],
    { encoding: 'utf8', timeout: 120_000 },
  )
  const seconds = (performance.now() - t0) / 1000
  if (out.status !== 0) throw new Error(`kcat -P exited with ${out.status}: ${out.stderr}`)
  await deleteTopics([topic])
  return count / seconds
}

/**
 * Each record's time from hand-over (the `send` call) to its batch's acknowledgement, with 10
 * records handed over every 10 ms (1k records/s) for 5 s. Sends are not awaited before the next
 * hand-over, so time queued behind a slow send counts.
 */
async function sinkLatency(records: SinkRecord[]): Promise<{ p50: number; p99: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'firefront-bench-'))
  const topic = await freshTopic('ff-bench-latency')
  const sink = newSink(stateDir)
  await sink.start?.()
  await sink.ensureTopics([topic])
  const latencies: number[] = []
  const pending: Array<Promise<void>> = []
  const intervalMs = (1000 * LATENCY_BATCH) / LATENCY_RATE
  const ticks = (LATENCY_RATE * LATENCY_SECONDS) / LATENCY_BATCH
  const start = performance.now()
  for (let i = 0; i < ticks; i++) {
    const due = start + i * intervalMs
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const b = batches(records.slice(i * LATENCY_BATCH, (i + 1) * LATENCY_BATCH), topic, LATENCY_BATCH)[0]!
    const handedOver = performance.now()
    pending.push(
      sink.send(b).then(() => {
        const ms = performance.now() - handedOver
        for (let k = 0; k < b.records.length; k++) latencies.push(ms)
      }),
    )
  }
  await Promise.all(pending)
  await sink.close?.()
  rmSync(stateDir, { recursive: true, force: true })
  await deleteTopics([topic])
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

export default async function kafkaBench(): Promise<BenchRow[]> {
  const records = makeRecords(RECORDS)
  const dir = mkdtempSync(join(tmpdir(), 'firefront-bench-kcat-'))
  const file = join(dir, 'records.jsonl')
  writeFileSync(file, records.map((r) => `${r.key}\t${JSON.stringify(r.value)}\n`).join(''))

  // Warm-up (JIT, connections, topic creation paths): not counted.
  await pairedRates(records.slice(0, 5000))

  const sink: number[] = []
  const bare: number[] = []
  const kcat: number[] = []
  const ratios: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const r = await pairedRates(records)
    sink.push(r.sink)
    bare.push(r.bare)
    ratios.push(r.sink / r.bare)
    kcat.push(await kcatRate(file, records.length))
  }
  const p50: number[] = []
  const p99: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const l = await sinkLatency(makeRecords(LATENCY_RATE * LATENCY_SECONDS))
    p50.push(l.p50)
    p99.push(l.p99)
  }
  rmSync(dir, { recursive: true, force: true })

  const note = `${RECORDS} records of ~${Math.round(Buffer.byteLength(JSON.stringify(records[0]!.value)))} B, batches of ${BATCH}, ${PARTITIONS} partitions, acks all, idempotent; runs: ${sink.map((v) => Math.round(v)).join('/')} vs ${bare.map((v) => Math.round(v)).join('/')}`
  return [
    {
      suite: 'kafka',
      name: 'sink records/s (send of 500, acks all, idempotent)',
      value: median(sink),
      unit: 'records/s',
      note,
    },
    {
      suite: 'kafka',
      name: 'bare kafkajs records/s (same records, batch, acks)',
      value: median(bare),
      unit: 'records/s',
    },
    {
      suite: 'kafka',
      name: 'sink / bare kafkajs (median of per-run ratios)',
      value: median(ratios),
      unit: 'ratio',
      target: '>= 0.9',
      note: `per-run ratios ${ratios.map((r) => r.toFixed(3)).join('/')}; batches sent in turns`,
    },
    {
      suite: 'kafka',
      name: 'kcat -P records/s (acks=all, same JSON lines): ceiling',
      value: median(kcat),
      unit: 'records/s',
      note: `runs ${kcat.map((v) => Math.round(v)).join('/')}`,
    },
    { suite: 'kafka', name: 'sink / kcat', value: median(sink) / median(kcat), unit: 'ratio' },
    {
      suite: 'kafka',
      name: `sink hand-over→ack p50 @ ${LATENCY_RATE} rec/s`,
      value: median(p50),
      unit: 'ms',
      note: `batches of ${LATENCY_BATCH} every ${(1000 * LATENCY_BATCH) / LATENCY_RATE} ms for ${LATENCY_SECONDS} s; runs ${p50.map((v) => v.toFixed(1)).join('/')}`,
    },
    {
      suite: 'kafka',
      name: `sink hand-over→ack p99 @ ${LATENCY_RATE} rec/s`,
      value: median(p99),
      unit: 'ms',
      note: `runs ${p99.map((v) => v.toFixed(1)).join('/')}`,
    },
  ]
}
