import { defineTopicResolver, type Static, Type } from '@firefront/sdk'

/** One content rule: when the value at `field` matches, the record goes to `topic`. */
export const ContentRule = Type.Object(
  {
    field: Type.String({ minLength: 1, description: 'dotted path into the record value, e.g. properties.event' }),
    equals: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    in: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]))),
    matches: Type.Optional(Type.String({ description: 'regular expression tested against the value as a string' })),
    min: Type.Optional(Type.Number({ description: 'numeric value ≥ min' })),
    topic: Type.String({ minLength: 1 }),
    sources: Type.Optional(Type.Array(Type.String(), { description: 'only for these source ids or types' })),
  },
  { additionalProperties: false },
)

/** Config of {@link contentRuleTopicResolver}. */
export const ContentRuleConfig = Type.Object(
  { rules: Type.Array(ContentRule, { default: [] }) },
  { additionalProperties: false },
)
export type ContentRuleConfig = Static<typeof ContentRuleConfig>

/** Reads a dotted path (`a.b.0.c`) from a value; undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current = value
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[step]
  }
  return current
}

/**
 * Routes by what a record says: e.g. NWS alerts whose `properties.event` is `Red Flag Warning`
 * to a critical-alerts topic. Rules are tried in order; the first match wins.
 */
export const contentRuleTopicResolver = defineTopicResolver({
  name: 'content-rule',
  version: '0.1.0',
  description: 'first matching rule on a field of the record value',
  configSchema: ContentRuleConfig,
  create: (config) => {
    const rules = config.rules.map((rule) => ({ ...rule, regex: rule.matches ? new RegExp(rule.matches) : undefined }))
    return {
      resolve: ({ record, source }) => {
        for (const rule of rules) {
          if (rule.sources && !rule.sources.includes(source.sourceId) && !rule.sources.includes(source.sourceType))
            continue
          const v = readPath(record.value, rule.field)
          if (v === undefined) continue
          if (rule.equals !== undefined && v !== rule.equals) continue
          if (rule.in !== undefined && !rule.in.includes(v as string | number)) continue
          if (rule.regex && !rule.regex.test(String(v))) continue
          if (rule.min !== undefined && !(typeof v === 'number' && v >= rule.min)) continue
          return rule.topic
        }
        return undefined
      },
    }
  },
})
