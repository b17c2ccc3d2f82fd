import { defineTopicResolver, Type } from '@firefront/sdk'

/** The topic the source's connector suggests (its manifest's `defaultTopic`), e.g. `wildfire-nasa-firms`. */
export const connectorDefaultTopicResolver = defineTopicResolver({
  name: 'connector-default',
  version: '0.1.0',
  description: "the connector's own default topic",
  configSchema: Type.Object({}, { additionalProperties: false }),
  create: () => ({ resolve: ({ source }) => source.defaultTopic }),
})
