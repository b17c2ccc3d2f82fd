/**
 * PriorityQueue: enqueue+dequeue pairs per second with 1k, 100k and 1M records resident (the
 * figure should be flat: both operations are O(1)), and the memory a full queue of 1 KB records
 * costs at `queue_max_size: 100000`.
 *
 * The memory figures come from a child process running this file (a fresh heap, `--expose-gc`):
 * in the parent, RSS kept from earlier benchmarks would hide the growth, and a heap grown by the
 * memory test slows the throughput runs down.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { SourceRecord } from '@firefront/sdk'
import { PriorityQueue } from '../packages/core/src/queue/priority-queue'
import { type BenchRow, median } from './harness'

const RUNS = 7
const PAIRS = 2_000_000
/** getMetrics() is called this often during the timed loop, as a metrics scrape would. */
const METRICS_EVERY = 100_000

/** A real `gc()` whether or not node was started with --expose-gc. */
function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}
const gc = getGc()

function settle(): void {
  for (let i = 0; i < 3; i++) gc()
}

/** Pairs per second with `resident` records queued before and during the measurement. */
function pairsPerSecond(resident: number, pool: readonly SourceRecord[]): number {
  const q = new PriorityQueue<SourceRecord>({ maxSize: resident + 1024, overflowStrategy: 'drop_oldest' })
  for (let i = 0; i < resident; i++) q.tryEnqueue(pool[i % pool.length]!, 'normal', 'bench')
  // Warm up so the measurement sees optimised code.
  for (let i = 0; i < 200_000; i++) {
    q.tryEnqueue(pool[i & 1023]!, 'normal', 'bench')
    q.dequeue()
  }
  let sink = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < PAIRS; i++) {
    q.tryEnqueue(pool[i & 1023]!, 'normal', 'bench')
    sink += q.dequeue()!.enqueuedAt & 1
    if (i % METRICS_EVERY === 0) sink += q.getMetrics().size & 1
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (q.size() !== resident || sink < 0) throw new Error('queue size drifted during the benchmark')
  return PAIRS / seconds
}

/** The async path (`await enqueue()` under `block`), which a stream uses when it must wait for room. */
async function asyncPairsPerSecond(resident: number, pool: readonly SourceRecord[]): Promise<number> {
  const q = new PriorityQueue<SourceRecord>({ maxSize: resident + 1024, overflowStrategy: 'block' })
  for (let i = 0; i < resident; i++) q.tryEnqueue(pool[i % pool.length]!, 'normal', 'bench')
  const pairs = 500_000
  const start = process.hrtime.bigint()
  for (let i = 0; i < pairs; i++) {
    await q.enqueue(pool[i & 1023]!, 'normal', 'bench')
    q.dequeue()
  }
  return pairs / (Number(process.hrtime.bigint() - start) / 1e9)
}

/** RSS and heap growth after filling a queue of `maxSize` with fresh 1 KB records (payload included). */
function fullQueueMemory(maxSize: number): { rssMb: number; heapMb: number } {
  settle()
  const before = process.memoryUsage()
  const q = new PriorityQueue<SourceRecord>({ maxSize, overflowStrategy: 'drop_oldest' })
  for (let i = 0; i < maxSize; i++) {
    // 512 random bytes as hex: a flat 1024-character one-byte string per record.
    q.tryEnqueue({ key: `k${i}`, value: { payload: randomBytes(512).toString('hex') } }, 'normal', 'bench')
  }
  settle()
  const after = process.memoryUsage()
  if (q.size() !== maxSize) throw new Error('queue not full')
  return { rssMb: (after.rss - before.rss) / 2 ** 20, heapMb: (after.heapUsed - before.heapUsed) / 2 ** 20 }
}

/** What the queue itself adds per entry: heap growth when every entry holds one shared record. */
function queueBytesPerEntry(maxSize: number): number {
  const shared: SourceRecord = { value: 1 }
  settle()
  const before = process.memoryUsage().heapUsed
  const q = new PriorityQueue<SourceRecord>({ maxSize })
  for (let i = 0; i < maxSize; i++) q.tryEnqueue(shared, 'normal', 'bench')
  settle()
  const grown = process.memoryUsage().heapUsed - before
  if (q.size() !== maxSize) throw new Error('queue not full')
  return grown / maxSize
}

const MEMORY_CHILD = 'FIREFRONT_QUEUE_BENCH_MEMORY'

interface MemoryFigures {
  readonly rssMb: number[]
  readonly heapMb: number[]
  readonly perEntry: number[]
}

// In the child: measure, print the figures as JSON, exit.
if (process.env[MEMORY_CHILD] === '1') {
  const figures: MemoryFigures = { rssMb: [], heapMb: [], perEntry: [] }
  for (let run = 0; run < 3; run++) {
    const m = fullQueueMemory(100_000)
    figures.rssMb.push(m.rssMb)
    figures.heapMb.push(m.heapMb)
    figures.perEntry.push(queueBytesPerEntry(100_000))
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`)
  process.exit(0)
}

function measureMemoryInChild(): MemoryFigures {
  const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url)], {
    env: { ...process.env, [MEMORY_CHILD]: '1' },
    encoding: 'utf8',
  })
  if (child.status !== 0) throw new Error(`memory benchmark failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as MemoryFigures
}

export default async (): Promise<BenchRow[]> => {
  const rows: BenchRow[] = []

  const mem = measureMemoryInChild()
  rows.push(
    {
      suite: 'queue',
      name: 'RSS growth, full queue (100k x 1 KB records)',
      value: median(mem.rssMb),
      unit: 'MB',
      note: `heap growth ${median(mem.heapMb).toFixed(1)} MB; the payload strings alone are 97.7 MB; fresh process, median of 3`,
    },
    {
      suite: 'queue',
      name: 'queue overhead per entry (heap, records excluded)',
      value: median(mem.perEntry),
      unit: 'bytes',
      note: 'item + source id slots and a float64 time, at ring capacity 131072; median of 3',
    },
  )
  settle()

  const pool: SourceRecord[] = Array.from({ length: 1024 }, (_, i) => ({ key: `k${i}`, value: { i } }))
  const sizes: [string, number][] = [
    ['1k', 1_000],
    ['100k', 100_000],
    ['1M', 1_000_000],
  ]
  // Interleave the sizes run by run so machine noise hits them alike; report each size's median.
  const results = new Map<string, number[]>(sizes.map(([label]) => [label, []]))
  for (let run = 0; run < RUNS; run++) {
    for (const [label, n] of sizes) {
      results.get(label)!.push(pairsPerSecond(n, pool))
      settle()
    }
  }
  const medians = sizes.map(([label]) => median(results.get(label)!))
  sizes.forEach(([label], i) => {
    rows.push({
      suite: 'queue',
      name: `enqueue+dequeue pairs/s @ ${label} resident`,
      value: medians[i]!,
      unit: 'pairs/s',
      target: '>= 10000000',
      note: `median of ${RUNS}; counters on, getMetrics() every ${METRICS_EVERY / 1000}k`,
    })
  })
  rows.push({
    suite: 'queue',
    name: 'flatness: fastest / slowest size',
    value: Math.max(...medians) / Math.min(...medians),
    unit: 'ratio',
    target: '<= 2',
  })

  const asyncRuns: number[] = []
  for (let run = 0; run < 5; run++) asyncRuns.push(await asyncPairsPerSecond(100_000, pool))
  rows.push({
    suite: 'queue',
    name: 'await enqueue()+dequeue pairs/s @ 100k resident',
    value: median(asyncRuns),
    unit: 'pairs/s',
    note: 'the promise path (block strategy, room available); median of 5',
  })
  return rows
}
