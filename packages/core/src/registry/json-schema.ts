/**
 * The config's JSON Schema with the plugins' own schemas folded in: each connector's `config:`
 * block under the sources whose `source_type` (or `connector`) picks it, each mode's keys under
 * `ingestion:`, each sink's `config:` under `sink:` — so an editor checks plugin blocks too.
 */
import type { AnyPlugin, Plugin } from '@firefront/sdk'
import { configJsonSchema, type Json, tidy } from '../config/json-schema'
import type { PluginRegistry } from './registry'

type JsonObject = { [key: string]: Json }

const plain = (plugin: AnyPlugin): Json => tidy(JSON.parse(JSON.stringify(plugin.configSchema)) as Json)

const when = (condition: JsonObject, then: JsonObject): JsonObject => ({ if: condition, then })

/** The JSON Schema of a config file, for the plugins in `registry`. */
export function pluginJsonSchema(registry: PluginRegistry): Record<string, unknown> {
  const schema = configJsonSchema() as JsonObject & { properties: JsonObject }
  const sources = (schema.properties.sources as JsonObject | undefined)?.additionalProperties as JsonObject | undefined
  if (sources) {
    const rules: JsonObject[] = []
    for (const { plugin } of registry.list('connector')) {
      const types = (plugin as Plugin<'connector'>).sourceTypes ?? []
      const config = plain(plugin) as JsonObject
      const byConnector = when(
        { properties: { connector: { const: plugin.name } }, required: ['connector'] },
        { properties: { config } },
      )
      rules.push(byConnector)
      if (types.length > 0) {
        rules.push(
          when(
            {
              properties: { source_type: { enum: [...types] } },
              required: ['source_type'],
              not: { required: ['connector'] },
            },
            { properties: { config } },
          ),
        )
      }
    }
    const modeNames: string[] = []
    for (const { plugin } of registry.list('ingestion-mode')) {
      const yamlName = plugin.name.replace(/-/g, '_')
      modeNames.push(yamlName)
      rules.push(
        when(
          {
            properties: { ingestion: { properties: { mode: { enum: [yamlName, plugin.name] } }, required: ['mode'] } },
            required: ['ingestion'],
          },
          { properties: { ingestion: plain(plugin) as JsonObject } },
        ),
      )
    }
    if (rules.length > 0) sources.allOf = rules
    const ingestion = (sources.properties as JsonObject | undefined)?.ingestion as JsonObject | undefined
    const mode = (ingestion?.properties as JsonObject | undefined)?.mode as JsonObject | undefined
    if (mode) mode.examples = modeNames
  }
  const sinkRules = registry
    .list('sink')
    .map(({ plugin }) =>
      when(
        { properties: { type: { const: plugin.name } }, required: ['type'] },
        { properties: { config: plain(plugin) as JsonObject } },
      ),
    )
  const sink = schema.properties.sink as JsonObject | undefined
  if (sink && sinkRules.length > 0) {
    sink.allOf = sinkRules
    const type = (sink.properties as JsonObject | undefined)?.type as JsonObject | undefined
    if (type) type.examples = registry.names('sink')
  }
  return schema
}

/** {@link pluginJsonSchema} as the text `firefront schema` prints. */
export function pluginJsonSchemaText(registry: PluginRegistry): string {
  return `${JSON.stringify(pluginJsonSchema(registry), null, 2)}\n`
}
