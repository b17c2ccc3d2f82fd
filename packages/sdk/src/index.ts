/**
 * `@firefront/sdk`: the contract Firefront plugins compile against.
 *
 * A plugin is a default-exported manifest made by one of the `define*` helpers. The runtime
 * (`@firefront/core`) loads it, validates its config block against `configSchema`, calls
 * `create(config, ctx)` and drives the instance it returns.
 * @packageDocumentation
 */
export { Type, type Static, type TSchema } from '@sinclair/typebox'
export * from './altered'
export * from './backoff'
export * from './body'
export * from './context'
export * from './define'
export * from './errors'
export * from './headers'
export * from './instances'
export * from './metric-labels'
export * from './record'
export * from './signals'
export * from './config'
export * from './utf8'
export * from './validate'
