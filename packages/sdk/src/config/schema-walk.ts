/**
 * Small walks over a TypeBox schema: defaults, the schemas at a path, and plain-words names of
 * schemas and values for messages.
 */
import { KindGuard, type TSchema } from '@sinclair/typebox'
import type { PathSegment } from './path'

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const clone = <T>(value: T): T => (value === undefined ? value : structuredClone(value))

/** The single value schema of a TypeBox Record (its `patternProperties` entry). */
export function recordValueSchema(schema: TSchema): TSchema | undefined {
  if (!KindGuard.IsRecord(schema)) return undefined
  return Object.values(schema.patternProperties)[0] as TSchema | undefined
}

/** Whether `value` has the JS shape `schema` asks for (ignoring constraints). */
export function matchesShape(schema: TSchema, value: unknown): boolean {
  if (KindGuard.IsString(schema)) return typeof value === 'string'
  if (KindGuard.IsNumber(schema)) return typeof value === 'number'
  if (KindGuard.IsInteger(schema)) return typeof value === 'number'
  if (KindGuard.IsBoolean(schema)) return typeof value === 'boolean'
  if (KindGuard.IsLiteral(schema)) return value === schema.const
  if (KindGuard.IsArray(schema)) return Array.isArray(value)
  if (KindGuard.IsObject(schema) || KindGuard.IsRecord(schema)) return isPlainObject(value)
  if (KindGuard.IsUnion(schema)) return schema.anyOf.some((variant) => matchesShape(variant, value))
  return true
}

/**
 * Fills in defaults, like TypeBox's `Value.Default`, in place where it can. Unlike it, it also
 * descends into every entry of a Record whose value schema has no `default` (TypeBox skips those,
 * which would leave each `sources.<id>` block without its defaults), and into the union variant
 * whose shape fits the value. A `null` where a block with a default is expected (an empty
 * `throttling:` in YAML) counts as absent.
 */
export function applyDefaults(schema: TSchema, value: unknown): unknown {
  let current = value
  const isBlock = KindGuard.IsObject(schema) || KindGuard.IsRecord(schema)
  if (current === null && isBlock && 'default' in schema) current = undefined
  if (current === undefined && 'default' in schema) current = clone(schema.default as unknown)
  if (KindGuard.IsObject(schema) && isPlainObject(current)) {
    for (const [key, property] of Object.entries(schema.properties)) {
      const next = applyDefaults(property, current[key])
      if (next !== undefined) current[key] = next
    }
  } else if (KindGuard.IsRecord(schema) && isPlainObject(current)) {
    const item = recordValueSchema(schema)
    if (item) for (const key of Object.keys(current)) current[key] = applyDefaults(item, current[key])
  } else if (KindGuard.IsArray(schema) && Array.isArray(current)) {
    for (let i = 0; i < current.length; i++) current[i] = applyDefaults(schema.items, current[i])
  } else if (KindGuard.IsUnion(schema) && current !== undefined) {
    const variant = schema.anyOf.find((v) => matchesShape(v, current))
    if (variant) current = applyDefaults(variant, current)
  }
  return current
}

/**
 * The schemas that may describe the value at `segments`; empty where the schema does not say
 * (a plugin's block, a mode's extra keys, an `unknown` value).
 */
export function schemasAt(schema: TSchema, segments: readonly PathSegment[]): TSchema[] {
  let current: TSchema[] = [schema]
  for (const segment of segments) {
    const next: TSchema[] = []
    const visit = (s: TSchema): void => {
      if (KindGuard.IsUnion(s)) for (const variant of s.anyOf) visit(variant)
      else if (KindGuard.IsObject(s)) {
        const property = s.properties[String(segment)]
        if (property) next.push(property)
        else if (typeof s.additionalProperties === 'object') next.push(s.additionalProperties as TSchema)
      } else if (KindGuard.IsRecord(s)) {
        const item = recordValueSchema(s)
        if (item) next.push(item)
      } else if (KindGuard.IsArray(s) && typeof segment === 'number') next.push(s.items)
    }
    for (const s of current) visit(s)
    current = next.filter((s) => !KindGuard.IsUnknown(s) && !KindGuard.IsAny(s))
    if (current.length === 0) return []
  }
  return current
}

/** Whether some schema in `schemas` takes a string. */
export function acceptsString(schemas: readonly TSchema[]): boolean {
  return schemas.some((s) =>
    KindGuard.IsUnion(s)
      ? acceptsString(s.anyOf)
      : KindGuard.IsString(s) || (KindGuard.IsLiteral(s) && typeof s.const === 'string'),
  )
}

/** The string literals of a union of literals (an enum), or undefined. */
export function enumValues(schema: TSchema): string[] | undefined {
  if (!KindGuard.IsUnion(schema) || schema.anyOf.length === 0) return undefined
  const values: string[] = []
  for (const variant of schema.anyOf) {
    if (!KindGuard.IsLiteral(variant) || typeof variant.const !== 'string') return undefined
    values.push(variant.const)
  }
  return values
}

const plural = (noun: string): string => (noun.endsWith('s') || noun.includes(' ') ? noun : `${noun}s`)

/** A schema in plain words: `integer`, `list of strings`, `map`, `drop_oldest | drop_newest | block`. */
export function describeSchema(schema: TSchema): string {
  const values = enumValues(schema)
  if (values) return values.join(' | ')
  if (KindGuard.IsString(schema)) return 'string'
  if (KindGuard.IsInteger(schema)) return 'integer'
  if (KindGuard.IsNumber(schema)) return 'number'
  if (KindGuard.IsBoolean(schema)) return 'boolean'
  if (KindGuard.IsLiteral(schema)) return JSON.stringify(schema.const)
  if (KindGuard.IsArray(schema)) return `list of ${plural(describeSchema(schema.items))}`
  if (KindGuard.IsObject(schema) || KindGuard.IsRecord(schema)) return 'map'
  if (KindGuard.IsUnion(schema)) return schema.anyOf.map(describeSchema).join(' or ')
  return 'any value'
}

const MAX_QUOTED = 60

/**
 * A value in plain words for "got ...": `string "abc"`, `number 5`, `list`, `map`, `null`.
 * A secret shows as `string ***`.
 */
export function describeValue(value: unknown, secret: boolean): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'object') return 'map'
  if (secret) return `${typeof value} ***`
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value)
    return `string ${quoted.length > MAX_QUOTED ? `${quoted.slice(0, MAX_QUOTED - 4)}..."` : quoted}`
  }
  return `${typeof value} ${String(value)}`
}

/** A value quoted for a message, or `***` when secret. */
export function quoteValue(value: unknown, secret: boolean): string {
  if (secret) return '***'
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** The keyword {@link FilePath} marks a path with: relative values are relative to the config file. */
export const PATH_KEYWORD = 'x-firefront-path'

/**
 * Rewrites, in place where it can, every string whose schema carries {@link PATH_KEYWORD} through
 * `resolve` (the loader makes them absolute from the config file's folder). Run after defaults, so a
 * default path is resolved too.
 */
export function resolvePaths(schema: TSchema, value: unknown, resolve: (path: string) => string): unknown {
  if (typeof value === 'string') return (schema as Record<string, unknown>)[PATH_KEYWORD] ? resolve(value) : value
  if (KindGuard.IsObject(schema) && isPlainObject(value)) {
    for (const [key, property] of Object.entries(schema.properties)) {
      if (key in value) value[key] = resolvePaths(property, value[key], resolve)
    }
  } else if (KindGuard.IsRecord(schema) && isPlainObject(value)) {
    const item = recordValueSchema(schema)
    if (item) for (const key of Object.keys(value)) value[key] = resolvePaths(item, value[key], resolve)
  } else if (KindGuard.IsArray(schema) && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = resolvePaths(schema.items, value[i], resolve)
  } else if (KindGuard.IsUnion(schema) && value !== undefined) {
    const variant = schema.anyOf.find((v) => matchesShape(v, value))
    if (variant) return resolvePaths(variant, value, resolve)
  }
  return value
}
