import { defineTopicResolver, type Static, Type } from '@firefront/sdk'

/** Config of {@link customMappingTopicResolver}: the seed's `custom_topic_mappings`. */
export const CustomMappingConfig = Type.Object(
  {
    mappings: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: {},
      description: 'source id or source_type → topic; a source id wins over its type',
    }),
  },
  { additionalProperties: false },
)
export type CustomMappingConfig = Static<typeof CustomMappingConfig>

/** Maps a source id (first) or source type to a topic, as the seed's `custom_topic_mappings`. */
export const customMappingTopicResolver = defineTopicResolver({
  name: 'custom-mapping',
  version: '0.1.0',
  description: 'custom_topic_mappings: source id or source_type → topic',
  configSchema: CustomMappingConfig,
  create: (config) => {
    const map = new Map(Object.entries(config.mappings))
    return { resolve: ({ source }) => map.get(source.sourceId) ?? map.get(source.sourceType) }
  },
})
