/**
 * The config schema as a plain JSON Schema document, for editors (`firefront schema`,
 * docs/config.schema.json).
 */
import { FirefrontConfig } from './schema'

/** The `$id` of the config's JSON Schema. */
export const CONFIG_SCHEMA_ID = 'urn:firefront:config:v1'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const isObject = (value: Json | undefined): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

// TypeBox writes a string enum as anyOf of consts and a Record as patternProperties; editors read
// `enum` and `additionalProperties` better. A key with a default is not required in the file.
export function tidy(node: Json): Json {
  if (Array.isArray(node)) return node.map(tidy)
  if (!isObject(node)) return node
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(node)) out[key] = tidy(value)
  const anyOf = out.anyOf
  if (Array.isArray(anyOf) && anyOf.length > 0 && anyOf.every((v) => isObject(v) && typeof v.const === 'string')) {
    const { anyOf: _, ...rest } = out
    return { type: 'string', enum: anyOf.map((v) => (v as JsonObject).const as Json), ...rest }
  }
  const patterns = out.patternProperties
  if (isObject(patterns)) {
    const entries = Object.entries(patterns)
    if (entries.length === 1 && (entries[0]![0] === '^(.*)$' || entries[0]![0] === '^.*$')) {
      const { patternProperties: _, ...rest } = out
      return { ...rest, additionalProperties: entries[0]![1] }
    }
  }
  const properties = out.properties
  if (Array.isArray(out.required) && isObject(properties)) {
    const required = out.required.filter((key) => {
      const property = properties[String(key)]
      return !(isObject(property) && 'default' in property)
    })
    if (required.length > 0) out.required = required
    else delete out.required
  }
  return out
}

/**
 * The JSON Schema (draft-07) of a Firefront config file: the TypeBox schema without TypeBox's
 * symbols, with `$schema`, `$id` and `title`.
 */
export function configJsonSchema(): Record<string, unknown> {
  // JSON.stringify drops TypeBox's symbol-keyed metadata
  const plain = JSON.parse(JSON.stringify(FirefrontConfig)) as Json
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: CONFIG_SCHEMA_ID,
    title: 'Firefront configuration',
    description:
      'A Firefront config file (YAML or JSON). Generated from the TypeBox schema of @firefront/core; see docs/configuration.md.',
    ...(tidy(plain) as JsonObject),
  }
}

/** {@link configJsonSchema} as the text `firefront schema` prints and docs/config.schema.json holds. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`
}
