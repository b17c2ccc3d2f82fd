/**
 * The config file: loading, interpolation, validation, secrets, and its JSON Schema.
 * @packageDocumentation
 */
export type { Environment } from './interpolate'
export { interpolate } from './interpolate'
export { CONFIG_SCHEMA_ID, configJsonSchema, configJsonSchemaText } from './json-schema'
export {
  type ConfigFormat,
  type LoadedConfig,
  type LoadOptions,
  type LoadTextOptions,
  type LocatedIssue,
  loadConfig,
  loadConfigText,
  loadValidConfig,
} from './load'
export type { LocateAt, SourcePosition } from './locate'
export { formatPath, type PathSegment, parsePath } from '@firefront/sdk'
export { renderConfigReference, withConfigReference } from './reference'
export * from './schema'
export { isSecretKey, isSecretPath, REDACTED, redactConfig, scrubMessage } from './secrets'
