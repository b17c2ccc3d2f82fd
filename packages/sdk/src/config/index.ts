/**
 * What the validator is made of, for the runtime and for plugin authors who write their own
 * checks in the same words.
 * @packageDocumentation
 */
export { Duration, type DurationOptions, FilePath, MAX_TIMER_MS, MAX_TIMER_SECONDS } from './kinds'
export {
  ERROR_MESSAGE_KEYWORD,
  enumMessage,
  type LocateAt,
  type SchemaIssue,
  type SecretTest,
  schemaIssues,
} from './messages'
export { canonicalSegments, formatPath, type PathSegment, parsePath, pointerToSegments, valueAt } from './path'
export {
  acceptsString,
  applyDefaults,
  describeSchema,
  describeValue,
  enumValues,
  matchesShape,
  PATH_KEYWORD,
  quoteValue,
  recordValueSchema,
  resolvePaths,
  schemasAt,
} from './schema-walk'
export { isSecretKey, isSecretPath, REDACTED } from './secrets'
export { didYouMean, editDistance } from './suggest'
