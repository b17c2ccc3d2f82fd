/**
 * `firefront plugins <config>`: each resolved plugin — kind, name, version, package, where it was
 * loaded from. `--available [config]`: the plugin packages installed where the config (or the
 * current folder) resolves packages, and whether the config declares them.
 */
import { dirname, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EXIT, type CommandIO } from '../io'
import { loadRuntime } from '../load-runtime'
import { installedPlugins } from '../../registry/discover'
import { loadConfig } from '../../config/load'

/** Writes rows as aligned columns. */
function writeTable(table: string[][], io: CommandIO): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  for (const row of table)
    io.stdout.write(
      `${row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    )
}

async function availableCommand(file: string | undefined, json: boolean, io: CommandIO): Promise<number> {
  const from = file ? dirname(resolve(file)) : process.cwd()
  const declared = new Set<string>()
  if (file) {
    // only the plugins: list is read: an invalid file still shows what is installed
    const raw = (await loadConfig(file)).raw as { plugins?: unknown } | undefined
    if (Array.isArray(raw?.plugins)) for (const p of raw.plugins) if (typeof p === 'string') declared.add(p)
  }
  const rows = installedPlugins(from).map((p) => ({
    package: p.packageName,
    version: p.version,
    kind: p.kind ?? '',
    name: p.name ?? '',
    declared: declared.has(p.packageName),
    dir: relative(process.cwd(), p.dir) || '.',
  }))
  if (json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return EXIT.ok
  }
  if (rows.length === 0) {
    io.stdout.write(
      `no Firefront plugin package installed where ${file ?? 'this folder'} resolves packages (${from})\n`,
    )
    return EXIT.ok
  }
  const table = [['PACKAGE', 'VERSION', 'KIND', 'NAME', ...(file ? ['DECLARED'] : []), 'FOLDER']]
  for (const r of rows)
    table.push([r.package, r.version, r.kind, r.name, ...(file ? [r.declared ? 'yes' : 'no'] : []), r.dir])
  writeTable(table, io)
  return EXIT.ok
}

/** Runs the command; resolves with the exit code. */
export async function pluginsCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      available: { type: 'boolean', default: false },
      'allow-plugin-path': { type: 'string', multiple: true },
    },
  })
  const file = positionals[0]
  if (values.available) return availableCommand(file, values.json, io)
  if (!file) {
    io.stderr.write('usage: firefront plugins <config> [--json] [--allow-plugin-path DIR]...\n')
    return EXIT.invalid
  }
  const runtime = await loadRuntime(file, io, { allowPluginPaths: values['allow-plugin-path'] ?? [] })
  if (!runtime) return EXIT.invalid
  const rows = runtime.registry.list().map((p) => ({
    kind: p.plugin.kind,
    name: p.plugin.name,
    version: p.plugin.version,
    apiVersion: p.plugin.apiVersion,
    package: p.origin.packageName ?? '',
    packageVersion: p.origin.packageVersion ?? '',
    source:
      p.origin.via === 'builtin' ? 'built in' : p.origin.file ? relative(process.cwd(), p.origin.file) : p.origin.via,
    declaredAt: p.origin.declaredAt ?? '',
  }))
  if (values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return EXIT.ok
  }
  const table = [
    ['KIND', 'NAME', 'VERSION', 'PACKAGE', 'LOADED FROM'],
    ...rows.map((r) => [r.kind, r.name, r.version, r.package, r.source]),
  ]
  writeTable(table, io)
  return EXIT.ok
}
