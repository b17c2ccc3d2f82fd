/**
 * `firefront validate <config>`: checks a config file and the plugins it declares, and prints
 * every problem at once, one per line, as `file:line:col path: message`.
 */
import { type ConfigIssue, formatIssue } from '@firefront/sdk'
import type { Environment } from '../../config/interpolate'
import { type LoadedConfig, loadConfig } from '../../config/load'
import { type CommandIO, EXIT } from '../io'

/** What `validate` writes to, and the environment it interpolates from (default: `process.env`). */
export interface ValidateIO extends CommandIO {
  readonly env?: Environment
}

const USAGE = `usage: firefront validate <config>

Checks a config file (YAML, or JSON by extension) and the plugins it declares. Prints every
problem, one per line, as file:line:col path: message.
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
  readonly checkPlugins: (loaded: LoadedConfig) => Promise<readonly ConfigIssue[]>
}

/** Builds `firefront validate` over the given checks (the registry's by default). */
export function createValidateCommand(
  checks: ValidateChecks = {
    // imported when used, so the config checks load without the runtime behind the registry
    checkPlugins: async (loaded) => (await import('../../registry/check')).checkPlugins(loaded),
  },
): (args: readonly string[], io: ValidateIO) => Promise<number> {
  return (args, io) => validate(args, io, checks)
}

/** Runs `firefront validate`; returns the exit status. */
export const validateCommand: (args: readonly string[], io: ValidateIO) => Promise<number> = createValidateCommand()

async function validate(args: readonly string[], io: ValidateIO, checks: ValidateChecks): Promise<number> {
  try {
    if (args.includes('-h') || args.includes('--help')) {
      io.stdout.write(USAGE)
      return EXIT.ok
    }
    const options = args.filter((a) => a.startsWith('-'))
    const files = args.filter((a) => !a.startsWith('-'))
    if (options.length > 0 || files.length !== 1) {
      io.stderr.write(
        `${options.length > 0 ? `firefront validate: unknown option ${options[0]}` : 'firefront validate: expected one config file'}\n${USAGE}`,
      )
      return EXIT.invalid
    }
    const loaded = await loadConfig(files[0]!, { env: io.env ?? process.env })
    const warnings: ConfigIssue[] = []
    if (loaded.document) {
      try {
        const found = await checks.checkPlugins(loaded)
        loaded.addIssues(found.filter((i) => i.severity !== 'warning'))
        for (const w of found.filter((i) => i.severity === 'warning')) {
          const at = loaded.locate(w.path)
          warnings.push({
            ...w,
            file: loaded.file,
            ...(at ? { line: at.line, column: at.column } : {}),
            message: `warning: ${w.message}`,
          })
        }
      } catch (err) {
        // on a config that already has problems the plugin check may trip over them; they say enough
        if (loaded.ok) throw err
      }
    }
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
