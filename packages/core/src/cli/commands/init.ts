/** `firefront init [FILE] [--force]`: writes a commented starter config (default `firefront.yaml`). */
import { existsSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { STARTER_CONFIG } from '../scaffold/starter-config'
import { EXIT, type CommandIO } from '../io'

/** Runs the command; resolves with the exit code. */
export async function initCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { force: { type: 'boolean', default: false } },
  })
  const file = positionals[0] ?? 'firefront.yaml'
  if (existsSync(file) && !values.force) {
    io.stderr.write(`firefront init: ${file} exists; pass --force to overwrite it\n`)
    return EXIT.invalid
  }
  writeFileSync(file, STARTER_CONFIG)
  io.stdout.write(
    `wrote ${file}\nnext:\n  npm install @firefront/core @firefront/connector-noaa\n  npx firefront validate ${file}\n  npx firefront run ${file} --once\n`,
  )
  return EXIT.ok
}
