/**
 * `firefront cursors <config>`: each source's committed cursor and when it was committed.
 * `firefront cursors <config> --reset <source> [--to <json>]`: forgets a cursor or sets it;
 * refused while that source runs.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Cursor } from '@firefront/sdk'
import type { CursorStore } from '../../cursors/file-cursor-store'
import { openCursorStore } from '../../cursors/open'
import { sourceRunningPid } from '../../cursors/source-lock'
import { EXIT, type CommandIO } from '../io'
import { loadConfigOrReport } from '../load-runtime'

/** Runs the command; resolves with the exit code. */
export async function cursorsCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { reset: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } },
  })
  const file = positionals[0]
  if (!file) {
    io.stderr.write('usage: firefront cursors <config> [--reset <source> [--to <json>]] [--json]\n')
    return EXIT.invalid
  }
  const loaded = await loadConfigOrReport(file, io)
  if (!loaded) return EXIT.invalid
  const config = loaded.config
  const stateDir = resolve(config.state_dir)
  const store = await openCursorStore(config)
  try {
    return await run(store)
  } finally {
    await store.close?.()
  }

  async function run(store: CursorStore): Promise<number> {
    if (values.reset) {
      const sourceId = values.reset
      if (!(sourceId in config.sources)) {
        io.stderr.write(
          `firefront cursors: no source "${sourceId}" in ${file} (sources: ${Object.keys(config.sources).join(', ') || 'none'})\n`,
        )
        return EXIT.invalid
      }
      const pid = sourceRunningPid(stateDir, sourceId)
      if (pid !== undefined) {
        io.stderr.write(`firefront cursors: refused: source "${sourceId}" is running (pid ${pid}); stop it first\n`)
        return EXIT.failure
      }
      let to: Cursor | undefined
      if (values.to !== undefined) {
        try {
          to = JSON.parse(values.to) as Cursor
        } catch {
          to = values.to
        }
      }
      await store.reset(sourceId, to)
      io.stdout.write(
        to === undefined
          ? `reset ${sourceId}: the next run starts from the beginning\n`
          : `set ${sourceId} to ${JSON.stringify(to)}\n`,
      )
      return EXIT.ok
    }
    const entries = store.list()
    if (values.json) {
      io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`)
      return EXIT.ok
    }
    const rows = [['SOURCE', 'COMMITTED AT', 'RUNNING', 'CURSOR']]
    for (const sourceId of Object.keys(config.sources)) {
      const e = entries[sourceId]
      const pid = sourceRunningPid(stateDir, sourceId)
      rows.push([sourceId, e?.committedAt ?? '-', pid ? `pid ${pid}` : 'no', e ? JSON.stringify(e.cursor) : '(none)'])
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    for (const r of rows)
      io.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`)
    return EXIT.ok
  }
}
