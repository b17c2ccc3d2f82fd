/**
 * `firefront run <config> [--once] [--source ID]...`: runs every enabled source until SIGINT or
 * SIGTERM, then stops gracefully; with `--once`, runs one cycle of each pull source, drains,
 * flushes, commits and exits (SIGINT/SIGTERM stop it just as gracefully). The summary's figures
 * are what the sink acknowledged, and the exit code says how the run ended (see {@link runExitCode}).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { errorCode } from '@firefront/sdk'
import { createLogger } from '../../observability/logger'
import { startMetricsServer } from '../../observability/metrics-server'
import { type RuntimeMetrics, recordTotals } from '../../runtime/metrics'
import { StreamManager } from '../../runtime/stream-manager'
import type { TeardownReport } from '../../runtime/supervisor'
import { EXIT, type CommandIO } from '../io'
import { loadRuntime } from '../load-runtime'
import { StatusLine } from '../status-line'
import { RUN_URL_FILE } from './status'
import { reloadConfig, watchConfig } from '../reload'

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

function statusText(metrics: RuntimeMetrics): string {
  const t = recordTotals(metrics)
  const q = metrics.queue
  return `in ${t.fetched}  out ${t.sent}  dlq ${t.deadLettered}  spooled ${t.spooled}  dropped ${t.dropped}  queue ${q?.size ?? 0}/${q?.max_size ?? 0}`
}

/** Records the sink still holds in its disk spool (0 for sinks without one). */
function leftSpooled(metrics: RuntimeMetrics): number {
  return n(metrics.producer?.spool_entries)
}

/**
 * The exit code of a finished run: 1 when a stream failed or a part failed to stop, 3 when
 * records are left in the spool (delivered at the next start), else 0. (2, bad config or usage,
 * is decided before anything runs.)
 */
export function runExitCode(metrics: RuntimeMetrics, teardown: TeardownReport): number {
  const failed = Object.values(metrics.streams).some((s) => s.status === 'failed')
  if (failed || teardown.failures.length > 0) return EXIT.failure
  if (leftSpooled(metrics) > 0) return EXIT.spooled
  return EXIT.ok
}

/** `, skipped 3 (duplicate=2, lwt=1)`, or nothing when the connector skipped nothing. */
function skippedText(byReason: Readonly<Record<string, number>> | undefined): string {
  const entries = Object.entries(byReason ?? {}).filter(([, v]) => v > 0)
  if (entries.length === 0) return ''
  const total = entries.reduce((a, [, v]) => a + v, 0)
  return `, skipped ${total} (${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`
}

function summary(metrics: RuntimeMetrics, teardown: TeardownReport, code: number, startError?: Error): string {
  const lines = ['', 'summary']
  for (const m of Object.values(metrics.streams)) {
    const r = m.records
    lines.push(
      `  ${m.source_id} (${m.connector}, ${m.status}): fetched ${r.fetched}, sent ${r.sent}, dead-lettered ${r.dead_lettered}, spooled ${r.spooled}, dropped ${r.dropped}, rejected inputs ${r.rejected}${r.rejected_repeats > 0 ? ` (+${r.rejected_repeats} seen again, not re-sent)` : ''}${r.replayed > 0 ? `, replayed from the journal ${r.replayed}` : ''}${skippedText(m.skipped_by_reason)}${m.last_error ? `; last error: ${m.last_error}` : ''}`,
    )
  }
  if (Object.keys(metrics.streams).length === 0) lines.push('  no stream ran')
  const t = recordTotals(metrics)
  lines.push(
    `  total: fetched ${t.fetched}, rejected inputs ${t.rejected}, sent ${t.sent}, dead-lettered ${t.deadLettered}, spooled ${t.spooled}, dropped ${t.dropped}, failed ${t.failed}`,
  )
  const delivered = Object.entries(metrics.stream_manager.delivered_by_topic)
  lines.push(`  delivered to topics: ${delivered.map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'}`)
  const producer = metrics.producer ?? {}
  const replayed = n(producer.replayed)
  if (replayed > 0) lines.push(`  replayed from the spool of an earlier run: ${replayed}`)
  const spooled = leftSpooled(metrics)
  if (spooled > 0) lines.push(`  left in the spool (delivered at the next start): ${spooled} batch(es)`)
  const dropped = Object.entries(metrics.stream_manager.dropped_by_reason).filter(([, v]) => v > 0)
  if (dropped.length > 0) lines.push(`  dropped by reason: ${dropped.map(([k, v]) => `${k}=${v}`).join(', ')}`)
  for (const f of teardown.failures) lines.push(`  failed to stop: ${f.error.message}`)
  if (typeof producer.directory === 'string') lines.push(`  output: ${producer.directory}`)
  lines.push(
    `  exit ${code}: ${startError ? `the run could not start: ${startError.message}` : (EXIT_MEANING[code] ?? '')}`,
  )
  return `${lines.join('\n')}\n`
}

const EXIT_MEANING: Readonly<Record<number, string>> = {
  [EXIT.ok]: 'everything fetched was delivered or dead-lettered',
  [EXIT.failure]: 'a stream failed (see its last error above)',
  [EXIT.invalid]: 'the configuration was refused before anything ran',
  [EXIT.spooled]: 'some records are left in the spool',
}

/** Refusals before anything ran: a config the plan refused, a `--source` that is not configured or is disabled. */
function isUsageError(err: Error): boolean {
  const code = String(errorCode(err))
  return (
    code.startsWith('ERR_CONFIG') || ['ERR_PLUGIN_CONFIG', 'ERR_SOURCE_UNKNOWN', 'ERR_SOURCE_DISABLED'].includes(code)
  )
}

/** Resolves on the first SIGINT or SIGTERM; `dispose` removes the listeners. */
function onStopSignal(): { signal: Promise<string>; dispose(): void } {
  let dispose = () => {}
  const signal = new Promise<string>((resolve) => {
    const handler = (name: string) => {
      dispose()
      resolve(name)
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
    dispose = () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    }
  })
  return { signal, dispose: () => dispose() }
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
      progress: { type: 'string' },
      watch: { type: 'boolean', default: false },
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
  if (loaded.config.cluster) {
    // the group assigns the sources: a one-shot run or a hand-picked source has nothing to share
    const refused = values.once ? '--once' : values.source ? '--source' : undefined
    if (refused) {
      io.stderr.write(
        `firefront run: ${refused} cannot be used with cluster: (group ${loaded.config.cluster.group_id}): the group assigns each source to one worker and runs it until the worker stops. For a one-shot run, use a config without cluster:\n`,
      )
      return EXIT.invalid
    }
  }
  const showStatus = values.status ?? Boolean(io.stderr.isTTY)
  // the live line stays below the log: log lines reach the terminal through it
  const line = showStatus ? new StatusLine(io.stderr) : undefined
  const logger = createLogger({
    level: loaded.config.log_level,
    ...(line ? { destination: line.logStream(), pretty: Boolean(io.stderr.isTTY) } : {}),
  })
  const manager = new StreamManager({
    config: loaded.config,
    configFile: file,
    raw: loaded.raw as { kafka?: unknown },
    registry,
    logger,
  })
  // without a live status line, a progress log line every `--progress` seconds (default 60; 0: none)
  const progressSeconds = values.progress === undefined ? (showStatus ? 0 : 60) : Number(values.progress)
  if (!Number.isFinite(progressSeconds) || progressSeconds < 0) {
    io.stderr.write(`firefront run: --progress expects a number of seconds, got ${values.progress}\n`)
    return EXIT.invalid
  }
  let timer: NodeJS.Timeout | undefined
  let progressTimer: NodeJS.Timeout | undefined
  const paint = async () => line?.paint(statusText(await manager.getMetrics()))
  const server = loaded.config.metrics.enabled ? await startMetricsServer(manager, loaded.config.metrics) : undefined
  // with `port: 0` the port is picked at start: say where it is, and leave it for `firefront status`
  const urlFile = join(loaded.config.state_dir, RUN_URL_FILE)
  if (server) {
    logger.info(
      { url: server.url },
      `status page on ${server.url}/, metrics on ${server.url}/metrics, health on ${server.url}/health and ${server.url}/ready`,
    )
    mkdirSync(loaded.config.state_dir, { recursive: true })
    writeFileSync(
      urlFile,
      `${JSON.stringify({ url: server.url, pid: process.pid, started_at: new Date().toISOString() })}\n`,
    )
  }
  const stop = onStopSignal()
  let teardown: TeardownReport = { stopped: [], failures: [] }
  let startError: Error | undefined
  try {
    await manager.start()
    if (showStatus) timer = setInterval(() => void paint(), 500)
    if (progressSeconds > 0) {
      progressTimer = setInterval(() => {
        void manager.getMetrics().then((m) => {
          const t = recordTotals(m)
          logger.info(
            { ...t, queue: m.queue?.size ?? 0, streams: m.stream_manager.active_streams },
            `progress: ${statusText(m)}`,
          )
        })
      }, progressSeconds * 1000)
      progressTimer.unref()
    }
    if (values.once) {
      const cycle = manager.runOnce(values.source)
      const first = await Promise.race([cycle.then(() => undefined), stop.signal])
      if (first !== undefined) {
        logger.info({ signal: first }, 'stopping: draining the queue, flushing the sink, committing cursors')
        teardown = await manager.stop()
      }
      await cycle
    } else if (loaded.config.cluster) {
      // the cluster part runs the sources the group assigns to this worker
      const ended = await Promise.race([stop.signal, manager.halted])
      if (typeof ended !== 'string') throw ended
      logger.info({ signal: ended }, 'stopping: draining the sources, leaving the group, flushing the sink')
    } else {
      if (values.source) for (const id of values.source) await manager.startStream(id)
      else await manager.startAll()
      const selected = values.source ? new Set(values.source) : undefined
      // SIGHUP always, a change of the file with --watch: re-read the config, restart what changed
      const reloads = watchConfig(file, values.watch, async (why) => {
        await reloadConfig(manager, file, why, io, logger, {
          allowPluginPaths: values['allow-plugin-path'] ?? [],
          select: (id) => selected?.has(id) ?? true,
        })
      })
      try {
        const signal = await stop.signal
        logger.info({ signal }, 'stopping: draining the queue, flushing the sink, committing cursors')
      } finally {
        await reloads.close()
      }
    }
  } catch (err) {
    startError = err as Error
    // a usage or config mistake gets its message; a failure of the run gets its stack in the log
    if (!isUsageError(startError)) logger.error({ err }, 'run failed')
    io.stderr.write(`firefront run: ${startError.message}\n`)
  } finally {
    stop.dispose()
    if (timer) clearInterval(timer)
    if (progressTimer) clearInterval(progressTimer)
  }
  const report = await manager.stop()
  teardown = { stopped: [...teardown.stopped, ...report.stopped], failures: [...teardown.failures, ...report.failures] }
  const metrics = await manager.getMetrics()
  line?.end(statusText(metrics))
  const code = startError ? (isUsageError(startError) ? EXIT.invalid : EXIT.failure) : runExitCode(metrics, teardown)
  io.stdout.write(summary(metrics, teardown, code, startError))
  if (server) {
    await server.close()
    rmSync(urlFile, { force: true })
  }
  return code
}
