/**
 * `firefront run <config> [--once] [--source ID]...`: runs every enabled source until SIGINT or
 * SIGTERM, then stops gracefully; with `--once`, runs one cycle of each pull source, drains,
 * flushes, commits and exits.
 */
import { parseArgs } from 'node:util'
import type { JsonValue } from '@firefront/sdk'
import { createLogger } from '../../observability/logger'
import { startMetricsServer } from '../../observability/metrics-server'
import { StreamManager } from '../../runtime/stream-manager'
import { EXIT, type CommandIO } from '../io'
import { loadRuntime } from '../load-runtime'

type Obj = Record<string, JsonValue>
const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0)
const obj = (v: JsonValue | undefined): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})

/** Totals across streams, from `getMetrics()`. */
export function totals(metrics: Obj): {
  fetched: number
  sent: number
  deadLettered: number
  spooled: number
  dropped: number
  rejected: number
  failed: number
} {
  const t = { fetched: 0, sent: 0, deadLettered: 0, spooled: 0, dropped: 0, rejected: 0, failed: 0 }
  for (const s of Object.values(obj(metrics.streams))) {
    const r = obj(obj(s).records)
    t.fetched += num(r.fetched)
    t.sent += num(r.sent)
    t.deadLettered += num(r.dead_lettered)
    t.spooled += num(r.spooled)
    t.dropped += num(r.dropped)
    t.rejected += num(r.rejected)
    t.failed += num(r.failed)
  }
  return t
}

function statusLine(metrics: Obj): string {
  const t = totals(metrics)
  const q = obj(metrics.queue)
  return `in ${t.fetched}  out ${t.sent}  dlq ${t.deadLettered}  spooled ${t.spooled}  dropped ${t.dropped}  queue ${num(q.size)}/${num(q.max_size)}`
}

function summary(metrics: Obj): string {
  const lines = ['', 'summary']
  for (const s of Object.values(obj(metrics.streams))) {
    const m = obj(s)
    const r = obj(m.records)
    lines.push(
      `  ${String(m.source_id)} (${String(m.connector)}, ${String(m.status)}): fetched ${num(r.fetched)}, sent ${num(r.sent)}, dead-lettered ${num(r.dead_lettered)}, spooled ${num(r.spooled)}, dropped ${num(r.dropped)}, rejected inputs ${num(r.rejected)}${m.last_error ? `; last error: ${String(m.last_error)}` : ''}`,
    )
  }
  const t = totals(metrics)
  const topics = obj(obj(metrics.topic_resolver).topic_usage)
  lines.push(
    `  total: fetched ${t.fetched}, rejected inputs ${t.rejected}, sent ${t.sent}, dead-lettered ${t.deadLettered}, spooled ${t.spooled}, dropped ${t.dropped}, failed ${t.failed}`,
  )
  lines.push(
    `  topics: ${
      Object.entries(topics)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ') || '(none)'
    }`,
  )
  const producer = obj(metrics.producer)
  if (typeof producer.directory === 'string') lines.push(`  output: ${producer.directory}`)
  return `${lines.join('\n')}\n`
}

/** Runs the command; resolves with the exit code. */
export async function runCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      once: { type: 'boolean', default: false },
      source: { type: 'string', multiple: true },
      status: { type: 'boolean' },
      'allow-plugin-path': { type: 'string', multiple: true },
    },
  })
  const file = positionals[0]
  if (!file) {
    io.stderr.write('usage: firefront run <config> [--once] [--source ID]... [--allow-plugin-path DIR]...\n')
    return EXIT.invalid
  }
  const runtime = await loadRuntime(file, io, { allowPluginPaths: values['allow-plugin-path'] ?? [] })
  if (!runtime) return EXIT.invalid
  const { loaded, registry } = runtime
  const logger = createLogger({ level: loaded.config.log_level })
  const manager = new StreamManager({
    config: loaded.config,
    configFile: file,
    raw: loaded.raw as { kafka?: unknown },
    registry,
    logger,
  })
  const showStatus = values.status ?? Boolean(io.stderr.isTTY)
  let timer: NodeJS.Timeout | undefined
  const paint = async () => io.stderr.write(`\r\u001b[2K${statusLine(await manager.getMetrics())}`)
  const server = loaded.config.metrics.enabled ? await startMetricsServer(manager, loaded.config.metrics) : undefined
  try {
    await manager.start()
    if (showStatus) timer = setInterval(() => void paint(), 500)
    if (values.once) {
      await manager.runOnce(values.source)
    } else {
      if (values.source) for (const id of values.source) await manager.startStream(id)
      else await manager.startAll()
      await new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          logger.info({ signal }, 'stopping: draining the queue, flushing the sink, committing cursors')
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
          resolve()
        }
        process.on('SIGINT', onSignal)
        process.on('SIGTERM', onSignal)
      })
    }
  } catch (err) {
    logger.error({ err }, 'run failed')
    io.stderr.write(`firefront run: ${(err as Error).message}\n`)
    await manager.stop().catch(() => {})
    await server?.close()
    return EXIT.failure
  } finally {
    if (timer) clearInterval(timer)
  }
  await manager.stop()
  const metrics = await manager.getMetrics()
  if (showStatus) io.stderr.write(`\r\u001b[2K${statusLine(metrics)}\n`)
  io.stdout.write(summary(metrics))
  await server?.close()
  const failed = Object.values(obj(metrics.streams)).some((s) => obj(s).status === 'failed')
  return failed ? EXIT.failure : EXIT.ok
}
