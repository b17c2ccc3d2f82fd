import { defineTopicResolver, type Static, Type } from '@firefront/sdk'

/** Config of {@link defaultTopicResolver}. */
export const DefaultTopicConfig = Type.Object(
  { topic: Type.String({ minLength: 1, default: 'wildfire-default' }) },
  { additionalProperties: false },
)
export type DefaultTopicConfig = Static<typeof DefaultTopicConfig>

/** The last step of the chain: always answers with the configured default topic. */
export const defaultTopicResolver = defineTopicResolver({
  name: 'default',
  version: '0.1.0',
  description: 'the configured default_topic',
  configSchema: DefaultTopicConfig,
  create: (config) => ({ resolve: () => config.topic }),
})
