import { defineTopicResolver, Type } from '@firefront/sdk'

/** The source's explicit `topic:` from the config file; the first step of the default chain. */
export const explicitTopicResolver = defineTopicResolver({
  name: 'explicit',
  version: '0.1.0',
  description: "uses the record's own topic, else the source's `topic:`",
  configSchema: Type.Object({}, { additionalProperties: false }),
  create: () => ({
    resolve: ({ record, source }) => record.topic ?? source.topic,
  }),
})
