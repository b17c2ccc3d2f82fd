/**
 * `firefront schema [--out FILE]`: prints the JSON Schema of the config file, for editors.
 */
import { writeFile } from 'node:fs/promises'
import { configJsonSchemaText } from '../../config/json-schema'
import { type CommandIO, EXIT } from '../io'

const USAGE = `usage: firefront schema [--out FILE]

Prints the JSON Schema of the Firefront config file, or writes it to FILE.
`

/** Runs `firefront schema`; returns the exit status. */
export async function schemaCommand(args: readonly string[], io: CommandIO): Promise<number> {
  let out: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-h' || arg === '--help') {
      io.stdout.write(USAGE)
      return EXIT.ok
    }
    if (arg === '--out' && args[i + 1] !== undefined) out = args[++i]
    else if (arg.startsWith('--out=') && arg.length > 6) out = arg.slice(6)
    else {
      io.stderr.write(`firefront schema: unexpected argument ${arg}\n${USAGE}`)
      return EXIT.invalid
    }
  }
  const text = configJsonSchemaText()
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
