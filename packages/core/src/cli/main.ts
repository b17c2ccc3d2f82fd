/** The `firefront` command line. */
import { createRequire } from 'node:module'
import { didYouMean } from '@firefront/sdk'
import { cursorsCommand } from './commands/cursors'
import { pluginsCommand } from './commands/plugins'
import { runCommand } from './commands/run'
import { schemaCommand } from './commands/schema'
import { validateCommand } from './commands/validate'
import { COMMAND_HELP, suggestOption } from './help'
import { EXIT, processIO, type CommandIO } from './io'

const HELP = `firefront — ingest wildfire data into Kafka

usage:
  firefront run <config> [--once] [--source ID]... [--watch]  run every enabled source (SIGINT/SIGTERM stops gracefully; SIGHUP reloads)
  firefront validate <config>                        make every check run makes before starting (exit 2 when invalid)
  firefront schema [CONFIG] [--out FILE]             print the config file's JSON Schema
  firefront plugins <config> [--json]                list the resolved plugins
  firefront cursors <config> [--reset SOURCE [--to JSON]]   list or reset committed cursors
  firefront dlq <config> [--replay] [--source S] [--since T] inspect or replay the dead-letter topic and spool
  firefront cluster status <config> [--json]          the workers of the config's group, their sources and cursors
  firefront status [config] [--url URL] [--json]     a running instance's streams, queue, throttle and producer
  firefront test <config> [--tests FILE]...          run config unit tests (recorded input → topics, keys, dead letters)
  firefront init [FILE]                              write a commented starter config (default firefront.yaml)
  firefront new <connector|sink|resolver> <name>     scaffold a plugin package that builds and tests as generated
  firefront --version

exit codes:
  0  success: every record fetched was delivered (or dead-lettered)
  1  a stream failed, or a part failed to start or stop
  2  bad usage or an invalid configuration (nothing ran)
  3  run: some records are left in the disk spool (delivered at the next start)

run, validate, schema and plugins load plugin modules only from the config file's folder tree
and node_modules; --allow-plugin-path DIR trusts another folder.
`

type Command = (args: string[], io: CommandIO) => Promise<number>

const commands: Record<string, () => Promise<Command>> = {
  run: async () => runCommand,
  validate: async () => validateCommand,
  schema: async () => schemaCommand,
  plugins: async () => pluginsCommand,
  cursors: async () => cursorsCommand,
  dlq: async () => (await import('./commands/dlq')).dlqCommand,
  cluster: async () => (await import('./commands/cluster')).clusterCommand,
  status: async () => (await import('./commands/status')).statusCommand,
  test: async () => (await import('./commands/test')).testCommand,
  init: async () => (await import('./commands/init')).initCommand,
  new: async () => (await import('./commands/new')).newCommand,
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(HELP)
    return name ? EXIT.ok : EXIT.invalid
  }
  if (name === '--version' || name === '-v') {
    const pkg = createRequire(import.meta.url)('../package.json') as { version: string }
    io.stdout.write(`${pkg.version}\n`)
    return EXIT.ok
  }
  const load = commands[name]
  if (!load) {
    const guess = didYouMean(name, Object.keys(commands))
    io.stderr.write(`firefront: unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}\n\n${HELP}`)
    return EXIT.invalid
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(COMMAND_HELP[name] ?? HELP)
    return EXIT.ok
  }
  try {
    return await (await load())(rest, io)
  } catch (err) {
    // node:util parseArgs refusals (an unknown option, a missing value) are usage errors
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      const typed = /'(-[^']*)'/.exec((err as Error).message)?.[1] ?? ''
      const message =
        code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && typed
          ? `unknown option ${typed}${suggestOption(name, typed)}`
          : (err as Error).message
      io.stderr.write(`firefront ${name}: ${message}\n\n${COMMAND_HELP[name] ?? ''}`)
      return EXIT.invalid
    }
    io.stderr.write(`firefront ${name}: ${(err as Error).message}\n`)
    return EXIT.failure
  }
}
