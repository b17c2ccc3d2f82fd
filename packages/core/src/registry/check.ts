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

/** Builds the registry a loaded config asks for: built-ins plus its `plugins:`. */
export async function registryFor(
  loaded: Pick<LoadedConfig, 'config' | 'file'>,
): Promise<{ registry: PluginRegistry; issues: ConfigIssue[] }> {
  const registry = createBuiltinRegistry()
  const issues = await loadDeclaredPlugins(registry, loaded.config.plugins, loaded.file)
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
