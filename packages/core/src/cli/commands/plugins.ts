/** `firefront plugins <config>`: each resolved plugin — kind, name, version, package, where it was loaded from. */
import { relative } from 'node:path'
import { parseArgs } from 'node:util'
import { EXIT, type CommandIO } from '../io'
import { loadRuntime } from '../load-runtime'

/** Runs the command; resolves with the exit code. */
export async function pluginsCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'allow-plugin-path': { type: 'string', multiple: true },
    },
  })
  const file = positionals[0]
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
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  for (const row of table)
    io.stdout.write(
      `${row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    )
  return EXIT.ok
}
