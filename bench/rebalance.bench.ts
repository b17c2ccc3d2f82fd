/**
 * Rebalance time of a cluster (`cluster:`): two workers of the built CLI run two sources, one
 * each; the worker that owns `s2` is SIGKILLed, and the time is measured from the kill to the
 * first record of `s2` written by the other worker (read back with kcat). It is bounded by the
 * session timeout (6 s here) plus a heartbeat and a poll; medians of several runs, at_least_once
 * and exactly_once alternated.
 *
 *   npm run build && KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/run.ts rebalance
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  clusterHealth,
  startCounterServer,
  startWorker,
  stopAll,
  type Worker,
  waitFor,
  writeClusterConfig,
} from '../packages/core/test/cluster/harness'
import { type BenchRow, median } from './harness'

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const RUNS = Number(process.env.REBALANCE_RUNS ?? 3)

/** How many records of `source` the topic holds (read_committed). */
function recordsOf(topic: string, source: string): number {
  const out = spawnSync(
    'kcat',
    [
      '-C',
      '-b',
      BROKERS,
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k\\n',
      '-X',
      'isolation.level=read_committed',
    ],
    { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 },
  )
  return out.status === 0 ? out.stdout.split('\n').filter((k) => k.startsWith(`${source}-`)).length : 0
}

async function oneRun(delivery: 'at_least_once' | 'exactly_once', n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'firefront-rebalance-'))
  const id = `${process.pid}-${Date.now()}-${n}`
  const topic = `bench-rebalance-${id}`
  const server = await startCounterServer(100_000, 20)
  const config = writeClusterConfig({
    dir,
    name: 'bench.yaml',
    brokers: BROKERS,
    groupId: `bench-rebalance-${id}`,
    topic,
    url: server.url,
    sources: ['s1', 's2'],
    pageSize: 20,
    pollSeconds: 0.2,
    delivery,
  })
  const workers: Worker[] = []
  try {
    workers.push(...(await Promise.all(['w1', 'w2'].map((w) => startWorker(config, w)))))
    const owner = await waitFor('one source on each worker', 60_000, async () => {
      const views = await Promise.all(workers.map((w) => clusterHealth(w)))
      if (!views.every((v) => v?.state === 'member' && v.assigned_sources.length === 1)) return undefined
      return workers[views.findIndex((v) => v!.assigned_sources.includes('s2'))]
    })
    await waitFor('records of s2', 30_000, async () => (recordsOf(topic, 's2') > 0 ? true : undefined))
    owner.child.kill('SIGKILL')
    const killedAt = Date.now()
    await owner.exited
    const before = recordsOf(topic, 's2')
    await waitFor('a record of s2 from the other worker', 60_000, async () =>
      recordsOf(topic, 's2') > before ? true : undefined,
    )
    return (Date.now() - killedAt) / 1000
  } finally {
    await stopAll(workers)
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export default async function bench(): Promise<BenchRow[]> {
  // the workers are the built CLI
  const built = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (built.status !== 0) throw new Error(`npm run build exited with ${built.status}`)
  const times: Record<'at_least_once' | 'exactly_once', number[]> = { at_least_once: [], exactly_once: [] }
  for (let i = 0; i < RUNS; i++) {
    for (const delivery of i % 2 === 0
      ? (['at_least_once', 'exactly_once'] as const)
      : (['exactly_once', 'at_least_once'] as const)) {
      times[delivery].push(await oneRun(delivery, i))
    }
  }
  return (['at_least_once', 'exactly_once'] as const).map((delivery) => ({
    suite: 'rebalance',
    name: `SIGKILL of a worker → the moved source's first record from another worker (${delivery})`,
    value: median(times[delivery]),
    unit: 's',
    note: `session timeout 6 s, heartbeat 1 s, poll 0.2 s; runs ${times[delivery].map((t) => t.toFixed(1)).join(', ')}`,
  }))
}
