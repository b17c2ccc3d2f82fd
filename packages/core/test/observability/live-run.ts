/**
 * Starts the built `firefront run` on a config of three ticker sources into the real Kafka broker
 * (`fires` with coordinates, `sensors` without, `revoked` that fails after a few polls), with the
 * HTTP server on a free port, and reads the URL the run logs at start.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
/** The built CLI (`npm test` builds first). */
export const CLI = join(repoRoot, 'packages/core/dist/cli.js')

/** A running `firefront run`. */
export interface LiveRun {
  readonly url: string
  readonly dir: string
  readonly config: string
  readonly child: ChildProcess
  /** What the run wrote to stderr so far. */
  stderr(): string
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>
}

/** Starts the run; `revokedAfter` is the number of polls the `revoked` source makes before it fails. */
export async function startLiveRun(brokers: string, options: { revokedAfter?: number } = {}): Promise<LiveRun> {
  const id = randomUUID().slice(0, 8)
  const dir = mkdtempSync(join(tmpdir(), 'firefront-ops-'))
  const config = join(dir, 'firefront.yaml')
  const source = (name: string, extra: string) =>
    `  ${name}:\n    source_type: ticker\n    topic: ops-${name}-${id}\n    ingestion: { mode: real_time, polling_interval_seconds: 0.5 }\n    rate_limit_per_minute: 60000\n    cache_ttl_seconds: 0\n${extra}`
  writeFileSync(
    config,
    `plugins:
  - ${join(fixtures, 'ticker-connector.mjs')}
state_dir: ${join(dir, 'state')}
log_level: info
metrics: { enabled: true, host: 127.0.0.1, port: 0 }
kafka: { bootstrap_servers: "${brokers}", batch_size: 50, batch_timeout_seconds: 0.05 }
dlq: { topic: ops-dlq-${id} }
throttling: { enabled: true, consumer_groups: [ops-readers-${id}], target_consumer_lag: 1000, critical_consumer_lag: 5000 }
sources:
${source('fires', '    priority: high\n    config: { per_poll: 5 }\n')}
${source('sensors', '    config: { per_poll: 3, coordinates: false }\n')}
${source('revoked', `    config: { per_poll: 2, fail_after: ${options.revokedAfter ?? 6} }\n`)}
`,
  )
  const child = spawn(process.execPath, [CLI, 'run', config, '--allow-plugin-path', fixtures, '--progress', '0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  child.stdout.resume()
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL logged within 30 s:\n${err}`)), 30_000)
    const look = () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(err)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stderr.on('data', look)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`firefront run exited with ${code} before logging its URL:\n${err}`))
    })
  })
  return {
    url,
    dir,
    config,
    child,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      return exited
    },
  }
}

/** Polls `check` every 200 ms until it returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
