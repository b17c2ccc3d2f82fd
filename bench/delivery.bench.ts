/**
 * The cost of `delivery: exactly_once`: records/s through the whole pipeline into Kafka with each
 * poll and its cursor in one transaction, next to at-least-once (idempotent producer, file
 * cursors), in alternated pairs on one broker; the ratio is the median of per-pair ratios.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/run.ts delivery
 */
import { randomUUID } from 'node:crypto'
import { type BenchRow, median } from './harness'
import { pipelineRate } from './pipeline.bench'

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const TOTAL = 50_000
const PAIRS = 5

const kafka = (id: string) =>
  `kafka: { bootstrap_servers: "${BROKERS}", client_id: bench-${id}, batch_size: 500, batch_timeout_seconds: 0.05, topics: { partitions: 3 } }`

const atLeastOnce = () =>
  pipelineRate(kafka(randomUUID().slice(0, 8)), `dlq: { topic: bench-dlq-${randomUUID()} }`, TOTAL)
const exactlyOnce = () =>
  pipelineRate(
    kafka(randomUUID().slice(0, 8)),
    `delivery: exactly_once\ncursors: { store: kafka, topic: bench-cursors-${randomUUID()} }\ndlq: { topic: bench-dlq-${randomUUID()} }`,
    TOTAL,
  )

export default async function bench(): Promise<BenchRow[]> {
  await exactlyOnce() // warm-up: JIT, connections, the transaction coordinator
  const pairs: Array<{ alo: number; eos: number }> = []
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      const alo = await atLeastOnce()
      pairs.push({ alo, eos: await exactlyOnce() })
    } else {
      const eos = await exactlyOnce()
      pairs.push({ alo: await atLeastOnce(), eos })
    }
  }
  const ratios = pairs.map((p) => p.eos / p.alo)
  const k = TOTAL / 1000
  return [
    {
      suite: 'delivery',
      name: `records/s, at_least_once → Kafka (idempotent), ${k}k records`,
      value: median(pairs.map((p) => p.alo)),
      unit: 'rec/s',
      note: `median of ${PAIRS}, alternated with exactly_once`,
    },
    {
      suite: 'delivery',
      name: `records/s, exactly_once → Kafka (a transaction per poll of 5,000), ${k}k records`,
      value: median(pairs.map((p) => p.eos)),
      unit: 'rec/s',
      note: `median of ${PAIRS}`,
    },
    {
      suite: 'delivery',
      name: 'exactly_once ÷ at_least_once',
      value: median(ratios),
      unit: 'ratio',
      note: `per-pair ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
    },
  ]
}
