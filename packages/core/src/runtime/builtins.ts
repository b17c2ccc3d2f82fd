/** The plugins shipped with the runtime, registered through the same path as everyone else's. */
import type { AnyPlugin } from '@firefront/sdk'
import { topicResolvers } from '@firefront/topic-resolvers'
import type { FirefrontConfig } from '../config/schema'
import { builtinModes } from '../modes'
import type { SinkConfigMapper } from '../registry/plan'
import { PluginRegistry } from '../registry/registry'
import { fileSink } from '../sinks/file/file-sink'
import { brokerList, kafkaSink, kafkaSinkConfigFrom } from '../sinks/kafka'
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

/** How built-in sinks read the config file's top-level blocks. */
export const builtinSinkMappers: Readonly<Record<string, SinkConfigMapper>> = {
  kafka: (config: FirefrontConfig) => kafkaSinkConfigFrom(config) as unknown as Record<string, unknown>,
  file: (config: FirefrontConfig) => ({ directory: `${config.state_dir}/out` }),
}

/** A registry holding the built-in plugins. */
export function createBuiltinRegistry(): PluginRegistry {
  const registry = new PluginRegistry()
  for (const plugin of builtinPlugins) registry.register(plugin, { via: 'builtin', packageName: '@firefront/core' })
  return registry
}

/** How built-in throttle policies read the config file. */
export const builtinThrottleMappers: Readonly<Record<string, SinkConfigMapper>> = {
  'consumer-lag': (config: FirefrontConfig) => {
    const { enabled: _enabled, policy: _policy, ...throttling } = config.throttling
    return { ...throttling, brokers: brokerList(config.kafka), kafka: config.kafka }
  },
}
