/**
 * FIRMS CSV parsing: rows per second turned into typed detections, over a 200k-row body built by
 * repeating the rows of the real samples in packages/connector-nasa-firms/test/fixtures. The
 * connector's reader (line split, csv-parse only for quoted bodies) is measured side by side with
 * csv-parse reading every row, same body, same typing, runs interleaved. Medians of 7 runs after a
 * warm-up; the CPU-time figure in the note is less sensitive to other load on the machine.
 *
 *   npx tsx bench/run.ts firms-parse
 *
 * Why the connector does not hand every body to csv-parse: with csv-parse reading every row the
 * parse stays well under the 200k rows/s target (the csv-parse row below: 78k–94k rows/s against
 * 274k–331k for the line split when this was written; README "Parser choice and speed"). FIRMS
 * never quotes its fields, so the quote-free fast path reads its bodies exactly.
 */
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { type CsvEngine, detectionKey, parseFirmsCsv } from '../packages/connector-nasa-firms/src/index'
import { type BenchRow, median } from './harness'

const ROWS = 200_000
const RUNS = 7
const TARGET = 200_000

const sample = (name: string): { header: string; rows: string[] } => {
  const text = readFileSync(new URL(`../packages/connector-nasa-firms/test/fixtures/${name}`, import.meta.url), 'utf8')
  const [header, ...rows] = text.trimEnd().split('\n')
  return { header: header!, rows }
}

/** A FIRMS body of `n` rows: the sample's rows over and over, header first, no final newline (as FIRMS sends). */
const body = (name: string, n: number): string => {
  const { header, rows } = sample(name)
  const out = new Array<string>(n + 1)
  out[0] = header
  for (let i = 0; i < n; i++) out[i + 1] = rows[i % rows.length]!
  return out.join('\n')
}

interface Measure {
  wall: number[]
  cpu: number[]
}

function once(text: string, engine: CsvEngine, keys: boolean, m: Measure): void {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const { detections, rejected } = parseFirmsCsv(text, { source: 'BENCH', engine })
  if (keys) for (const d of detections) detectionKey(d)
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  if (detections.length !== ROWS || rejected.length !== 0) throw new Error('the bench body did not parse cleanly')
  m.wall.push(ROWS / (ms / 1000))
  m.cpu.push(ROWS / ((cpu.user + cpu.system) / 1e6))
}

/** Runs the cases interleaved (A B C A B C …) so they share the machine's ups and downs. */
function measure(cases: Array<{ text: string; engine: CsvEngine; keys: boolean }>): Measure[] {
  const results = cases.map(() => ({ wall: [], cpu: [] }) as Measure)
  for (const c of cases) once(c.text, c.engine, c.keys, { wall: [], cpu: [] }) // warm-up
  for (let r = 0; r < RUNS; r++) {
    for (const [i, c] of cases.entries()) once(c.text, c.engine, c.keys, results[i]!)
  }
  return results
}

export default async function firmsParseBench(): Promise<BenchRow[]> {
  const viirs = body('firms_viirs_noaa20_nrt_sample.csv', ROWS)
  const modis = body('firms_modis_nrt_sample.csv', ROWS)
  const [fast, lib, fastModis, withKeys] = measure([
    { text: viirs, engine: 'auto', keys: false },
    { text: viirs, engine: 'csv-parse', keys: false },
    { text: modis, engine: 'auto', keys: false },
    { text: viirs, engine: 'auto', keys: true },
  ])
  const note = (m: Measure) => `CPU-time median ${Math.round(median(m.cpu)).toLocaleString('en-US')} rows/s`
  const load = `load avg ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`
  const suite = 'firms-parse'
  return [
    {
      suite,
      name: 'VIIRS NRT rows → detections/s @200k (line split)',
      value: median(fast!.wall),
      unit: 'rows/s',
      target: `>= ${TARGET}`,
      note: `${note(fast!)}; ${load}`,
    },
    {
      suite,
      name: 'VIIRS NRT rows → detections/s @200k (csv-parse, every row)',
      value: median(lib!.wall),
      unit: 'rows/s',
      note: `${note(lib!)}; same run, for comparison`,
    },
    {
      suite,
      name: 'line split ÷ csv-parse',
      value: median(fast!.wall) / median(lib!.wall),
      unit: 'x',
    },
    {
      suite,
      name: 'MODIS NRT rows → detections/s @200k (line split)',
      value: median(fastModis!.wall),
      unit: 'rows/s',
      target: `>= ${TARGET}`,
      note: note(fastModis!),
    },
    {
      suite,
      name: 'VIIRS NRT rows → detections + record keys/s @200k',
      value: median(withKeys!.wall),
      unit: 'rows/s',
      note: note(withKeys!),
    },
  ]
}
