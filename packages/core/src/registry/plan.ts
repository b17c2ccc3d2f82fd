/**
 * Resolves a validated config against the registry: which connector, mode, sink and throttle
 * policy each part uses, with each plugin's own config block validated against its schema.
 * Every problem is collected with the dotted path of the block it concerns.
 */
import { resolve } from 'node:path'
import { type AnyPlugin, type ConfigIssue, didYouMean, enumMessage, type Plugin, validateConfig } from '@firefront/sdk'
import type { FirefrontConfig, SourceConfig } from '../config/schema'
import type { PluginRegistry, RegisteredPlugin } from './registry'

/** A plugin chosen for a role, with its validated config (defaults applied). */
export interface PlannedPlugin<K extends AnyPlugin['kind'] = AnyPlugin['kind']> {
  readonly entry: RegisteredPlugin<K>
  readonly config: unknown
}

/** What one source will run. */
export interface SourcePlan {
  readonly sourceId: string
  readonly source: SourceConfig
  readonly connector: PlannedPlugin<'connector'>
  readonly mode: PlannedPlugin<'ingestion-mode'>
}

/** The whole resolved plan. */
export interface RuntimePlan {
  readonly sources: ReadonlyMap<string, SourcePlan>
  readonly sink: PlannedPlugin<'sink'>
  readonly throttle: PlannedPlugin<'throttle-policy'>
}

/** The sink named by `sink.type`, or the default: kafka when a `kafka:` block is present, else file. */
export function sinkTypeOf(config: FirefrontConfig, raw?: { kafka?: unknown }): string {
  if (config.sink?.type) return config.sink.type
  return raw && raw.kafka === undefined ? 'file' : 'kafka'
}

/** The YAML name of a mode or source type as a plugin name (`real_time` → `real-time`). */
export const pluginName = (name: string): string => name.replace(/_/g, '-')

const oneOf = (names: string[]): string => (names.length > 0 ? names.join(' | ') : '(none installed)')

/** What every plugin block is checked with: where its paths are relative to, and the environment. */
export interface BlockContext {
  /**
   * The config file's folder: relative paths in plugin blocks (keys made with `FilePath`) are
   * resolved from it. Default: left as written.
   */
  readonly baseDir?: string
  /** The environment a plugin's `checkConfig` reads (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/**
 * A plugin's block, validated against its schema and then by its own `checkConfig`: the same
 * checks for `validate` and for `run`.
 */
function validated<K extends AnyPlugin['kind']>(
  entry: RegisteredPlugin<K>,
  input: unknown,
  path: string,
  issues: ConfigIssue[],
  context: BlockContext = {},
): PlannedPlugin<K> | undefined {
  const plugin = entry.plugin as Plugin
  const { baseDir } = context
  const result = validateConfig(plugin.configSchema, input, {
    path,
    ...(baseDir ? { resolvePath: (p: string) => resolve(baseDir, p) } : {}),
  })
  if (!result.ok) {
    issues.push(...result.issues.map((i) => ({ ...i, message: `${i.message} (${entry.id})` })))
    return undefined
  }
  const own = plugin.checkConfig?.(result.value, { env: context.env ?? process.env }) ?? []
  if (own.length > 0) {
    issues.push(
      ...own.map((i) => ({
        ...i,
        path: i.path ? `${path}.${i.path}` : path,
        code: i.code ?? ('ERR_PLUGIN_CONFIG' as const),
        message: `${i.message} (${entry.id})`,
      })),
    )
    return undefined
  }
  return { entry, config: result.value }
}

/** Options of {@link planRuntime}. */
export interface PlanOptions extends BlockContext {
  /** The config as written, before defaults (to tell an absent `kafka:` block from an empty one). */
  readonly raw?: { kafka?: unknown }
  /** Only plan these sources (default: every enabled one). */
  readonly only?: readonly string[]
}

/** Options of {@link planSource}. */
export interface PlanSourceOptions extends BlockContext {
  /** A connector is handed in by the caller, so none need be found in the registry. */
  readonly connectorProvided?: boolean
}

/** What {@link planSource} resolves: the mode always, the connector unless provided. */
export interface SourcePlanParts {
  readonly connector?: PlannedPlugin<'connector'>
  readonly mode: PlannedPlugin<'ingestion-mode'>
}

/** Resolves one source's connector and mode, validating their config blocks. */
export function planSource(
  config: FirefrontConfig,
  registry: PluginRegistry,
  sourceId: string,
  options: PlanSourceOptions = {},
): { parts?: SourcePlanParts; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const source = config.sources[sourceId]
  if (!source) return { issues: [{ path: 'sources', message: `no source "${sourceId}" is configured` }] }
  const base = `sources.${sourceId}`
  let connector: PlannedPlugin<'connector'> | undefined
  if (!options.connectorProvided) {
    const entry = source.connector
      ? registry.get('connector', source.connector)
      : registry.connectorFor(source.source_type)
    if (!entry) {
      const connectors = registry.list('connector')
      const installed = connectors.map((c) => {
        const types = (c.plugin as Plugin<'connector'>).sourceTypes
        return `${c.plugin.name}${types?.length ? ` (${types.join(', ')})` : ''}`
      })
      const types = connectors.flatMap((c) => [...((c.plugin as Plugin<'connector'>).sourceTypes ?? []), c.plugin.name])
      const hint = (wanted: string, among: readonly string[]): string => {
        const suggestion = didYouMean(wanted, among)
        return suggestion ? ` (did you mean ${suggestion}?)` : ''
      }
      issues.push(
        source.connector
          ? {
              path: `${base}.connector`,
              code: 'ERR_PLUGIN_NOT_FOUND',
              message: `no connector plugin named "${source.connector}"${hint(source.connector, registry.names('connector'))}; installed: ${oneOf(installed)}`,
            }
          : {
              path: `${base}.source_type`,
              code: 'ERR_PLUGIN_NOT_FOUND',
              message: `no connector serves source_type "${source.source_type}"${hint(source.source_type, types)}; installed: ${oneOf(installed)}; add the connector's package to plugins:`,
            },
      )
    } else {
      connector = validated(entry, source.config, `${base}.config`, issues, options)
    }
  }
  const { mode: modeName = 'real_time', ...modeConfig } = source.ingestion as { mode?: string } & Record<
    string,
    unknown
  >
  const modeEntry = registry.get('ingestion-mode', pluginName(modeName))
  let mode: PlannedPlugin<'ingestion-mode'> | undefined
  if (!modeEntry) {
    const modes = registry.names('ingestion-mode').map((n) => n.replace(/-/g, '_'))
    issues.push({
      path: `${base}.ingestion.mode`,
      message:
        modes.length > 0 ? enumMessage(modes, modeName, false) : `unknown ingestion mode "${modeName}": none installed`,
    })
  } else {
    mode = validated(modeEntry, modeConfig, `${base}.ingestion`, issues, options)
  }
  if (issues.length > 0 || !mode) return { issues }
  return { parts: { connector, mode }, issues }
}

/** The topic resolvers of a config, in the order they are tried: built-in steps around `topic_resolvers:`. */
function topicSteps(config: FirefrontConfig): Array<{ name: string; config: unknown; path: string }> {
  return [
    { name: 'explicit', config: {}, path: 'sources' },
    { name: 'custom-mapping', config: { mappings: config.custom_topic_mappings }, path: 'custom_topic_mappings' },
    ...(config.topic_rules.length > 0
      ? [{ name: 'content-rule', config: { rules: config.topic_rules }, path: 'topic_rules' }]
      : []),
    ...config.topic_resolvers.map((r, i) => ({ name: r.name, config: r.config, path: `topic_resolvers[${i}].config` })),
    { name: 'connector-default', config: {}, path: 'sources' },
    { name: 'pattern', config: {}, path: 'sources' },
    { name: 'default', config: { topic: config.default_topic }, path: 'default_topic' },
  ]
}

/** What {@link planOutputs} resolves. */
export interface OutputsPlan {
  readonly sink?: PlannedPlugin<'sink'>
  readonly throttle?: PlannedPlugin<'throttle-policy'>
  /** The topic chain, each resolver with its validated config: the runtime creates them from this. */
  readonly topics?: readonly PlannedPlugin<'topic-resolver'>[]
  readonly issues: ConfigIssue[]
}

/** Resolves the sink, the throttle policy and the topic chain. */
export function planOutputs(config: FirefrontConfig, registry: PluginRegistry, options: PlanOptions = {}): OutputsPlan {
  const issues: ConfigIssue[] = []
  const sinkType = sinkTypeOf(config, options.raw)
  const sinkEntry = registry.get('sink', sinkType)
  let sink: PlannedPlugin<'sink'> | undefined
  if (!sinkEntry) {
    issues.push({ path: 'sink.type', message: `unknown sink: ${enumMessage(registry.names('sink'), sinkType, false)}` })
  } else {
    const mapped = (sinkEntry.plugin as Plugin).configFromFile?.(config as unknown as Record<string, unknown>) ?? {}
    sink = validated(
      sinkEntry,
      { ...mapped, ...(config.sink?.config ?? {}) },
      config.sink ? 'sink.config' : 'kafka',
      issues,
      options,
    )
  }
  const topics: PlannedPlugin<'topic-resolver'>[] = []
  const before = issues.length
  for (const step of topicSteps(config)) {
    const entry = registry.get('topic-resolver', step.name)
    if (!entry) {
      const names = registry.names('topic-resolver')
      const suggestion = didYouMean(step.name, names)
      issues.push({
        path: step.path.replace(/\.config$/, '.name'),
        message: `unknown topic resolver "${step.name}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}: expected ${oneOf(names)}`,
      })
      continue
    }
    const planned = validated(entry, step.config, step.path, issues, options)
    if (planned) topics.push(planned)
  }
  const topicsOk = issues.length === before
  const policyName = config.throttling.enabled ? config.throttling.policy : 'allow-all'
  const policyEntry = registry.get('throttle-policy', policyName)
  let throttle: PlannedPlugin<'throttle-policy'> | undefined
  if (!policyEntry) {
    issues.push({
      path: 'throttling.policy',
      message: `unknown throttle policy: ${enumMessage(registry.names('throttle-policy'), policyName, false)}`,
    })
  } else {
    const { enabled: _enabled, policy: _policy, ...throttling } = config.throttling
    const mapped =
      (policyEntry.plugin as Plugin).configFromFile?.(config as unknown as Record<string, unknown>) ?? throttling
    throttle = validated(policyEntry, policyName === 'allow-all' ? {} : mapped, 'throttling', issues, options)
  }
  return { sink, throttle, topics: topicsOk ? topics : undefined, issues }
}

/** Resolves the config against the registry. Returns the plan, or every issue found. */
export function planRuntime(
  config: FirefrontConfig,
  registry: PluginRegistry,
  options: PlanOptions = {},
): { plan?: RuntimePlan; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const sources = new Map<string, SourcePlan>()
  for (const [sourceId, source] of Object.entries(config.sources)) {
    if (options.only ? !options.only.includes(sourceId) : !source.enabled) continue
    const { parts, issues: found } = planSource(config, registry, sourceId, options)
    issues.push(...found)
    if (parts?.connector) sources.set(sourceId, { sourceId, source, connector: parts.connector, mode: parts.mode })
  }
  for (const id of config.priority_sources) {
    if (!(id in config.sources))
      issues.push({ path: 'priority_sources', message: `"${id}" is not a configured source` })
  }
  const outputs = planOutputs(config, registry, options)
  issues.push(...outputs.issues)
  if (issues.length > 0 || !outputs.sink || !outputs.throttle) return { issues }
  return { plan: { sources, sink: outputs.sink, throttle: outputs.throttle }, issues }
}
