/**
 * The one plan of a config file for every command: load and validate it, then make the checks
 * `run` makes before it starts (plugins, connectors, modes, sink, throttle, topic chain, each
 * plugin's block), listing every problem together. `validate` prints the result; `run`, `plugins`
 * and `schema` refuse to go on when there is any problem.
 */
import { type ConfigIssue, formatIssue } from '@firefront/sdk'
import type { Environment } from '../config/interpolate'
import { type LoadedConfig, loadConfig } from '../config/load'
import type { CheckOptions } from '../registry/check'
import type { PluginRegistry } from '../registry/registry'
import type { CommandIO } from './io'

/** A config that loaded cleanly, with its registry. */
export interface LoadedRuntime {
  readonly loaded: LoadedConfig
  readonly registry: PluginRegistry
}

/** Options of {@link planConfigFile}. */
export interface PlanFileOptions extends CheckOptions {
  /** Variables for `${...}` interpolation. Default: `process.env`. */
  readonly env?: Environment
}

/** What {@link planConfigFile} found: the loaded file (its `issues` hold every error) and the warnings. */
export interface ConfigFilePlan {
  readonly loaded: LoadedConfig
  /** The registry, when the file parsed and its plugins could be looked at. */
  readonly registry?: PluginRegistry
  /** Problems that do not make the file invalid (placed in the file). */
  readonly warnings: readonly ConfigIssue[]
}

/** Checks beyond the file itself; the registry's by default, replaceable in tests. */
export type PlanChecks = (
  loaded: LoadedConfig,
  options: CheckOptions,
) => Promise<{ readonly registry?: PluginRegistry; readonly issues: readonly ConfigIssue[] }>

// imported when used, so the config checks load without the runtime behind the registry
const registryChecks: PlanChecks = async (loaded, options) =>
  (await import('../registry/check')).checkConfigPlan(loaded, options)

/**
 * Loads `file` and runs the checks `run` makes before starting, except connecting anywhere. Plugin
 * errors are collected even when the file has problems of its own, so all are reported together.
 */
export async function planConfigFile(
  file: string,
  options: PlanFileOptions = {},
  checks: PlanChecks = registryChecks,
): Promise<ConfigFilePlan> {
  const loaded = await loadConfig(file, options.env ? { env: options.env } : {})
  const warnings: ConfigIssue[] = []
  let registry: PluginRegistry | undefined
  if (loaded.document) {
    try {
      const found = await checks(loaded, { ...options, env: options.env ?? process.env })
      registry = found.registry
      loaded.addIssues(found.issues.filter((i) => i.severity !== 'warning'))
      for (const w of found.issues.filter((i) => i.severity === 'warning')) {
        const at = loaded.locate(w.path)
        warnings.push({ ...w, file: loaded.file, ...(at ? { line: at.line, column: at.column } : {}) })
      }
    } catch (err) {
      // on a config that already has problems the plugin checks may trip over them; they say enough
      if (loaded.ok) throw err
    }
  }
  return { loaded, ...(registry ? { registry } : {}), warnings }
}

function reportIssues(file: string, loaded: LoadedConfig, io: CommandIO): void {
  io.stderr.write(
    `${file}: invalid configuration (${loaded.issues.length} problem${loaded.issues.length === 1 ? '' : 's'})\n`,
  )
  for (const issue of loaded.issues) io.stderr.write(`  ${formatIssue(issue)}\n`)
}

/** Loads `file` without its plugins; on any issue prints them all to stderr and returns undefined. */
export async function loadConfigOrReport(file: string, io: CommandIO): Promise<LoadedConfig | undefined> {
  const loaded = await loadConfig(file)
  if (loaded.ok) return loaded
  reportIssues(file, loaded, io)
  return undefined
}

/**
 * Plans `file` as `validate` does (see {@link planConfigFile}); on any problem prints them all to
 * stderr and returns undefined.
 */
export async function loadRuntime(
  file: string,
  io: CommandIO,
  options: PlanFileOptions = {},
): Promise<LoadedRuntime | undefined> {
  const { loaded, registry } = await planConfigFile(file, options)
  if (!loaded.ok || !registry) {
    reportIssues(file, loaded, io)
    return undefined
  }
  return { loaded, registry }
}

/**
 * Takes the plugin-trust flags out of a command's arguments: `--allow-plugin-path DIR` (or
 * `--allow-plugin-path=DIR`), repeatable. Returns the folders, the other arguments, and a usage
 * problem if a flag has no folder.
 */
export function takePluginTrustFlags(args: readonly string[]): {
  allowPluginPaths: string[]
  rest: string[]
  problem?: string
} {
  const allowPluginPaths: string[] = []
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--allow-plugin-path') {
      const dir = args[i + 1]
      if (dir === undefined || dir.startsWith('-'))
        return { allowPluginPaths, rest, problem: '--allow-plugin-path needs a folder' }
      allowPluginPaths.push(dir)
      i++
    } else if (arg.startsWith('--allow-plugin-path=')) {
      allowPluginPaths.push(arg.slice('--allow-plugin-path='.length))
    } else rest.push(arg)
  }
  return { allowPluginPaths, rest }
}
