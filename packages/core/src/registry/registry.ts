/**
 * The typed plugin registry. Built-in plugins, plugins declared in the config file and plugins
 * registered in code all pass through `register`, which refuses — with the plugin named and where
 * it was declared — anything invalid, a duplicate kind+name, or an unsupported API version.
 */
import {
  type AnyPlugin,
  isBranded,
  manifestProblems,
  type Plugin,
  PLUGIN_API_VERSION,
  type PluginKind,
  PluginLoadError,
} from '@firefront/sdk'

/** Plugin API versions this runtime can drive. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [PLUGIN_API_VERSION]

/** Where a plugin came from. */
export interface PluginOrigin {
  /** `builtin` (shipped with core), `config` (declared under `plugins:`), `code` (registered programmatically). */
  readonly via: 'builtin' | 'config' | 'code'
  /** The specifier as written (`@firefront/connector-nasa-firms`, `./plugins/x.js`). */
  readonly specifier?: string
  /** The file the module was loaded from. */
  readonly file?: string
  /** The npm package the file belongs to, and its version. */
  readonly packageName?: string
  readonly packageVersion?: string
  /** Where it was declared, e.g. `firefront.yaml plugins[2]`. */
  readonly declaredAt?: string
}

/** A plugin in the registry, with its origin. */
export interface RegisteredPlugin<K extends PluginKind = PluginKind> {
  /** `<kind>:<name>`. */
  readonly id: string
  readonly plugin: Plugin<K>
  readonly origin: PluginOrigin
}

const describeOrigin = (o: PluginOrigin): string =>
  o.via === 'builtin' ? 'built in' : o.via === 'code' ? 'registered in code' : (o.declaredAt ?? o.specifier ?? 'config')

/** The typed registry of every plugin a runtime may use. */
export class PluginRegistry {
  readonly #plugins = new Map<string, RegisteredPlugin>()

  /**
   * Validates and adds a plugin. Throws {@link PluginLoadError} (`ERR_PLUGIN_INVALID`,
   * `ERR_PLUGIN_API_VERSION`, `ERR_PLUGIN_DUPLICATE`) naming the plugin and its origin.
   */
  register(candidate: unknown, origin: PluginOrigin = { via: 'code' }): RegisteredPlugin {
    const label =
      typeof candidate === 'object' && candidate !== null && 'name' in candidate
        ? `${String((candidate as { kind?: unknown }).kind ?? 'plugin')}:${String((candidate as { name: unknown }).name)}`
        : (origin.specifier ?? 'plugin')
    const problems = manifestProblems(candidate)
    if (problems.length > 0) {
      throw new PluginLoadError('ERR_PLUGIN_INVALID', label, `not a valid plugin: ${problems.join('; ')}`, {
        declaredAt: origin.declaredAt,
      })
    }
    const plugin = candidate as AnyPlugin
    if (!SUPPORTED_API_VERSIONS.includes(plugin.apiVersion)) {
      throw new PluginLoadError(
        'ERR_PLUGIN_API_VERSION',
        label,
        `written for plugin API version ${plugin.apiVersion}, but this runtime supports API version ${SUPPORTED_API_VERSIONS.join(', ')}; use a release of the plugin built for @firefront/sdk with API version ${PLUGIN_API_VERSION}`,
        { declaredAt: origin.declaredAt },
      )
    }
    if (!isBranded(plugin)) {
      throw new PluginLoadError(
        'ERR_PLUGIN_INVALID',
        label,
        'not made with a define* helper of @firefront/sdk (brand missing)',
        {
          declaredAt: origin.declaredAt,
        },
      )
    }
    const id = `${plugin.kind}:${plugin.name}`
    const existing = this.#plugins.get(id)
    if (existing) {
      throw new PluginLoadError(
        'ERR_PLUGIN_DUPLICATE',
        id,
        `registered twice: ${describeOrigin(existing.origin)}${existing.origin.packageName ? ` (${existing.origin.packageName})` : ''} and ${describeOrigin(origin)}${origin.packageName ? ` (${origin.packageName})` : ''}; a kind and name may be registered once`,
        { declaredAt: origin.declaredAt },
      )
    }
    const entry: RegisteredPlugin = { id, plugin, origin }
    this.#plugins.set(id, entry)
    return entry
  }

  /** The plugin of that kind and name, if registered. */
  get<K extends PluginKind>(kind: K, name: string): RegisteredPlugin<K> | undefined {
    return this.#plugins.get(`${kind}:${name}`) as RegisteredPlugin<K> | undefined
  }

  /** Every registered plugin, optionally of one kind, in registration order. */
  list<K extends PluginKind>(kind?: K): RegisteredPlugin<K>[] {
    const all = [...this.#plugins.values()]
    return (kind ? all.filter((p) => p.plugin.kind === kind) : all) as RegisteredPlugin<K>[]
  }

  /** Names of the registered plugins of one kind, for "expected one of" messages. */
  names(kind: PluginKind): string[] {
    return this.list(kind).map((p) => p.plugin.name)
  }

  /** The connector that serves a seed `source_type`, by its `sourceTypes` or its name. */
  connectorFor(sourceType: string): RegisteredPlugin<'connector'> | undefined {
    const connectors = this.list('connector')
    return (
      connectors.find((c) => (c.plugin as Plugin<'connector'>).sourceTypes?.includes(sourceType)) ??
      connectors.find((c) => c.plugin.name === sourceType || c.plugin.name === sourceType.replace(/_/g, '-'))
    )
  }
}
