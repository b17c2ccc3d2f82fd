/** Loads a config file and its plugins for a command, printing every issue when there are any. */
import { formatIssue } from '@firefront/sdk'
import { type LoadedConfig, loadConfig } from '../config/load'
import { checkPlugins, registryFor } from '../registry/check'
import type { PluginRegistry } from '../registry/registry'
import type { CommandIO } from './io'

/** A config that loaded cleanly, with its registry. */
export interface LoadedRuntime {
  readonly loaded: LoadedConfig
  readonly registry: PluginRegistry
}

/** Loads `file` without its plugins; on any issue prints them all to stderr and returns undefined. */
export async function loadConfigOrReport(file: string, io: CommandIO): Promise<LoadedConfig | undefined> {
  const loaded = await loadConfig(file)
  if (loaded.ok) return loaded
  reportIssues(file, loaded, io)
  return undefined
}

function reportIssues(file: string, loaded: LoadedConfig, io: CommandIO): void {
  io.stderr.write(
    `${file}: invalid configuration (${loaded.issues.length} problem${loaded.issues.length === 1 ? '' : 's'})\n`,
  )
  for (const issue of loaded.issues) io.stderr.write(`  ${formatIssue(issue)}\n`)
}

/** Loads `file` and its plugins; on any issue prints them all to stderr and returns undefined. */
export async function loadRuntime(file: string, io: CommandIO): Promise<LoadedRuntime | undefined> {
  const loaded = await loadConfig(file)
  let registry: PluginRegistry | undefined
  if (loaded.ok) {
    // The module import cache makes the second load of each plugin free.
    loaded.addIssues(await checkPlugins(loaded))
    registry = (await registryFor(loaded)).registry
  }
  if (!loaded.ok || !registry) {
    io.stderr.write(
      `${file}: invalid configuration (${loaded.issues.length} problem${loaded.issues.length === 1 ? '' : 's'})\n`,
    )
    for (const issue of loaded.issues) io.stderr.write(`  ${formatIssue(issue)}\n`)
    return undefined
  }
  return { loaded, registry }
}
