/**
 * The `define*` helpers: each returns a validated, branded, frozen plugin manifest.
 * @packageDocumentation
 */
import { Kind, type Static, type TSchema } from '@sinclair/typebox'
import type { PluginContext } from './context'
import { type ConfigIssue, FirefrontError } from './errors'
import type {
  ConnectorInstance,
  IngestionModeInstance,
  SinkInstance,
  ThrottlePolicyInstance,
  TopicResolverInstance,
} from './instances'

/** The plugin API version this SDK writes into manifests. The runtime lists those it supports. */
export const PLUGIN_API_VERSION = 1

/** The brand that marks a manifest made by a `define*` helper; checked instead of `instanceof`. */
export const PLUGIN_BRAND = '@firefront/plugin'

/** The five kinds of plugin. */
export const PLUGIN_KINDS = ['connector', 'ingestion-mode', 'throttle-policy', 'topic-resolver', 'sink'] as const

/** One of {@link PLUGIN_KINDS}. */
export type PluginKind = (typeof PLUGIN_KINDS)[number]

/** Maps each kind to the instance its `create` returns. */
export interface InstanceOf {
  connector: ConnectorInstance
  'ingestion-mode': IngestionModeInstance
  'throttle-policy': ThrottlePolicyInstance
  'topic-resolver': TopicResolverInstance
  sink: SinkInstance
}

/** What a plugin author writes: the manifest fields and `create`. */
export interface PluginDefinition<K extends PluginKind, S extends TSchema> {
  /** kebab-case, unique per kind; the qualified id is `<kind>:<name>`. */
  readonly name: string
  /** semver of the plugin package. */
  readonly version: string
  readonly description?: string
  /** TypeBox schema of the plugin's `config:` block; the runtime validates against it and fills defaults. */
  readonly configSchema: S
  /**
   * Makes one instance. Called once per configured use, after `config` passed `configSchema`
   * (defaults applied), before anything starts. Throwing fails the stream that needs it, with the
   * plugin named in the error.
   */
  create(config: Static<S>, ctx: PluginContext): InstanceOf[K] | Promise<InstanceOf[K]>
  /**
   * Checks what `configSchema` cannot express (one of two keys, a key that may come from the
   * environment instead). Called with the validated config by `firefront validate` and before
   * `create` by `firefront run`, so both refuse the same configs; returns every problem, with paths
   * relative to the block (`map_key`). Must not do I/O: `validate` does not connect anywhere.
   */
  checkConfig?(config: Static<S>, env: ConfigCheckEnv): readonly ConfigIssue[]
  /**
   * Sinks and throttle policies: the part of the plugin's config read from the config file's own
   * top-level blocks (the Kafka sink reads `kafka:`, the consumer-lag policy `throttling:` and
   * `kafka:`), given the validated file. What the file writes under the plugin's own `config:`
   * block is laid over it. Pure: no I/O.
   */
  configFromFile?(file: Readonly<Record<string, unknown>>): Record<string, unknown>
}

/** What {@link PluginDefinition.checkConfig} may read: the environment the runtime will run with. */
export interface ConfigCheckEnv {
  readonly env: Readonly<Record<string, string | undefined>>
}

/** Extra manifest fields of connectors. */
export interface ConnectorExtras {
  /**
   * The seed's `source_type` values this connector serves (e.g. `nasa_firms`), so a source can
   * name its connector by type.
   */
  readonly sourceTypes?: readonly string[]
  /** The topic records go to when nothing more specific resolves one. */
  readonly defaultTopic?: string
}

/** A validated, branded plugin manifest, as the registry receives it. */
export type Plugin<K extends PluginKind = PluginKind, S extends TSchema = TSchema> = PluginDefinition<K, S> & {
  readonly kind: K
  readonly apiVersion: number
  readonly $$type: typeof PLUGIN_BRAND
} & (K extends 'connector' ? ConnectorExtras : unknown)

/** A connector manifest. */
export type ConnectorPlugin<S extends TSchema = TSchema> = Plugin<'connector', S>

/** Any plugin manifest, whatever its schema. */
export type AnyPlugin = Plugin<PluginKind, TSchema>

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/

/**
 * Lists what is wrong with a would-be manifest (empty when it is valid). The registry runs this
 * on every module it loads, whether or not a `define*` helper made it.
 */
export function manifestProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['the export is not an object']
  const m = value as Record<string, unknown>
  const problems: string[] = []
  if (!PLUGIN_KINDS.includes(m.kind as PluginKind)) {
    problems.push(`kind must be one of ${PLUGIN_KINDS.join(' | ')}, got ${JSON.stringify(m.kind)}`)
  }
  if (typeof m.name !== 'string' || !NAME.test(m.name)) {
    problems.push(`name must be kebab-case (e.g. "nasa-firms"), got ${JSON.stringify(m.name)}`)
  }
  if (typeof m.version !== 'string' || !SEMVER.test(m.version)) {
    problems.push(`version must be semver (e.g. "1.2.3"), got ${JSON.stringify(m.version)}`)
  }
  if (typeof m.apiVersion !== 'number' || !Number.isInteger(m.apiVersion)) {
    problems.push(`apiVersion must be an integer, got ${JSON.stringify(m.apiVersion)}`)
  }
  if (typeof m.configSchema !== 'object' || m.configSchema === null || !(Kind in m.configSchema)) {
    problems.push('configSchema must be a TypeBox schema')
  }
  if (typeof m.create !== 'function') problems.push('create must be a function')
  if (m.checkConfig !== undefined && typeof m.checkConfig !== 'function') {
    problems.push('checkConfig must be a function when given')
  }
  if (m.configFromFile !== undefined && typeof m.configFromFile !== 'function') {
    problems.push('configFromFile must be a function when given')
  }
  return problems
}

/** True when `value` carries the SDK's brand (made by a `define*` helper). */
export function isBranded(value: unknown): value is AnyPlugin {
  return typeof value === 'object' && value !== null && (value as { $$type?: unknown }).$$type === PLUGIN_BRAND
}

function define<K extends PluginKind, S extends TSchema, E extends object>(
  kind: K,
  def: PluginDefinition<K, S> & E,
): Plugin<K, S> {
  const manifest = Object.freeze({ ...def, kind, apiVersion: PLUGIN_API_VERSION, $$type: PLUGIN_BRAND }) as Plugin<K, S>
  const problems = manifestProblems(manifest)
  if (problems.length > 0) {
    throw new FirefrontError(
      'ERR_PLUGIN_INVALID',
      `invalid ${kind} plugin ${JSON.stringify((def as { name?: unknown }).name)}: ${problems.join('; ')}`,
    )
  }
  return manifest
}

/**
 * Defines a connector: a pull source (`poll` with the last cursor → records and the next cursor)
 * or a push source (`subscribe` with `emit`).
 *
 * @example
 * ```ts
 * export default defineConnector({
 *   name: 'hello', version: '1.0.0', sourceTypes: ['hello'],
 *   configSchema: Type.Object({ greeting: Type.String({ default: 'hi' }) }),
 *   create: (config) => ({ mode: 'pull', poll: async () => ({ records: [{ value: config.greeting }] }) }),
 * })
 * ```
 */
export function defineConnector<S extends TSchema>(
  def: PluginDefinition<'connector', S> & ConnectorExtras,
): Plugin<'connector', S> {
  return define('connector', def)
}

/** Defines an ingestion mode: when and how often a source is fetched. */
export function defineIngestionMode<S extends TSchema>(
  def: PluginDefinition<'ingestion-mode', S>,
): Plugin<'ingestion-mode', S> {
  return define('ingestion-mode', def)
}

/** Defines a throttle policy: the send rate, decided before each batch. */
export function defineThrottlePolicy<S extends TSchema>(
  def: PluginDefinition<'throttle-policy', S>,
): Plugin<'throttle-policy', S> {
  return define('throttle-policy', def)
}

/** Defines a topic resolver: one step of the chain that picks a record's topic. */
export function defineTopicResolver<S extends TSchema>(
  def: PluginDefinition<'topic-resolver', S>,
): Plugin<'topic-resolver', S> {
  return define('topic-resolver', def)
}

/** Defines a sink: where batches land. */
export function defineSink<S extends TSchema>(def: PluginDefinition<'sink', S>): Plugin<'sink', S> {
  return define('sink', def)
}
