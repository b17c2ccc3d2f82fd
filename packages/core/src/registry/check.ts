/**
 * The registry side of validating a config file: load the declared plugins next to the built-ins
 * and resolve every source, the sink and the throttle policy, collecting every issue.
 */
import { dirname, resolve } from 'node:path'
import type { ConfigIssue } from '@firefront/sdk'
import type { LoadedConfig } from '../config/load'
import { createBuiltinRegistry } from '../runtime/builtins'
import { loadDeclaredPlugins } from './load'
import { planOutputs, planSource } from './plan'
import type { PluginRegistry } from './registry'
import type { PluginTrust } from './trust'

/** First-party connector packages, by the seed's `source_type` prefixes they serve. */
export const FIRST_PARTY_CONNECTORS: ReadonlyArray<{ readonly pattern: RegExp; readonly pkg: string }> = [
  { pattern: /^(nasa_)?firms/, pkg: '@firefront/connector-nasa-firms' },
  { pattern: /^(noaa|nws)/, pkg: '@firefront/connector-noaa' },
  { pattern: /^(iot|mqtt)/, pkg: '@firefront/connector-iot-mqtt' },
]

/** Options of {@link registryFor} and {@link checkPlugins}: what the user allows beyond the file. */
export interface CheckOptions extends PluginTrust {
  /**
   * Report a source whose `source_type` no installed connector serves as a warning instead of an
   * error: for configs whose connectors are handed to `startStream()` in code.
   * (`firefront validate --allow-missing-connectors`.)
   */
  readonly allowMissingConnectors?: boolean
  /** The environment plugins' `checkConfig` read (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/**
 * Builds the registry a loaded config asks for: built-ins plus its `plugins:`. A source whose
 * `source_type` no declared plugin serves gets its first-party connector package loaded when that
 * package is installed next to the config file, so `plugins:` may leave out `@firefront/connector-*`.
 */
export async function registryFor(
  loaded: Pick<LoadedConfig, 'config' | 'file'>,
  options: PluginTrust = {},
): Promise<{ registry: PluginRegistry; issues: ConfigIssue[] }> {
  const registry = createBuiltinRegistry()
  const issues = await loadDeclaredPlugins(registry, loaded.config.plugins, loaded.file, options)
  const wanted = new Set<string>()
  for (const source of Object.values(loaded.config.sources)) {
    if (!source.enabled || source.connector || registry.connectorFor(source.source_type)) continue
    const pkg = FIRST_PARTY_CONNECTORS.find((c) => c.pattern.test(source.source_type))?.pkg
    if (pkg && !loaded.config.plugins.includes(pkg)) wanted.add(pkg)
  }
  for (const pkg of wanted) {
    // A package that is not installed, or exports no connector yet, is simply not there: the
    // source then reports its missing connector.
    await loadDeclaredPlugins(registry, [pkg], loaded.file, options)
  }
  return { registry, issues }
}

/**
 * The checks `firefront run` makes before it starts anything, which `firefront validate` makes
 * too: the declared modules (trusted, found, valid manifests), each enabled source's connector and
 * mode with their config blocks (schema, then the plugin's own `checkConfig`), the sink, the
 * throttle policy and the topic chain. A source whose `source_type` no installed connector serves
 * is an error, or a `warning` with `allowMissingConnectors`. Returns the registry it built.
 */
export async function checkConfigPlan(
  loaded: Pick<LoadedConfig, 'config' | 'file' | 'raw'>,
  options: CheckOptions = {},
): Promise<{ registry: PluginRegistry; issues: ConfigIssue[] }> {
  const { registry, issues } = await registryFor(loaded, options)
  const context = { baseDir: dirname(resolve(loaded.file)), ...(options.env ? { env: options.env } : {}) }
  for (const [sourceId, source] of Object.entries(loaded.config.sources)) {
    if (!source.enabled) continue
    for (const issue of planSource(loaded.config, registry, sourceId, context).issues) {
      const unserved = issue.code === 'ERR_PLUGIN_NOT_FOUND' && issue.path === `sources.${sourceId}.source_type`
      if (unserved && options.allowMissingConnectors) {
        issues.push({
          ...issue,
          severity: 'warning',
          message: `${issue.message}, or hand a connector to startStream() in code`,
        })
      } else if (unserved) {
        issues.push({
          ...issue,
          message: `${issue.message} (a config whose connector is handed over in code validates with --allow-missing-connectors)`,
        })
      } else issues.push(issue)
    }
  }
  for (const id of loaded.config.priority_sources) {
    if (!(id in loaded.config.sources))
      issues.push({ path: 'priority_sources', message: `"${id}" is not a configured source` })
  }
  const raw = (typeof loaded.raw === 'object' && loaded.raw !== null ? loaded.raw : {}) as { kafka?: unknown }
  issues.push(
    ...planOutputs(loaded.config, registry, {
      ...context,
      raw,
    }).issues,
  )
  return { registry, issues }
}

/** The issues of {@link checkConfigPlan}. */
export async function checkPlugins(
  loaded: Pick<LoadedConfig, 'config' | 'file' | 'raw'>,
  options: CheckOptions = {},
): Promise<ConfigIssue[]> {
  return (await checkConfigPlan(loaded, options)).issues
}
