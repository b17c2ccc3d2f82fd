/**
 * `firefront status [CONFIG] [--url URL] [--json]`: what the status page shows, as a table in the
 * terminal, read from a running `firefront run`'s `/api/status`. The URL comes from `--url`, or
 * from the file the run of CONFIG leaves in its state folder (so `port: 0` is found), or from
 * CONFIG's `metrics.host` and `metrics.port`; without either, `http://127.0.0.1:9464`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { StatusReport } from '../../observability/status/report'
import { EXIT, type CommandIO } from '../io'
import { loadConfigOrReport } from '../load-runtime'

/** The file a run writes into its state folder while its HTTP server is up. */
export const RUN_URL_FILE = 'http.json'

const fmt = (n: number | null | undefined, digits = 0): string =>
  n == null || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits })

/** "3 min 2 s" */
export function duration(seconds: number | null): string {
  if (seconds == null) return '-'
  const s = Math.floor(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)))
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** The report as the terminal shows it. */
export function renderStatus(r: StatusReport, url: string): string {
  const out: string[] = []
  out.push(
    `Firefront ${r.version} · ${r.state} · ${r.healthy ? 'healthy' : 'UNHEALTHY'} · up ${duration(r.uptime_seconds)} · sink ${r.sink} · ${url}`,
    '',
  )
  const rows = [
    ['SOURCE', 'STATE', 'PRIORITY', 'IN/S', 'OUT/S', 'FETCHED', 'SENT', 'DLQ', 'ERRORS', 'LAST SUCCESS', 'LAST ERROR'],
  ]
  for (const s of r.streams) {
    rows.push([
      s.source,
      s.status,
      s.priority,
      fmt(s.in_per_second, 1),
      fmt(s.out_per_second, 1),
      fmt(s.fetched),
      fmt(s.sent),
      fmt(s.dead_lettered),
      fmt(s.errors),
      s.last_success_age_seconds == null ? '-' : `${duration(s.last_success_age_seconds)} ago`,
      s.last_error ?? '',
    ])
  }
  out.push(r.streams.length === 0 ? 'no stream' : table(rows), '')
  const q = r.queue
  if (q) {
    const levels = Object.entries(q.by_priority)
      .map(([p, n]) => `${p} ${fmt(n)}`)
      .join(', ')
    out.push(`queue     ${fmt(q.size)} / ${fmt(q.max_size)} (${levels})`)
  }
  const t = r.throttle
  if (t) {
    out.push(
      t.enabled
        ? `throttle  ${t.state} · ${fmt(t.send_rate, 1)} records/s · consumer lag ${fmt(t.consumer_lag)} (target ${fmt(t.target_lag)}, critical ${fmt(t.critical_lag)})`
        : 'throttle  off',
    )
  }
  const p = r.producer
  if (p) {
    out.push(
      `producer  sent ${fmt(p.sent)} · retries ${fmt(p.retries)} · failed ${fmt(p.failed)} · dead letters ${fmt(p.dead_lettered)} · spool ${fmt(p.spool_batches)} batches, ${fmt(p.spool_bytes)} bytes${p.delivery_state ? ` · ${p.delivery_state}` : ''}${p.last_error ? ` · last error: ${p.last_error}` : ''}`,
    )
  }
  out.push(`detections in the last hour: ${fmt(r.detections.length)}`)
  return `${out.join('\n')}\n`
}

/** Where the run of `file` serves, from the file it leaves in its state folder or its config. */
async function urlOf(file: string, io: CommandIO): Promise<string | undefined> {
  const loaded = await loadConfigOrReport(file, io)
  if (!loaded) return undefined
  const written = join(loaded.config.state_dir, RUN_URL_FILE)
  if (existsSync(written)) {
    try {
      const { url } = JSON.parse(readFileSync(written, 'utf8')) as { url?: unknown }
      if (typeof url === 'string') return url
    } catch {
      // a torn file: fall back to the configured address
    }
  }
  const { host, port } = loaded.config.metrics
  return `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`
}

/** Runs the command; resolves with the exit code. */
export async function statusCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: 'string' }, json: { type: 'boolean', default: false } },
  })
  let url = values.url ?? (positionals[0] ? await urlOf(positionals[0], io) : 'http://127.0.0.1:9464')
  if (!url) return EXIT.invalid
  url = url.replace(/\/+$/, '')
  let report: StatusReport
  try {
    const res = await fetch(`${url}/api/status`, { signal: AbortSignal.timeout(5000) })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    report = (await res.json()) as StatusReport
  } catch (err) {
    io.stderr.write(
      `firefront status: no Firefront answers at ${url} (${(err as Error).message}); is \`firefront run\` running with metrics.enabled: true?\n`,
    )
    return EXIT.failure
  }
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report, url))
  return EXIT.ok
}
