/**
 * Pipeline throughput: records/s from a synthetic connector through the whole pipeline (API
 * client, batch mode, priority queue, queue consumer, topic chain) into the file sink.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConnector, type SourceRecord, Type } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { pino } from 'pino'
import { loadConfigText } from '../packages/core/src/config/load'
import { StreamManager } from '../packages/core/src/runtime/stream-manager'
import { type BenchRow, median, medianOf } from './harness'

const TOTAL = 200_000
const KAFKA_TOTAL = 50_000
const PAIRS = 7
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const PER_POLL = 5_000

/** ~300-byte records shaped like FIRMS detections. */
export const syntheticConnector = defineConnector({
  name: 'synthetic',
  version: '1.0.0',
  sourceTypes: ['synthetic'],
  configSchema: Type.Object({ total: Type.Integer(), per_poll: Type.Integer() }),
  create: (config) => ({
    mode: 'pull',
    async poll({ cursor }) {
      const from = typeof cursor === 'number' ? cursor : 0
      const until = Math.min(config.total, from + config.per_poll)
      const records: SourceRecord[] = []
      for (let n = from; n < until; n++) {
        records.push({
          key: `VIIRS_SNPP_NRT:2026-09-25T07:18Z:N:${n}`,
          eventTime: '2026-09-25T07:18:00Z',
          value: {
            n,
            latitude: 8.11408,
            longitude: 80.98805,
            bright_ti4: 327.4,
            scan: 0.49,
            track: 0.65,
            acq_date: '2026-09-25',
            acq_time: '0718',
            satellite: 'N20',
            confidence: 'n',
            version: '2.0NRT',
            frp: 3.03,
            daynight: 'D',
          },
        })
      }
      return { records, cursor: until, hasMore: until < config.total }
    },
  }),
})

/** Runs TOTAL records through a StreamManager with `sinkYaml`; returns records/s. */
export async function pipelineRate(
  sinkYaml: string,
  extraYaml = '',
  total = TOTAL,
  queueYaml = 'queue_max_size: 10000\nqueue_overflow_strategy: block',
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'firefront-bench-'))
  const loaded = loadConfigText(
    `state_dir: ${dir}
${sinkYaml.replaceAll('$DIR', dir)}
${extraYaml}
${queueYaml}
sources:
  synth: { source_type: synthetic, topic: bench-out, rate_limit_per_minute: 6000000, cache_ttl_seconds: 0, ingestion: { mode: batch, max_pages_per_cycle: 1000 }, config: { total: ${total}, per_poll: ${PER_POLL} } }
`,
    { file: 'bench.yaml', env: {} },
  )
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.path}: ${i.message}`).join('\n'))
  const manager = new StreamManager({
    config: loaded.config,
    raw: loaded.raw as { kafka?: unknown },
    logger: pino({ level: 'silent' }),
    plugins: [syntheticConnector],
  })
  await manager.start()
  const t0 = performance.now()
  await manager.runOnce()
  const seconds = (performance.now() - t0) / 1000
  const metrics = await manager.getMetrics()
  await manager.stop()
  rmSync(dir, { recursive: true, force: true })
  const sent = Object.values(metrics.streams as Record<string, { records: { sent: number } }>)[0]!.records.sent
  if (sent !== total) throw new Error(`pipeline bench: sent ${sent} of ${total}`)
  return total / seconds
}

/** The same records, batch size, acks and idempotence, sent by a bare kafkajs producer; returns records/s. */
async function bareKafkajsRate(total: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-bare', brokers: [BROKERS], logLevel: logLevel.NOTHING })
  const topic = `bench-bare-${randomUUID()}`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  const ctx = createFakeContext().ctx
  const source = await syntheticConnector.create({ total, per_poll: PER_POLL }, ctx)
  if (source.mode !== 'pull') throw new Error('unreachable')
  const t0 = performance.now()
  let cursor: number | undefined
  for (;;) {
    const page = await source.poll({ cursor, signal: ctx.signal })
    for (let i = 0; i < page.records.length; i += 500) {
      // the same Kafka messages the pipeline produces: key, JSON value and its five headers
      const messages = page.records.slice(i, i + 500).map((r) => ({
        key: r.key ?? null,
        value: JSON.stringify(r.value),
        headers: {
          'firefront.source.id': 'synth',
          'firefront.source.type': 'synthetic',
          'firefront.event.time': r.eventTime ?? '',
          'firefront.ingested.at': new Date().toISOString(),
          'content-type': 'application/json',
        },
      }))
      await producer.send({ topic, acks: -1, messages })
    }
    cursor = page.cursor as number
    if (!page.hasMore) break
  }
  const rate = total / ((performance.now() - t0) / 1000)
  await producer.disconnect()
  return rate
}

export default async function bench(): Promise<BenchRow[]> {
  const fileRate = (fsync: string) =>
    medianOf(3, () =>
      pipelineRate(
        `sink: { type: file, config: { directory: $DIR/out, fsync: ${fsync} } }`,
        'kafka: { batch_size: 500, batch_timeout_seconds: 0.05 }',
      ),
    )
  const batchFsync = await fileRate('batch')
  const flushFsync = await fileRate('flush')
  // Whole pipeline into Kafka next to a bare kafkajs producer, in alternation (the machine is
  // shared, so each pair is measured back to back); the ratio is the median of per-pair ratios.
  const pairs: Array<{ pipeline: number; bare: number }> = []
  const viaPipeline = () =>
    pipelineRate(
      `kafka: { bootstrap_servers: "${BROKERS}", batch_size: 500, batch_timeout_seconds: 0.05, topics: { partitions: 3 } }`,
      `dlq: { topic: bench-dlq-${randomUUID()} }`,
      KAFKA_TOTAL,
    )
  for (let i = 0; i < PAIRS; i++) {
    // which side goes first alternates, so a slow spell of the machine falls on both alike
    if (i % 2 === 0) {
      const pipeline = await viaPipeline()
      pairs.push({ pipeline, bare: await bareKafkajsRate(KAFKA_TOTAL) })
    } else {
      const bare = await bareKafkajsRate(KAFKA_TOTAL)
      pairs.push({ pipeline: await viaPipeline(), bare })
    }
  }
  const k = KAFKA_TOTAL / 1000
  return [
    {
      suite: 'pipeline',
      name: `records/s, synthetic → file sink (fsync each batch of 500), ${TOTAL / 1000}k records`,
      value: batchFsync,
      unit: 'rec/s',
      note: 'median of 3',
    },
    {
      suite: 'pipeline',
      name: `records/s, synthetic → file sink (fsync on flush), ${TOTAL / 1000}k records`,
      value: flushFsync,
      unit: 'rec/s',
      note: 'median of 3',
    },
    {
      suite: 'pipeline',
      name: `records/s, whole pipeline → Kafka (batch 500, acks all, idempotent), ${k}k records`,
      value: median(pairs.map((p) => p.pipeline)),
      unit: 'rec/s',
      note: `median of ${PAIRS}`,
    },
    {
      suite: 'pipeline',
      name: `records/s, bare kafkajs producer, same records, batch size and acks, ${k}k records`,
      value: median(pairs.map((p) => p.bare)),
      unit: 'rec/s',
      note: `median of ${PAIRS}, alternated with the pipeline`,
    },
    {
      suite: 'pipeline',
      name: 'pipeline → Kafka ÷ bare kafkajs',
      value: median(pairs.map((p) => p.pipeline / p.bare)),
      unit: 'ratio',
      target: '>= 0.9',
      note: `median of per-pair ratios (${pairs.map((p) => (p.pipeline / p.bare).toFixed(2)).join(', ')})`,
    },
  ]
}
