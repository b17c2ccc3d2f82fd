/**
 * Pipeline throughput: records/s from a synthetic connector through the whole pipeline (API
 * client, batch mode, priority queue, queue consumer, topic chain) into the file sink.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConnector, type SourceRecord, Type } from '@firefront/sdk'
import { pino } from 'pino'
import { loadConfigText } from '../packages/core/src/config/load'
import { StreamManager } from '../packages/core/src/runtime/stream-manager'
import { type BenchRow, medianOf } from './harness'

const TOTAL = 200_000
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
export async function pipelineRate(sinkYaml: string, extraYaml = ''): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'firefront-bench-'))
  const loaded = loadConfigText(
    `state_dir: ${dir}
${sinkYaml.replaceAll('$DIR', dir)}
${extraYaml}
queue_max_size: 100000
queue_overflow_strategy: block
sources:
  synth: { source_type: synthetic, topic: bench-out, rate_limit_per_minute: 6000000, cache_ttl_seconds: 0, ingestion: { mode: batch, max_pages_per_cycle: 1000 }, config: { total: ${TOTAL}, per_poll: ${PER_POLL} } }
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
  if (sent !== TOTAL) throw new Error(`pipeline bench: sent ${sent} of ${TOTAL}`)
  return TOTAL / seconds
}

export default async function bench(): Promise<BenchRow[]> {
  const batchFsync = await medianOf(3, () =>
    pipelineRate(
      'sink: { type: file, config: { directory: $DIR/out, fsync: batch } }',
      'kafka: { batch_size: 500, batch_timeout_seconds: 0.05 }',
    ),
  )
  const flushFsync = await medianOf(3, () =>
    pipelineRate(
      'sink: { type: file, config: { directory: $DIR/out, fsync: flush } }',
      'kafka: { batch_size: 500, batch_timeout_seconds: 0.05 }',
    ),
  )
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
  ]
}
