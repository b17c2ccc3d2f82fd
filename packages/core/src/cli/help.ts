/**
 * What `firefront <command> --help` prints, one text per command; the option names in it are also
 * what a mistyped option is compared with ("did you mean --once?").
 */
import { didYouMean } from '@firefront/sdk'

const EXIT_CODES = `exit codes: 0 success, 1 a stream or part failed, 2 bad usage or config, 3 records left in the spool`
const TRUST = `  --allow-plugin-path DIR   also load plugin modules from DIR (repeatable); by default only the
                            config file's folder tree and node_modules are trusted`

/** The help text of each command. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  run: `usage: firefront run <config> [options]

Runs every enabled source until SIGINT or SIGTERM, then stops gracefully: stop polling, drain the
queue, flush the sink, commit the cursors. Prints a summary of what the sink acknowledged.

  --once                    one cycle of each pull source, then drain, flush, commit and exit
                            (SIGINT/SIGTERM stop it just as gracefully)
  --source ID               only this source (repeatable)
  --watch                   re-read the config when the file changes (SIGHUP does it too, always):
                            only the sources whose blocks changed restart, after their queued
                            records are delivered, from their committed cursors; a file that does
                            not validate, or changes outside sources:, is refused and the running
                            configuration goes on
  --status                  a live status line on stderr (default: when stderr is a terminal)
  --progress SECONDS        otherwise a progress log line this often (default 60; 0: none)
${TRUST}
  -h, --help                this text

${EXIT_CODES}
`,
  validate: `usage: firefront validate <config> [options]

Makes every check \`firefront run\` makes before it starts, without connecting anywhere, and prints
every problem as file:line:col path: message.

${TRUST}
  --allow-missing-connectors  a source_type no installed connector serves is a warning, not an error
  -h, --help                this text

exit codes: 0 valid, 2 invalid, 1 the check itself failed
`,
  schema: `usage: firefront schema [CONFIG] [options]

Prints the config file's JSON Schema (with the schemas of the built-in plugins, and of CONFIG's
plugins when CONFIG is given), for editors that validate YAML.

  --out FILE                write it to FILE
${TRUST}
  -h, --help                this text
`,
  plugins: `usage: firefront plugins <config> [options]
       firefront plugins --available [config] [--json]

Lists the plugins the config resolves to (built-in, declared, found by source_type), their
versions and where they came from.

  --available               instead: the plugin packages installed where the config (or, without
                            one, the current folder) resolves packages — those whose package.json
                            has a "firefront" field or the firefront-plugin keyword — and whether
                            the config declares them
  --json                    as JSON
${TRUST}
  -h, --help                this text
`,
  cursors: `usage: firefront cursors <config> [options]

Lists each source's committed cursor, or resets one (refused while the source runs).

  --reset SOURCE            forget SOURCE's cursor (the next run starts afresh)
  --to JSON                 with --reset: set it to this cursor instead
  --json                    as JSON
  -h, --help                this text
`,
  dlq: `usage: firefront dlq <config> [options]

Shows what the dead-letter topic, the disk spool and the local dead-letter file hold, by reason
and source; the spool and the local file are shown without a broker too.

  --replay                  send the dead letters back to their original topics (needs the broker)
  --source S                only dead letters of source S
  --since T                 only those dead-lettered after T (ISO 8601)
  --reason CODE             only those with this error code
  --topic T                 the dead-letter topic (default: the config's)
  --limit N                 list at most N
  --json                    as JSON
  -h, --help                this text
`,
  status: `usage: firefront status [CONFIG] [options]

Shows what the status page of a running \`firefront run\` shows, as a table: each stream's state,
records per second, totals, errors, last success and last error; the queue by priority; the
throttle state with consumer lag against its targets; the producer's figures. Reads
/api/status over HTTP. The address is --url, or the one the run of CONFIG wrote into its state
folder (found even with metrics.port: 0), or CONFIG's metrics.host and metrics.port; without
either, http://127.0.0.1:9464.

  --url URL                 the run's HTTP address (as logged at its start)
  --json                    the report as JSON
  -h, --help                this text

exit codes: 0 shown, 1 nothing answers at the address, 2 bad usage or config
`,
  test: `usage: firefront test <config> [options]

Config unit tests: each case of a test file gives one source recorded input — records as its
connector would emit them, recorded HTTP answers, or recorded MQTT messages — and says what must
come out: each record's topic, key, headers and value, each dead letter's reason, or the poll's
error. Cases run through the config's real connector, mode, send hooks, topic resolvers and the
Kafka sink's serialisation, with a memory sink instead of the broker. Nothing connects anywhere.

  --tests FILE              a test file (repeatable; default: <config>.test.yaml beside the config)
${TRUST}
  -h, --help                this text

exit codes: 0 every case passed, 1 a case failed, 2 bad usage, an invalid config or test file
`,
  init: `usage: firefront init [FILE] [options]

Writes a commented starter config (default firefront.yaml): a file sink, the dead-letter path, and
one NWS alerts source. It validates once @firefront/connector-noaa is installed next to it.

  --force                   overwrite FILE
  -h, --help                this text
`,
  new: `usage: firefront new <connector|sink|resolver> <name> [options]

Scaffolds a publishable plugin package: package.json (ESM, exports map, engines, @firefront/sdk as
a peer dependency with a range that survives its minors, keywords firefront-plugin), a TypeScript
source, a test with @firefront/sdk/testing, a README and a changeset. It builds and passes its
tests as generated: npm install && npm run build && npm test.

  --dir DIR                 where to write it (default: ./<package name>)
  --package NAME            the npm package name (default: firefront-<kind>-<name>)
  --force                   write into a folder that is not empty
  -h, --help                this text
`,
  cluster: `usage: firefront cluster status <config> [options]

Shows the workers of the config's cluster group (cluster.group_id): each worker's id, host and
sources, the group's generation, and each source's owner, committed record count, last commit
time and cursor (from the cursor topic). Reads only; needs the broker.

  --json                    as JSON
  -h, --help                this text

exit codes: 0 shown, 2 bad usage or config (or no cluster: block), 1 the broker could not be read
`,
}

/** The options a command's help names. */
export function optionsOf(command: string): string[] {
  return [...new Set((COMMAND_HELP[command] ?? '').match(/--[a-z][a-z-]*/g) ?? [])]
}

/** "(did you mean --once?)" for a mistyped option of `command`, or ''. */
export function suggestOption(command: string, typed: string): string {
  const name = typed.replace(/=.*$/, '')
  const guess = didYouMean(name, optionsOf(command))
  return guess ? ` (did you mean ${guess}?)` : ''
}
