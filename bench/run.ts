/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints a
 * table and writes bench/results.json. A run of some benchmarks replaces only their suites' rows
 * there.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
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
if (!process.env.KAFKA_BROKERS && files.some((f) => /kafka|pipeline|peers|delivery|rebalance/.test(f))) {
  const { startKafka } = await import('../test/setup/kafka')
  const broker = startKafka(Number(process.env.KAFKA_BENCH_PORT ?? 19492))
  process.env.KAFKA_BROKERS = broker.brokers
  stopKafka = broker.stop
}

const rows: BenchRow[] = []
try {
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
} finally {
  stopKafka?.()
}

const fmt = (v: number): string =>
  !Number.isFinite(v)
    ? 'n/a'
    : Math.abs(v) >= 1000
      ? Math.round(v).toLocaleString('en-US')
      : Number.isInteger(v)
        ? String(v)
        : v.toFixed(3)

function printTable(head: string[], table: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  console.log(line(head))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const row of table) console.log(line(row))
}

const plain = rows.filter((r) => !r.columns)
printTable(
  ['suite', 'measure', 'value', 'unit', 'target', 'note'],
  plain.map((r) => [r.suite, r.name, fmt(r.value), r.unit, r.target ?? '', r.note ?? '']),
)
/** Three significant figures or so, for the extra columns. */
const fmtShort = (v: number): string =>
  !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 100 ? fmt(Math.round(v)) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2)

// rows with more figures: one wider table per suite
for (const suite of [...new Set(rows.filter((r) => r.columns).map((r) => r.suite))]) {
  const wide = rows.filter((r) => r.suite === suite && r.columns)
  const keys = [...new Set(wide.flatMap((r) => Object.keys(r.columns!)))]
  console.log('')
  printTable(
    [suite, 'value', 'unit', ...keys, 'note'],
    wide.map((r) => [
      r.name,
      fmtShort(r.value),
      r.unit,
      ...keys.map((k) => fmtShort(r.columns![k] ?? Number.NaN)),
      r.note ?? '',
    ]),
  )
}

const file = `${dir}/results.json`
const ran = new Set(rows.map((r) => r.suite))
const now = new Date().toISOString()
const previous = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as { date?: string; dates?: Record<string, string>; rows: BenchRow[] })
  : { rows: [] }
const kept = previous.rows.filter((r) => !ran.has(r.suite))
// when each suite's rows were measured (rows kept from an older file take that file's date)
const dates: Record<string, string> = {}
for (const r of kept) dates[r.suite] = previous.dates?.[r.suite] ?? previous.date ?? ''
for (const suite of ran) dates[suite] = now
writeFileSync(
  file,
  `${JSON.stringify({ date: now, node: process.version, dates, rows: [...rows, ...kept] }, null, 2)}\n`,
)
