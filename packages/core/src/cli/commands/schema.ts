/**
 * `firefront schema [CONFIG] [--out FILE]`: prints the JSON Schema of the config file, for editors,
 * with the config schemas of the built-in plugins and, given a config file, of the plugins it
 * declares.
 */
import { writeFile } from 'node:fs/promises'
import { formatIssue } from '@firefront/sdk'
import { loadConfig } from '../../config/load'
import { registryFor } from '../../registry/check'
import { pluginJsonSchemaText } from '../../registry/json-schema'
import { createBuiltinRegistry } from '../../runtime/builtins'
import { type CommandIO, EXIT } from '../io'
import { takePluginTrustFlags } from '../load-runtime'

const USAGE = `usage: firefront schema [CONFIG] [--out FILE] [--allow-plugin-path DIR]...

Prints the JSON Schema of the Firefront config file, or writes it to FILE. It includes the config
schemas of the built-in plugins and, when CONFIG is given, of the plugins CONFIG declares.
`

/** Runs `firefront schema`; returns the exit status. */
export async function schemaCommand(args: readonly string[], io: CommandIO): Promise<number> {
  let out: string | undefined
  let config: string | undefined
  const trust = takePluginTrustFlags(args)
  if (trust.problem) {
    io.stderr.write(`firefront schema: ${trust.problem}\n${USAGE}`)
    return EXIT.invalid
  }
  const rest = trust.rest
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    if (arg === '-h' || arg === '--help') {
      io.stdout.write(USAGE)
      return EXIT.ok
    }
    if (arg === '--out' && rest[i + 1] !== undefined) out = rest[++i]
    else if (arg.startsWith('--out=') && arg.length > 6) out = arg.slice(6)
    else if (!arg.startsWith('-') && config === undefined) config = arg
    else {
      io.stderr.write(`firefront schema: unexpected argument ${arg}\n${USAGE}`)
      return EXIT.invalid
    }
  }
  let registry = createBuiltinRegistry()
  if (config !== undefined) {
    const loaded = await loadConfig(config)
    const found = loaded.ok ? await registryFor(loaded, { allowPluginPaths: trust.allowPluginPaths }) : undefined
    const issues = found ? found.issues : loaded.issues
    if (!found || issues.length > 0) {
      for (const issue of issues) io.stderr.write(`${formatIssue({ file: config, ...issue })}\n`)
      return EXIT.invalid
    }
    registry = found.registry
  }
  const text = pluginJsonSchemaText(registry)
  if (out === undefined) {
    io.stdout.write(text)
    return EXIT.ok
  }
  try {
    await writeFile(out, text)
    io.stderr.write(`wrote ${out}\n`)
    return EXIT.ok
  } catch (err) {
    io.stderr.write(`firefront schema: cannot write ${out}: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT.failure
  }
}
