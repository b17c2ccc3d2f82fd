/**
 * What the cluster tests run on: a local HTTP server handing out numbered records per source at a
 * steady rate, config files for a group of workers, worker processes of the built CLI with their
 * /health, and a read_committed reader (kcat) that counts every key of a topic.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/firefront.mjs', import.meta.url))
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

/** A server whose sources each offer records 1..total, `perSecond` more every second from the first request. */
export interface CounterServer {
  readonly url: string
  /** Records each source offers by now. */
  available(): number
  /** Requests answered per source. */
  readonly requests: Map<string, number>
  close(): Promise<void>
}

export async function startCounterServer(total: number, perSecond: number): Promise<CounterServer> {
  // the records start flowing with the first request, whenever the workers are up
  let started: number | undefined
  const available = () =>
    started === undefined ? 0 : Math.min(total, Math.floor(((Date.now() - started) / 1000) * perSecond))
  const requests = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    started ??= Date.now()
    const url = new URL(req.url ?? '/', 'http://x')
    const source = url.searchParams.get('source') ?? ''
    const after = Number(url.searchParams.get('after') ?? 0)
    const limit = Number(url.searchParams.get('limit') ?? 20)
    requests.set(source, (requests.get(source) ?? 0) + 1)
    const upTo = Math.min(available(), after + limit)
    const records: number[] = []
    for (let n = after + 1; n <= upTo; n++) records.push(n)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ records, more: upTo < available() }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/records`,
    available,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createNetServer()
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/** Options of {@link writeClusterConfig}. */
export interface ClusterConfigOptions {
  readonly dir: string
  readonly name: string
  readonly brokers: string
  readonly groupId: string
  readonly topic: string
  readonly url: string
  readonly sources: readonly string[]
  readonly pageSize?: number
  /** Page size of one source, to make a config differ. */
  readonly pageSizeOf?: Readonly<Record<string, number>>
  readonly pollSeconds?: number
  /** `exactly_once`: each poll and its cursor in one transaction (the DLQ on, as it needs). */
  readonly delivery?: 'at_least_once' | 'exactly_once'
}

/** Writes a worker config (worker id and metrics port come from WORKER_ID and METRICS_PORT). */
export function writeClusterConfig(o: ClusterConfigOptions): string {
  const sources = o.sources
    .map(
      (s) => `  ${s}:
    source_type: counter
    topic: ${o.topic}
    rate_limit_per_minute: 6000
    cache_ttl_seconds: 0
    ingestion: { mode: real_time, polling_interval_seconds: ${o.pollSeconds ?? 0.5} }
    config: { url: "${o.url}", source: ${s}, page_size: ${o.pageSizeOf?.[s] ?? o.pageSize ?? 20} }`,
    )
    .join('\n')
  const file = join(o.dir, o.name)
  writeFileSync(
    file,
    `plugins: ["${join(FIXTURES, 'counter-connector.mjs')}"]
kafka:
  bootstrap_servers: ${o.brokers}
  batch_timeout_seconds: 0.2
  topics: { partitions: 1 }
${o.delivery === 'exactly_once' ? `delivery: exactly_once\nenable_dlq: true\ndlq: { topic: ${o.groupId}.dlq }` : 'enable_dlq: false'}
cursors: { store: kafka, topic: ${o.groupId}.cursors }
cluster:
  group_id: ${o.groupId}
  worker_id: "\${WORKER_ID}"
  session_timeout_seconds: 6
  heartbeat_interval_seconds: 1
metrics:
  enabled: true
  port: "\${METRICS_PORT}"
shutdown_timeout_seconds: 15
log_level: info
sources:
${sources}
`,
  )
  return file
}

/** A worker process of the built CLI. */
export interface Worker {
  readonly id: string
  readonly port: number
  readonly child: ChildProcess
  /** stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>
  /** GET /health as JSON, or undefined while it does not answer. */
  health(): Promise<Record<string, unknown> | undefined>
}

export async function startWorker(config: string, id: string, extraArgs: readonly string[] = []): Promise<Worker> {
  const port = await freePort()
  const args = [BIN, 'run', config, '--progress', '0', '--allow-plugin-path', FIXTURES, ...extraArgs]
  const child = spawn(process.execPath, args, {
    env: { ...process.env, WORKER_ID: id, METRICS_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
  return {
    id,
    port,
    child,
    output: () => out,
    exited,
    async health() {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
        return (await res.json()) as Record<string, unknown>
      } catch {
        return undefined
      }
    },
  }
}

/** The `cluster` section of a worker's /health. */
export interface ClusterHealth {
  readonly state: string
  readonly generation: number
  readonly assigned_sources: string[]
  readonly members: Array<{ worker: string; sources: string[] }>
}

export async function clusterHealth(w: Worker): Promise<ClusterHealth | undefined> {
  return (await w.health())?.cluster as ClusterHealth | undefined
}

/** Polls `check` every 250 ms until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Stops every worker still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(workers: readonly Worker[], graceMs = 20_000): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return
      w.child.kill('SIGTERM')
      const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs)
      await w.exited
      clearTimeout(timer)
    }),
  )
}

/** How many times each key occurs in `topic`, read to its end with kafkajs. */
export async function countKeys(brokers: string, topic: string): Promise<Map<string, number>> {
  // kcat (librdkafka) reads read_committed: what an exactly_once consumer would see; a transaction
  // still open makes it wait at the last stable offset, so a timeout means "not settled yet"
  const out = spawnSync(
    'kcat',
    [
      '-C',
      '-b',
      brokers,
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
  const counts = new Map<string, number>()
  if (out.status !== 0) {
    if (/Unknown topic/.test(out.stderr) || out.error) return counts
    throw new Error(`kcat -C ${topic} exited with ${out.status}: ${out.stderr}`)
  }
  for (const key of out.stdout.split('\n')) if (key) counts.set(key, (counts.get(key) ?? 0) + 1)
  return counts
}
