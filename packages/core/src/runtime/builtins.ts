/**
 * The plugins shipped with the runtime, registered through the same path as everyone else's: the
 * built-in sinks and throttle policies read the config file's own blocks through the SDK's public
 * `configFromFile`, as a third-party plugin may.
 */
import type { AnyPlugin } from '@firefront/sdk'
import { topicResolvers } from '@firefront/topic-resolvers'
import { builtinModes } from '../modes'
import { PluginRegistry } from '../registry/registry'
import { fileSink } from '../sinks/file/file-sink'
import { kafkaSink } from '../sinks/kafka'
import { allowAllThrottlePolicy } from '../throttle/allow-all'
import { consumerLagThrottlePolicy } from '../throttle/consumer-lag'

/** Every built-in plugin. */
export const builtinPlugins: readonly AnyPlugin[] = [
  ...(builtinModes as readonly AnyPlugin[]),
  ...(topicResolvers as readonly AnyPlugin[]),
  fileSink as AnyPlugin,
  kafkaSink as AnyPlugin,
  allowAllThrottlePolicy as AnyPlugin,
  consumerLagThrottlePolicy as AnyPlugin,
]

/** A registry holding the built-in plugins. */
export function createBuiltinRegistry(): PluginRegistry {
  const registry = new PluginRegistry()
  for (const plugin of builtinPlugins) registry.register(plugin, { via: 'builtin', packageName: '@firefront/core' })
  return registry
}
