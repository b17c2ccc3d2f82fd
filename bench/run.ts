/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints a
 * table and writes bench/results.json.
 */
import { readdirSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './harness'

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()

// Benchmarks that talk to Kafka use KAFKA_BROKERS; without it, a broker is started here and
// stopped at the end, as `npm test` does.
let stopKafka: (() => void) | undefined
if (!process.env.KAFKA_BROKERS && files.some((f) => /kafka|pipeline/.test(f))) {
  const { startKafka } = await import('../test/setup/kafka')
  const broker = startKafka(Number(process.env.KAFKA_BENCH_PORT ?? 19492))
  process.env.KAFKA_BROKERS = broker.brokers
  stopKafka = broker.stop
}

const rows: BenchRow[] = []
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`)
  // one fresh process per file (see run-one.ts)
  const child = spawnSync(process.execPath, ['--import', 'tsx', `${dir}/run-one.ts`, `${dir}/${file}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
    maxBuffer: 1 << 26,
  })
  const last = child.stdout.toString().trim().split('\n').pop() ?? ''
  if (child.status !== 0 || !last.startsWith('[')) throw new Error(`bench ${file} failed (exit ${child.status})`)
  rows.push(...(JSON.parse(last) as BenchRow[]))
}

const fmt = (v: number): string =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Number.isInteger(v) ? String(v) : v.toFixed(3)
const table = rows.map((r) => [r.suite, r.name, fmt(r.value), r.unit, r.target ?? '', r.note ?? ''])
const head = ['suite', 'measure', 'value', 'unit', 'target', 'note']
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)))
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
console.log(line(head))
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
for (const row of table) console.log(line(row))

stopKafka?.()

writeFileSync(
  `${dir}/results.json`,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`,
)
