/**
 * Firefront against its peers on one broker: the same N FIRMS-shaped records (~275 B of JSON, a
 * key, Firefront's five headers) sent by
 *
 * - Firefront end to end, `firefront run --once` of the built CLI with a generating connector
 *   plugin, once per installed Kafka client backend (`kafka.client`: kafkajs always; platformatic
 *   and native when they work — each is tried with a small run first and skipped, with a note,
 *   when that fails; native with its batch producer), and the native one again through
 *   node-rdkafka per record (`kafka.native_producer: node-rdkafka`);
 * - a bare kafkajs producer and a bare @platformatic/kafka producer (when installed) sending
 *   exactly Firefront's messages in requests of 500, idempotent, acks all, one request in flight;
 * - kcat -P (librdkafka), Kafka's ProducerPerformance and Kafka Connect standalone with
 *   FileStreamSource (jars of the broker's version, fetched by `kafka-ci/kafka.sh fetch-peers`),
 *   all acks all and idempotent.
 *
 * Method: every contestant is a child process under /usr/bin/time (CPU = user + system seconds of
 * the whole process, start-up included; peak RSS), producing into a fresh 3-partition topic with
 * `message.timestamp.type=LogAppendTime`. The topic is then read back (kcat, else kafkajs): it
 * must hold exactly N records. The steady rate is the middle 80 % of the records (10th to 90th
 * percentile of the broker's append times) over the time they took, which leaves out start-up
 * and the tail; the end-to-end rate is N over the time from the spawn to the last append. Each
 * round runs every contestant once, in an order rotated and reversed from round to round;
 * figures are medians over rounds, ratios medians of the per-round ratios of steady rates. A
 * small run of each contestant first (not counted) warms the disk cache and the broker.
 *
 *   npm run bench -- peers                     (starts a broker on 19492 unless KAFKA_BROKERS is set)
 *   PEERS_RECORDS=50000 PEERS_ROUNDS=5 KAFKA_BROKERS=127.0.0.1:9092 npm run bench -- peers
 *   PEERS_NATIVE_IN_FLIGHT=1,2,8 npm run bench -- peers   (extra native rows with these kafka.max_in_flight_batches)
 *   PEERS_ONLY=firefront-native,kcat npm run bench -- peers   (only these contestants, by id prefix)
 *   PEERS_NATIVE_PROCESS=1 npm run bench -- peers   (an extra native row: node-rdkafka in a producer process)
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleContestants } from './peers/bundle'
import { bareNode, type Contestant, firefront, kafkaConnect, kcat, producerPerformance } from './peers/contestants'
import {
  appendTimes,
  benchKafka,
  createAppendTimeTopic,
  deleteTopics,
  onPath,
  ratesOf,
  roundOrder,
} from './peers/measure'
import { firefrontMessages } from './peers/records'
import { type BenchRow, median } from './harness'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const RECORDS = Number(process.env.PEERS_RECORDS ?? 200_000)
const ROUNDS = Number(process.env.PEERS_ROUNDS ?? 3)
const PARTITIONS = 3
const PROBE_RECORDS = 2000
/** An extra row of the native backend with node-rdkafka's producer in a child process. */
const NATIVE_PROCESS = process.env.PEERS_NATIVE_PROCESS === '1'
/** Extra rows of the native backend with these `kafka.max_in_flight_batches`. */
const NATIVE_IN_FLIGHT = (process.env.PEERS_NATIVE_IN_FLIGHT ?? '')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(Number)
/** Id prefixes of the contestants to run; all when unset. */
const ONLY = (process.env.PEERS_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '')
const CLI = join(ROOT, 'packages/core/bin/firefront.mjs')

const began = performance.now()
/** A progress line on stderr, with the seconds since the bench began (the machine is shared: slow spells show). */
const log = (line: string): void =>
  void process.stderr.write(`peers +${Math.round((performance.now() - began) / 1000)}s: ${line}\n`)

/** The newest modification time of the sources under `dir` (ms); tests do not count. */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.endsWith('.test.ts')) continue
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/** Builds the workspaces when the CLI is missing or older than a package's sources. */
function ensureBuilt(): void {
  const built = (() => {
    try {
      return statSync(join(ROOT, 'packages/core/dist/cli.js')).mtimeMs
    } catch {
      return 0
    }
  })()
  const packages = join(ROOT, 'packages')
  const sources = Math.max(...readdirSync(packages).map((p) => newest(join(packages, p, 'src'))))
  if (built >= sources) return
  log('building the workspaces (npm run build), as the CLI is missing or older than its sources')
  const out = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] })
  if (out.status !== 0) throw new Error(`npm run build exited with ${out.status}`)
}

/** The JVM peers' class path (`kafka.sh fetch-peers`), or why there is none. */
function fetchJvmPeers(): { lib: string } | { skip: string } {
  if (!onPath('java')) return { skip: 'java is not installed' }
  const out = spawnSync('bash', [join(ROOT, 'kafka-ci/kafka.sh'), 'fetch-peers'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 2],
  })
  const lib = out.stdout.trim().split('\n').pop()
  return out.status === 0 && lib ? { lib } : { skip: `kafka-ci/kafka.sh fetch-peers exited with ${out.status}` }
}

/** Whether `name` resolves from the repository root (where the bundles run). */
function installed(name: string): boolean {
  try {
    createRequire(join(ROOT, 'package.json')).resolve(name)
    return true
  } catch {
    return false
  }
}

/** Files the file-fed peers read, of `records` lines: JSON values, and key<TAB>value lines for kcat. */
interface DataFiles {
  readonly valuesFile: string
  readonly keyedFile: string
}

function writeDataFiles(dir: string, records: number): DataFiles {
  const values = join(dir, `values-${records}.jsonl`)
  const keyed = join(dir, `keyed-${records}.tsv`)
  writeFileSync(values, '')
  writeFileSync(keyed, '')
  const ingestedAt = new Date().toISOString()
  for (let from = 0; from < records; from += 10_000) {
    const messages = firefrontMessages(from, Math.min(records, from + 10_000), ingestedAt)
    appendFileSync(values, messages.map((m) => `${m.value}\n`).join(''))
    appendFileSync(keyed, messages.map((m) => `${m.key}\t${m.value}\n`).join(''))
  }
  return { valuesFile: values, keyedFile: keyed }
}

/** One measured run of one contestant. */
interface Measured {
  readonly steady: number
  readonly endToEnd: number
  readonly cpuPer100k: number
  readonly peakRssMb: number
}

const kafka = benchKafka(BROKERS)

/** Runs `contestant` once with `records` into a fresh topic, checks they all landed, measures. */
async function measure(
  contestant: Contestant,
  records: number,
  files: DataFiles,
  workDir: string,
  tag: string,
): Promise<Measured> {
  const topic = `peers-${contestant.id}-${tag}-${randomUUID().slice(0, 8)}`
  const dir = join(workDir, topic)
  mkdirSync(dir, { recursive: true })
  await createAppendTimeTopic(kafka, topic, PARTITIONS)
  try {
    const run = await contestant.run({
      brokers: BROKERS,
      kafka,
      topic,
      records,
      ...files,
      dir,
      timeoutMs: 60_000 + records,
    })
    const times = await appendTimes(kafka, BROKERS, topic)
    if (times.length !== records) throw new Error(`${contestant.label}: the topic holds ${times.length} of ${records}`)
    const rates = ratesOf(times, run.startedAt)
    return { ...rates, cpuPer100k: (run.cpuSeconds / records) * 100_000, peakRssMb: run.peakRssMb }
  } finally {
    await deleteTopics(kafka, [topic])
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Why a probe failed: the CLI's own message where there is one, else the error's first line. */
function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  const said = /^firefront run: (.*)$/m.exec(text) ?? /last error: (.*)$/m.exec(text)
  const reason = (said?.[1] ?? text.split('\n')[0] ?? '').replace(/^.*failed to start: /, '')
  return reason.length > 120 ? `${reason.slice(0, 119)}…` : reason
}

const fmt = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a')

export default async function peersBench(): Promise<BenchRow[]> {
  ensureBuilt()
  const workDir = join(ROOT, '.tmp', `peers-bench-${process.pid}`)
  mkdirSync(workDir, { recursive: true })
  try {
    log('bundling the contestants, writing the data files, fetching the JVM peers')
    const bundles = await bundleContestants(workDir)
    // the connector is declared by relative path, next to the configs
    const data = writeDataFiles(workDir, RECORDS)
    const probeData = writeDataFiles(workDir, PROBE_RECORDS)
    const jvmPeers = fetchJvmPeers()
    const log4j = join(ROOT, 'kafka-ci/tools-log4j.properties')

    const candidates: Array<{ contestant: Contestant; optional: boolean; missing?: string }> = [
      ...['kafkajs', 'platformatic', 'native'].map((client) => ({
        contestant: firefront(client, CLI, workDir),
        optional: client !== 'kafkajs',
      })),
      // the native backend through node-rdkafka per record, side by side with the batch producer
      { contestant: firefront('native', CLI, workDir, { nativeProducer: 'node-rdkafka' }), optional: true },
      ...(NATIVE_PROCESS
        ? [{ contestant: firefront('native', CLI, workDir, { producerProcess: true }), optional: true }]
        : []),
      ...NATIVE_IN_FLIGHT.map((n) => ({
        contestant: firefront('native', CLI, workDir, { inFlight: n }),
        optional: true,
      })),
      {
        contestant: bareNode(
          'bare-kafkajs',
          'bare kafkajs producer',
          bundles.bareKafkajs,
          'same messages, requests of 500, idempotent, acks -1, 1 in flight',
        ),
        optional: false,
      },
      {
        contestant: bareNode(
          'bare-platformatic',
          'bare @platformatic/kafka producer',
          bundles.barePlatformatic,
          'same messages, requests of 500, idempotent (acks -1, 1 in flight)',
        ),
        optional: true,
        ...(installed('@platformatic/kafka') ? {} : { missing: '@platformatic/kafka is not installed' }),
      },
      { contestant: kcat(), optional: false, ...(onPath('kcat') ? {} : { missing: 'kcat is not installed' }) },
      ...[producerPerformance, kafkaConnect].map((make) => ({
        contestant: make('lib' in jvmPeers ? jvmPeers.lib : '', log4j),
        optional: false,
        ...('skip' in jvmPeers ? { missing: jvmPeers.skip } : {}),
      })),
    ]

    // A small run of each first: finds the backends and peers that work, warms caches.
    log(`a run of ${PROBE_RECORDS} records with each contestant (not counted)`)
    const contestants: Contestant[] = []
    const skipped: string[] = []
    for (const { contestant, optional, missing } of candidates) {
      if (ONLY.length > 0 && !ONLY.some((id) => contestant.id.startsWith(id))) continue
      if (missing) {
        skipped.push(`${contestant.label} (${missing})`)
        log(`skipped ${contestant.label}: ${missing}`)
        continue
      }
      try {
        await measure(contestant, PROBE_RECORDS, probeData, workDir, 'probe')
        contestants.push(contestant)
      } catch (err) {
        if (!optional) throw err
        skipped.push(`${contestant.label} (${reasonOf(err)})`)
        log(`skipped ${contestant.label}: ${reasonOf(err)}`)
      }
    }

    const results = new Map<string, Measured[]>(contestants.map((c) => [c.id, []]))
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of roundOrder(contestants, r)) {
        const m = await measure(c, RECORDS, data, workDir, `r${r + 1}`)
        results.get(c.id)!.push(m)
        log(
          `round ${r + 1}/${ROUNDS} ${c.label}: steady ${fmt(m.steady)} rec/s, end to end ${fmt(m.endToEnd)} rec/s, ${m.cpuPer100k.toFixed(2)} CPU s/100k, ${fmt(m.peakRssMb)} MB`,
        )
      }
    }
    return rows(contestants, results, skipped)
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

function rows(contestants: Contestant[], results: Map<string, Measured[]>, skipped: string[]): BenchRow[] {
  const runs = (id: string) => results.get(id)!
  const med = (id: string, k: keyof Measured) => median(runs(id).map((m) => m[k]))
  const out: BenchRow[] = [
    {
      suite: 'peers',
      name: 'records per contestant and round',
      value: RECORDS,
      unit: 'records',
      note: `~275 B JSON + key + 5 headers, ${PARTITIONS} partitions, acks all, idempotent; ${ROUNDS} rounds, order rotated; medians${skipped.length ? `; not measured: ${skipped.join('; ')}` : ''}`,
    },
  ]
  for (const c of contestants) {
    out.push({
      suite: 'peers',
      name: c.label,
      value: med(c.id, 'steady'),
      unit: 'rec/s',
      columns: {
        'end to end rec/s': med(c.id, 'endToEnd'),
        'CPU s/100k': med(c.id, 'cpuPer100k'),
        'peak RSS MB': med(c.id, 'peakRssMb'),
      },
      note: `${c.note}; steady runs ${runs(c.id)
        .map((m) => fmt(m.steady))
        .join(' / ')}`,
    })
  }
  const ratio = (a: string, b: string, k: 'steady' | 'endToEnd') => median(runs(a).map((m, i) => m[k] / runs(b)[i]![k]))
  const ratioRow = (a: Contestant, b: Contestant, name: string, target?: string): BenchRow => ({
    suite: 'peers',
    name,
    value: ratio(a.id, b.id, 'steady'),
    unit: 'ratio',
    ...(target ? { target } : {}),
    note: `steady rates, median of per-round ratios (${runs(a.id)
      .map((m, i) => (m.steady / runs(b.id)[i]!.steady).toFixed(2))
      .join(', ')}); end to end ${ratio(a.id, b.id, 'endToEnd').toFixed(2)}`,
  })
  const byId = new Map(contestants.map((c) => [c.id, c]))
  // the fastest Firefront row, except the extra in-flight rows (they are for choosing the default)
  const firefronts = contestants.filter((c) => c.firefront && !c.id.endsWith('-in-flight'))
  if (firefronts.length === 0) return out
  const best = firefronts.reduce((a, b) => (med(b.id, 'steady') > med(a.id, 'steady') ? b : a))
  const backend = best.label
    .replace(/^Firefront, /, '')
    .replace(/ backend/, '')
    .replace(/ \(run --once\)$/, '')
  for (const [ff, bare] of [
    ['firefront-kafkajs', 'bare-kafkajs'],
    ['firefront-platformatic', 'bare-platformatic'],
  ] as const) {
    const a = byId.get(ff)
    const b = byId.get(bare)
    if (a && b) {
      out.push(
        ratioRow(
          a,
          b,
          `${a.label.replace(/ \(.*\)$/, '')} ÷ ${b.label}`,
          ff === 'firefront-kafkajs' ? '>= 0.95' : undefined,
        ),
      )
    }
  }
  const targets: Record<string, string> = { connect: '>= 1.0', kcat: '>= 0.5' }
  for (const peer of contestants.filter((c) => !c.firefront)) {
    out.push(ratioRow(best, peer, `fastest Firefront (${backend}) ÷ ${peer.label}`, targets[peer.id]))
  }
  return out
}
