/**
 * `firefront validate <config>`: makes every check `firefront run` makes before it starts (the
 * file, the plugins it declares, each source's connector and mode, the sink, the throttle policy,
 * each plugin's own block), without connecting anywhere, and prints every problem at once, one per
 * line, as `file:line:col path: message`.
 */
import { type ConfigIssue, formatIssue } from '@firefront/sdk'
import type { Environment } from '../../config/interpolate'
import type { LoadedConfig } from '../../config/load'
import type { CheckOptions } from '../../registry/check'
import { type CommandIO, EXIT } from '../io'
import { type PlanChecks, planConfigFile, takePluginTrustFlags } from '../load-runtime'

/** What `validate` writes to, and the environment it interpolates from (default: `process.env`). */
export interface ValidateIO extends CommandIO {
  readonly env?: Environment
}

const USAGE = `usage: firefront validate <config> [--allow-plugin-path DIR]... [--allow-missing-connectors]

Checks a config file (YAML, or JSON by extension) exactly as \`firefront run\` does before it
starts, without connecting anywhere: the file, the plugins it declares, each source's connector
and mode, the sink, the throttle policy and every plugin's own config block. Prints every
problem, one per line, as file:line:col path: message.

  --allow-plugin-path DIR     also load plugin modules from DIR (by default only the config
                              file's folder tree and node_modules are trusted)
  --allow-missing-connectors  a source_type no installed connector serves is a warning, not an
                              error (for configs whose connectors are handed over in code)

Exit status: 0 valid, 2 invalid, 1 unexpected error.
`

/**
 * One issue as a line: `file:line:col path: message`; without the path for the file as a whole (a
 * syntax error), and without the place when there is none (a missing file).
 */
export function formatIssueLine(issue: ConfigIssue): string {
  if (issue.path) return formatIssue(issue)
  const place = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`
  return issue.file ? `${issue.file}${place}${place ? ' ' : ': '}${issue.message}` : issue.message
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`

/** What `validate` checks beyond the file itself. */
export interface ValidateChecks {
  /**
   * The registry's checks: `plugins:` resolved from the config's folder, duplicates, API versions,
   * each source's connector and mode, the sink and throttle policy, and their config blocks.
   */
  readonly checkPlugins: (loaded: LoadedConfig, options: CheckOptions) => Promise<readonly ConfigIssue[]>
}

/** Builds `firefront validate` over the given checks (the registry's, as `run` makes them, by default). */
export function createValidateCommand(
  checks?: ValidateChecks,
): (args: readonly string[], io: ValidateIO) => Promise<number> {
  const plan: PlanChecks | undefined = checks
    ? async (loaded, options) => ({ issues: await checks.checkPlugins(loaded, options) })
    : undefined
  return (args, io) => validate(args, io, plan)
}

/** Runs `firefront validate`; returns the exit status. */
export const validateCommand: (args: readonly string[], io: ValidateIO) => Promise<number> = createValidateCommand()

async function validate(args: readonly string[], io: ValidateIO, checks: PlanChecks | undefined): Promise<number> {
  try {
    if (args.includes('-h') || args.includes('--help')) {
      io.stdout.write(USAGE)
      return EXIT.ok
    }
    const trust = takePluginTrustFlags(args)
    const allowMissingConnectors = trust.rest.includes('--allow-missing-connectors')
    const rest = trust.rest.filter((a) => a !== '--allow-missing-connectors')
    const options = rest.filter((a) => a.startsWith('-'))
    const files = rest.filter((a) => !a.startsWith('-'))
    if (trust.problem || options.length > 0 || files.length !== 1) {
      const problem =
        trust.problem ?? (options.length > 0 ? `unknown option ${options[0]}` : 'expected one config file')
      io.stderr.write(`firefront validate: ${problem}\n${USAGE}`)
      return EXIT.invalid
    }
    const planned = await planConfigFile(
      files[0]!,
      { env: io.env ?? process.env, allowPluginPaths: trust.allowPluginPaths, allowMissingConnectors },
      checks,
    )
    const { loaded } = planned
    const warnings = planned.warnings.map((w) => ({ ...w, message: `warning: ${w.message}` }))
    if (!loaded.ok) {
      for (const issue of loaded.issues) io.stderr.write(`${formatIssueLine(issue)}\n`)
      for (const issue of warnings) io.stderr.write(`${formatIssueLine(issue)}\n`)
      return EXIT.invalid
    }
    for (const issue of warnings) io.stderr.write(`${formatIssueLine(issue)}\n`)
    const sources = Object.keys(loaded.config.sources).length
    io.stdout.write(
      `${loaded.file}: valid (${plural(sources, 'source')}, ${plural(loaded.config.plugins.length, 'plugin')}${warnings.length ? `, ${plural(warnings.length, 'warning')}` : ''})\n`,
    )
    return EXIT.ok
  } catch (err) {
    io.stderr.write(`firefront validate: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT.failure
  }
}
