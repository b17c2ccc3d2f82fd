/**
 * Hot reload for `firefront run`: SIGHUP, and with `--watch` a change of the config file, re-read
 * the file and hand it to the running manager (see `StreamManager.reconfigure`). A file that does
 * not validate is refused with every problem, and the running configuration goes on.
 */
import { createHash } from 'node:crypto'
import { readFileSync, watch, type FSWatcher } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { formatIssue } from '@firefront/sdk'
import type { Logger } from 'pino'
import type { StreamManager } from '../runtime/stream-manager'
import type { CommandIO } from './io'
import { planConfigFile } from './load-runtime'

/** Options of {@link reloadConfig}. */
export interface ReloadOptions {
  readonly allowPluginPaths: readonly string[]
  /** Which sources this run runs (`--source`). */
  readonly select: (sourceId: string) => boolean
}

/** Re-reads `file` and applies it; refusals and failures are logged and printed, never thrown. */
export async function reloadConfig(
  manager: StreamManager,
  file: string,
  why: string,
  io: CommandIO,
  logger: Logger,
  options: ReloadOptions,
): Promise<void> {
  const plan = await planConfigFile(file, { allowPluginPaths: options.allowPluginPaths }).catch((err: Error) => err)
  if (plan instanceof Error || !plan.loaded.ok || !plan.registry) {
    const problems = plan instanceof Error ? [plan.message] : plan.loaded.issues.map((i) => formatIssue(i))
    logger.error(
      { trigger: why, problems },
      'config reload refused: the new file is invalid; the running configuration goes on',
    )
    io.stderr.write(
      `firefront run: reload refused, ${file} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}); the running configuration goes on:\n${problems.map((p) => `  ${p}\n`).join('')}`,
    )
    return
  }
  try {
    const report = await manager.reconfigure(
      { config: plan.loaded.config, registry: plan.registry, raw: plan.loaded.raw },
      options.select,
    )
    logger.info(
      {
        trigger: why,
        restarted: report.changed,
        added: report.added,
        removed: report.removed,
        started: report.started,
        unchanged: report.unchanged,
      },
      report.changed.length + report.added.length + report.removed.length === 0
        ? 'config reloaded: no source changed'
        : 'config reloaded: changed sources restarted from their cursors',
    )
  } catch (err) {
    logger.error({ trigger: why, err }, `config reload refused: ${(err as Error).message}`)
    io.stderr.write(`firefront run: ${(err as Error).message}\n`)
  }
}

/**
 * Calls `reload` on SIGHUP and, when `watchFile`, when the file's content changes (its folder is
 * watched, so an editor that replaces the file is seen too). Reloads run one at a time; changes
 * within 200 ms are one reload.
 */
export function watchConfig(
  file: string,
  watchFile: boolean,
  reload: (why: string) => Promise<void>,
): { close(): Promise<void> } {
  const path = resolve(file)
  const digest = (): string => {
    try {
      return createHash('sha256').update(readFileSync(path)).digest('hex')
    } catch {
      return ''
    }
  }
  let last = digest()
  let chain: Promise<void> = Promise.resolve()
  const queue = (why: string) => {
    chain = chain.then(() => reload(why)).catch(() => undefined)
  }
  const onHup = () => {
    last = digest()
    queue('SIGHUP')
  }
  process.on('SIGHUP', onHup)
  let watcher: FSWatcher | undefined
  let timer: NodeJS.Timeout | undefined
  if (watchFile) {
    watcher = watch(dirname(path), (_event, name) => {
      if (name !== null && name !== basename(path)) return
      clearTimeout(timer)
      timer = setTimeout(() => {
        const now = digest()
        // a file gone for a moment (an editor's rename) or a touch without change: nothing to do
        if (now === last || now === '') return
        last = now
        queue('file changed')
      }, 200)
    })
  }
  return {
    async close() {
      process.off('SIGHUP', onHup)
      clearTimeout(timer)
      watcher?.close()
      await chain
    },
  }
}
