/**
 * `firefront new <connector|sink|resolver> <name> [--dir DIR] [--package NAME] [--force]`:
 * scaffolds a publishable plugin package (see `scaffold/templates.ts`).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SCAFFOLD_KINDS, type ScaffoldKind, scaffoldFiles } from '../scaffold/templates'
import { EXIT, type CommandIO } from '../io'

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const PACKAGE = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

/** The version of `@firefront/sdk` this CLI runs with: the one a new package develops against. */
function sdkVersion(): string {
  return (createRequire(import.meta.url)('@firefront/sdk/package.json') as { version: string }).version
}

/** Runs the command; resolves with the exit code. */
export async function newCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      package: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  })
  const [kind, name] = positionals
  const usage = 'usage: firefront new <connector|sink|resolver> <name> [--dir DIR] [--package NAME] [--force]\n'
  if (!kind || !name || positionals.length > 2) {
    io.stderr.write(usage)
    return EXIT.invalid
  }
  if (!SCAFFOLD_KINDS.includes(kind as ScaffoldKind)) {
    io.stderr.write(
      `firefront new: the kind must be one of ${SCAFFOLD_KINDS.join(' | ')}, got ${JSON.stringify(kind)}\n${usage}`,
    )
    return EXIT.invalid
  }
  if (!NAME.test(name)) {
    io.stderr.write(`firefront new: the name must be kebab-case (e.g. "my-feed"), got ${JSON.stringify(name)}\n`)
    return EXIT.invalid
  }
  const packageName = values.package ?? `firefront-${kind}-${name}`
  if (!PACKAGE.test(packageName)) {
    io.stderr.write(`firefront new: ${JSON.stringify(packageName)} is not a valid npm package name\n`)
    return EXIT.invalid
  }
  const dir = resolve(values.dir ?? packageName.replace(/^@[^/]+\//, ''))
  if (existsSync(dir) && readdirSync(dir).length > 0 && !values.force) {
    io.stderr.write(`firefront new: ${dir} is not empty; choose another --dir, or --force to write into it\n`)
    return EXIT.invalid
  }
  const files = scaffoldFiles({ kind: kind as ScaffoldKind, name, packageName, sdkVersion: sdkVersion() })
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, text)
  }
  const shown = relative(process.cwd(), dir) || '.'
  io.stdout.write(
    `created ${packageName} (${kind} "${name}") in ${shown}:\n${Object.keys(files)
      .map((f) => `  ${f}\n`)
      .join('')}\nnext:\n  cd ${shown}\n  npm install\n  npm run build\n  npm test\n`,
  )
  return EXIT.ok
}
