/**
 * `@firefront/topic-resolvers`: the steps of Firefront's topic chain. The runtime tries them in
 * order — explicit topic → custom mapping → content rule → connector default → pattern → default — and the first
 * that answers wins.
 * @packageDocumentation
 */
import { connectorDefaultTopicResolver } from './connector-default'
import { contentRuleTopicResolver } from './content-rule'
import { customMappingTopicResolver } from './custom-mapping'
import { defaultTopicResolver } from './default'
import { explicitTopicResolver } from './explicit'
import { patternTopicResolver } from './pattern'

export { connectorDefaultTopicResolver } from './connector-default'
export { ContentRule, ContentRuleConfig, contentRuleTopicResolver, readPath } from './content-rule'
export { CustomMappingConfig, customMappingTopicResolver } from './custom-mapping'
export { DefaultTopicConfig, defaultTopicResolver } from './default'
export { explicitTopicResolver } from './explicit'
export { PatternConfig, patternTopicResolver, SEED_TOPIC_PATTERNS } from './pattern'

/** Every resolver of this package, in chain order; registered by the runtime as built-ins. */
export const topicResolvers = [
  explicitTopicResolver,
  customMappingTopicResolver,
  contentRuleTopicResolver,
  connectorDefaultTopicResolver,
  patternTopicResolver,
  defaultTopicResolver,
] as const

export default topicResolvers
