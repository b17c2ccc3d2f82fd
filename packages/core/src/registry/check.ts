/**
 * The registry side of validating a config file: load the declared plugins next to the built-ins
 * and resolve every source, the sink and the throttle policy, collecting every issue.
 */
import type { ConfigIssue } from '@firefront/sdk'
import type { LoadedConfig } from '../config/load'
import { builtinSinkMappers, builtinThrottleMappers, createBuiltinRegistry } from '../runtime/builtins'
import { loadDeclaredPlugins } from './load'
import { planOutputs, planSource } from './plan'
import type { PluginRegistry } from './registry'

/** First-party connector packages, by the seed's `source_type` prefixes they serve. */
export const FIRST_PARTY_CONNECTORS: ReadonlyArray<{ readonly pattern: RegExp; readonly pkg: string }> = [
  { pattern: /^(nasa_)?firms/, pkg: '@firefront/connector-nasa-firms' },
  { pattern: /^(noaa|nws)/, pkg: '@firefront/connector-noaa' },
  { pattern: /^(iot|mqtt)/, pkg: '@firefront/connector-iot-mqtt' },
]

/**
 * Builds the registry a loaded config asks for: built-ins plus its `plugins:`. A source whose
 * `source_type` no declared plugin serves gets its first-party connector package loaded when that
 * package is installed next to the config file, so `plugins:` may leave out `@firefront/connector-*`.
 */
export async function registryFor(
  loaded: Pick<LoadedConfig, 'config' | 'file'>,
): Promise<{ registry: PluginRegistry; issues: ConfigIssue[] }> {
  const registry = createBuiltinRegistry()
  const issues = await loadDeclaredPlugins(registry, loaded.config.plugins, loaded.file)
  const wanted = new Set<string>()
  for (const source of Object.values(loaded.config.sources)) {
    if (!source.enabled || source.connector || registry.connectorFor(source.source_type)) continue
    const pkg = FIRST_PARTY_CONNECTORS.find((c) => c.pattern.test(source.source_type))?.pkg
    if (pkg && !loaded.config.plugins.includes(pkg)) wanted.add(pkg)
  }
  for (const pkg of wanted) {
    // A package that is not installed, or exports no connector yet, is simply not there: the
    // source then reports its missing connector.
    await loadDeclaredPlugins(registry, [pkg], loaded.file)
  }
  return { registry, issues }
}

/**
 * Every plugin-related issue of a loaded config: modules, sources' connectors and modes, sink,
 * throttle. A source whose `source_type` no installed connector serves is a `warning`: the file is
 * valid, and the connector may be installed later or handed to `startStream()` in code (as the
 * seed does); `firefront run` refuses to start such a source.
 */
export async function checkPlugins(loaded: Pick<LoadedConfig, 'config' | 'file' | 'raw'>): Promise<ConfigIssue[]> {
  const { registry, issues } = await registryFor(loaded)
  for (const [sourceId, source] of Object.entries(loaded.config.sources)) {
    if (!source.enabled) continue
    for (const issue of planSource(loaded.config, registry, sourceId).issues) {
      const unserved = issue.code === 'ERR_PLUGIN_NOT_FOUND' && issue.path === `sources.${sourceId}.source_type`
      issues.push(unserved ? { ...issue, severity: 'warning' } : issue)
    }
  }
  for (const id of loaded.config.priority_sources) {
    if (!(id in loaded.config.sources))
      issues.push({ path: 'priority_sources', message: `"${id}" is not a configured source` })
  }
  const raw = (typeof loaded.raw === 'object' && loaded.raw !== null ? loaded.raw : {}) as { kafka?: unknown }
  issues.push(
    ...planOutputs(loaded.config, registry, {
      raw,
      sinkMappers: builtinSinkMappers,
      throttleMappers: builtinThrottleMappers,
    }).issues,
  )
  return issues
}
