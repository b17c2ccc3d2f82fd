/**
 * Writes docs/config.schema.json (what `firefront schema` prints) and the key-by-key reference
 * table of docs/configuration.md, both from the config's TypeBox schema. A test fails when either
 * drifts: run `npm run schema:write` after changing the schema.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { pluginJsonSchemaText } from '../packages/core/src/registry/json-schema'
import { createBuiltinRegistry } from '../packages/core/src/runtime/builtins'
import { withConfigReference } from '../packages/core/src/config/reference'

const docs = (name: string): string => fileURLToPath(new URL(`../docs/${name}`, import.meta.url))

writeFileSync(docs('config.schema.json'), pluginJsonSchemaText(createBuiltinRegistry()))
const guide = docs('configuration.md')
writeFileSync(guide, withConfigReference(readFileSync(guide, 'utf8')))
console.log('wrote docs/config.schema.json and the reference table of docs/configuration.md')
