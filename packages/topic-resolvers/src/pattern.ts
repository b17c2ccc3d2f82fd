import { defineTopicResolver, type Static, Type } from '@firefront/sdk'

/** The seed's topics by kind of source, tried against the source id and `source_type`. */
export const SEED_TOPIC_PATTERNS: ReadonlyArray<{ pattern: string; topic: string }> = [
  { pattern: 'firms|modis|viirs|landsat|satellite', topic: 'wildfire-nasa-firms' },
  { pattern: 'noaa|nws|weather|alert|forecast', topic: 'wildfire-weather-data' },
  { pattern: 'iot|mqtt|sensor', topic: 'wildfire-iot-sensors' },
]

/** Config of {@link patternTopicResolver}. */
export const PatternConfig = Type.Object(
  {
    patterns: Type.Array(
      Type.Object(
        {
          pattern: Type.String({ minLength: 1, description: 'case-insensitive regular expression' }),
          topic: Type.String({ minLength: 1 }),
        },
        { additionalProperties: false },
      ),
      { default: SEED_TOPIC_PATTERNS.map((p) => ({ ...p })) },
    ),
  },
  { additionalProperties: false },
)
export type PatternConfig = Static<typeof PatternConfig>

/** Routes by the source's id or type matching a pattern; defaults to the seed's three topics. */
export const patternTopicResolver = defineTopicResolver({
  name: 'pattern',
  version: '0.1.0',
  description: 'regular expressions on the source id and source_type',
  configSchema: PatternConfig,
  create: (config) => {
    const compiled = config.patterns.map((p) => ({ regex: new RegExp(p.pattern, 'i'), topic: p.topic }))
    return {
      resolve: ({ source }) =>
        compiled.find((p) => p.regex.test(source.sourceType) || p.regex.test(source.sourceId))?.topic,
    }
  },
})
