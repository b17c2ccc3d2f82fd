// Several `firefront run` processes of the built CLI (packages/core/bin/firefront.mjs) share one
// config's sources through a Kafka consumer group on the real broker (KAFKA_BROKERS): the spread,
// a SIGKILLed worker's sources taken over from their committed cursors, every key delivered, and
// a worker with a different config refused by name.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BIN,
  type ClusterHealth,
  type CounterServer,
  clusterHealth,
  countKeys,
  startCounterServer,
  startWorker,
  stopAll,
  type Worker,
  waitFor,
  writeClusterConfig,
} from './harness'

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092'
const SOURCES = ['s1', 's2', 's3', 's4', 's5', 's6']
const SESSION_SECONDS = 6
const POLL_SECONDS = 0.5
const PAGE = 20
const TOTAL = 200

let dir: string
let server: CounterServer | undefined
let workers: Worker[] = []
const run = `${process.pid}-${Date.now()}`

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'firefront-cluster-'))
})

afterEach(async () => {
  await stopAll(workers)
  workers = []
  await server?.close()
  server = undefined
  rmSync(dir, { recursive: true, force: true })
})

/** Each worker's view, once every one of `ids` reports `perWorker` sources and the same members. */
async function balanced(ws: readonly Worker[], perWorker: number[]): Promise<Map<string, ClusterHealth>> {
  const views = new Map<string, ClusterHealth>()
  for (const w of ws) {
    const h = await clusterHealth(w)
    if (h?.state !== 'member') return new Map()
    views.set(w.id, h)
  }
  const counts = [...views.values()].map((h) => h.assigned_sources.length).sort()
  const all = new Set([...views.values()].flatMap((h) => h.assigned_sources))
  const members = [...views.values()].every((h) => h.members.length === ws.length)
  return all.size === SOURCES.length && members && JSON.stringify(counts) === JSON.stringify(perWorker)
    ? views
    : new Map()
}

describe('firefront run with cluster: several workers share the sources', () => {
  for (const delivery of ['at_least_once', 'exactly_once'] as const) {
    it(`three workers run two sources each; a SIGKILLed worker’s sources move to the others; every key is delivered (${delivery})`, async () => {
      const topic = `cluster-records-${delivery}-${run}`
      const groupId = `cluster-test-${delivery}-${run}`
      // 6 sources × 200 records at 8/s: 25 s of data from the first poll, so the kill lands mid-stream
      server = await startCounterServer(TOTAL, 8)
      const config = writeClusterConfig({
        dir,
        name: 'workers.yaml',
        brokers,
        groupId,
        topic,
        url: server.url,
        sources: SOURCES,
        pageSize: PAGE,
        pollSeconds: POLL_SECONDS,
        delivery,
      })
      workers = await Promise.all(['w1', 'w2', 'w3'].map((id) => startWorker(config, id)))
      const views = await waitFor('two sources on each of three workers', 40_000, async () => {
        const v = await balanced(workers, [2, 2, 2])
        return v.size === 3 ? v : undefined
      })
      // the members each worker sees are the three workers, and every source is owned once
      const owned = [...views.values()].flatMap((h) => h.assigned_sources).sort()
      expect(owned).toEqual(SOURCES)
      expect(views.get('w1')!.members.map((m) => m.worker)).toEqual(['w1', 'w2', 'w3'])

      // `firefront cluster status` tells the same from the broker
      const status = spawnSync(process.execPath, [BIN, 'cluster', 'status', config, '--json'], {
        encoding: 'utf8',
        env: { ...process.env, WORKER_ID: 'status', METRICS_PORT: '0' },
        timeout: 30_000,
      })
      expect(status.status, status.stderr).toBe(0)
      const shown = JSON.parse(status.stdout) as {
        members: Array<{ worker: string; sources: string[] }>
        generation: number
        sources: Array<{ source: string; owner: string | null }>
      }
      expect(shown.members.map((m) => [m.worker, m.sources.length])).toEqual([
        ['w1', 2],
        ['w2', 2],
        ['w3', 2],
      ])
      expect(shown.generation).toBeGreaterThan(0)
      expect(shown.sources.every((s) => s.owner !== null)).toBe(true)

      const victim = workers[1]!
      const moved = views.get(victim.id)!.assigned_sources
      expect(server.available()).toBeLessThan(TOTAL)
      victim.child.kill('SIGKILL')
      const killedAt = Date.now()
      await victim.exited
      const survivors = [workers[0]!, workers[2]!]
      const after = await waitFor('the two survivors to run all six sources', 40_000, async () => {
        const v = await balanced(survivors, [3, 3])
        return v.size === 2 ? v : undefined
      })
      const takeoverSeconds = (Date.now() - killedAt) / 1000
      for (const s of moved) expect([...after.values()].some((h) => h.assigned_sources.includes(s))).toBe(true)
      // within the session timeout plus a poll, with room for the rejoin and a busy machine
      console.log(`takeover after SIGKILL: ${takeoverSeconds.toFixed(1)} s (session timeout ${SESSION_SECONDS} s)`)
      expect(takeoverSeconds).toBeLessThan(SESSION_SECONDS + POLL_SECONDS + 10)

      // let the sources read to the end, then stop the survivors gracefully
      await waitFor('every record to be offered', 40_000, async () => (server!.available() >= TOTAL ? true : undefined))
      try {
        await waitFor('every key to reach the topic', 30_000, async () => {
          const counts = await countKeys(brokers, topic)
          return counts.size >= SOURCES.length * TOTAL ? true : undefined
        })
      } catch (e) {
        // what the workers warned about, to tell a stuck source from a slow one
        for (const w of workers) {
          const lines = w.output().split('\n')
          console.log(
            `worker ${w.id}:`,
            lines
              .filter((l) => /"level":(40|50)|fenc|stream (started|stopped)|assignment/.test(l))
              .slice(-30)
              .join('\n'),
          )
        }
        throw e
      }
      await stopAll(survivors)
      expect(await survivors[0]!.exited).toBe(0)
      expect(await survivors[1]!.exited).toBe(0)

      const counts = await countKeys(brokers, topic)
      const lost: string[] = []
      let duplicates = 0
      for (const s of SOURCES) {
        for (let n = 1; n <= TOTAL; n++) {
          const c = counts.get(`${s}-${n}`) ?? 0
          if (c === 0) lost.push(`${s}-${n}`)
          duplicates += Math.max(0, c - 1)
        }
      }
      expect(lost).toEqual([])
      // a moved source may repeat what its last owner fetched but had not committed: about a page per move
      const acquisitions = workers.reduce(
        (sum, w) => sum + (w.output().match(/"msg":"stream started"/g)?.length ?? 0),
        0,
      )
      const moves = acquisitions - SOURCES.length
      console.log(`records: ${SOURCES.length * TOTAL}, duplicates: ${duplicates}, source moves: ${moves}`)
      expect(moves).toBeGreaterThanOrEqual(moved.length)
      // exactly once: the killed worker's open transaction was aborted, its cursor commits with the records
      if (delivery === 'exactly_once') expect(duplicates).toBe(0)
      else expect(duplicates).toBeLessThanOrEqual(moves * PAGE)
    }, 85_000)
  }

  it('exactly_once: a worker frozen (SIGSTOP) past the session timeout, then resumed, writes nothing late; nothing is duplicated', async () => {
    const topic = `cluster-frozen-${run}`
    const groupId = `cluster-frozen-${run}`
    const sources = SOURCES.slice(0, 4)
    server = await startCounterServer(TOTAL, 8)
    const config = writeClusterConfig({
      dir,
      name: 'frozen.yaml',
      brokers,
      groupId,
      topic,
      url: server.url,
      sources,
      pageSize: PAGE,
      pollSeconds: POLL_SECONDS,
      delivery: 'exactly_once',
    })
    workers = await Promise.all(['w1', 'w2'].map((id) => startWorker(config, id)))
    const ready = async (ws: readonly Worker[], spread: number[]) => {
      const views = await Promise.all(ws.map((w) => clusterHealth(w)))
      const counts = views.map((v) => (v?.state === 'member' ? v.assigned_sources.length : -1)).sort()
      return JSON.stringify(counts) === JSON.stringify(spread) ? true : undefined
    }
    await waitFor('two sources on each of two workers', 40_000, () => ready(workers, [2, 2]))
    const [frozen, other] = workers as [Worker, Worker]
    frozen.child.kill('SIGSTOP')
    // the group drops the frozen worker; the other takes all four sources (and fences their producers)
    await waitFor('the other worker to run all four sources', 40_000, () => ready([other], [4]))
    await new Promise((r) => setTimeout(r, 2000))
    frozen.child.kill('SIGCONT')
    // it finds out, rejoins, and the group spreads the sources again
    await waitFor('the resumed worker to rejoin', 40_000, () => ready(workers, [2, 2]))
    await waitFor('every record to be offered', 40_000, async () => (server!.available() >= TOTAL ? true : undefined))
    try {
      await waitFor('every key to reach the topic', 30_000, async () => {
        const counts = await countKeys(brokers, topic)
        return counts.size >= sources.length * TOTAL ? true : undefined
      })
    } catch (e) {
      for (const w of workers)
        console.log(
          'DEBUG',
          w.id,
          w
            .output()
            .split('\n')
            .filter((l) => /"level":(40|50)|fenc|stream (started|stopped)/.test(l))
            .slice(-30)
            .join('\n'),
        )
      throw e
    }
    await stopAll(workers)
    const counts = await countKeys(brokers, topic)
    const lost: string[] = []
    let duplicates = 0
    for (const s of sources) {
      for (let n = 1; n <= TOTAL; n++) {
        const c = counts.get(`${s}-${n}`) ?? 0
        if (c === 0) lost.push(`${s}-${n}`)
        duplicates += Math.max(0, c - 1)
      }
    }
    const fenced = frozen.output().match(/ERR_FENCED|another worker writes for this source/g)?.length ?? 0
    console.log(
      `frozen worker: ${fenced} fenced write(s) after SIGCONT; records ${sources.length * TOTAL}, duplicates ${duplicates}`,
    )
    expect({ lost, duplicates }).toEqual({ lost: [], duplicates: 0 })
  }, 85_000)

  it('a worker with the same group_id and another config is refused, naming the difference; the others go on', async () => {
    const topic = `cluster-refused-${run}`
    const groupId = `cluster-refused-${run}`
    server = await startCounterServer(10_000, 5)
    const common = { dir, brokers, groupId, topic, url: server.url, sources: SOURCES, pollSeconds: POLL_SECONDS }
    const good = writeClusterConfig({ ...common, name: 'good.yaml' })
    const stray = writeClusterConfig({ ...common, name: 'stray.yaml', pageSizeOf: { s3: 7 } })
    workers = await Promise.all(['w1', 'w2'].map((id) => startWorker(good, id)))
    await waitFor('three sources on each of two workers', 40_000, async () => {
      const v = await balanced(workers, [3, 3])
      return v.size === 2 ? v : undefined
    })
    const odd = await startWorker(stray, 'w9')
    workers.push(odd)
    const code = await Promise.race([
      odd.exited,
      new Promise((r) => setTimeout(() => r('still running after 40 s'), 40_000)),
    ])
    expect(code, odd.output()).toBe(2)
    expect(odd.output()).toMatch(/sources\.s3 differs from worker w[12]'s: /)
    expect(odd.output()).toContain(`every worker of group ${groupId} must run the same config file`)
    // the two good workers still run everything between them
    const views = await waitFor('the two good workers to run all six sources', 30_000, async () => {
      const v = await balanced(workers.slice(0, 2), [3, 3])
      return v.size === 2 ? v : undefined
    })
    expect([...views.values()].flatMap((h) => h.assigned_sources).sort()).toEqual(SOURCES)
  }, 85_000)
})
