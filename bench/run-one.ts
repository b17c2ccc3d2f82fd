/**
 * Runs one benchmark file in this process and prints its rows as JSON on the last stdout line.
 * bench/run.ts starts one process per file, so a benchmark's heap, JIT state and open clients do
 * not skew the next one.
 */
import { pathToFileURL } from 'node:url'
import type { Bench } from './harness'

const file = process.argv[2]
if (!file) throw new Error('usage: tsx bench/run-one.ts <file.bench.ts>')
const mod = (await import(pathToFileURL(file).href)) as { default: Bench }
const rows = await mod.default()
process.stdout.write(`\n${JSON.stringify(rows)}\n`)
// benchmark clients (Kafka sockets, timers) must not keep this process alive
process.exit(0)
