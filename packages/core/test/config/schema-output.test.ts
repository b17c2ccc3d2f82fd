import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { schemaCommand } from '../../src/cli/commands/schema'
import { CONFIG_SCHEMA_ID, configJsonSchema } from '../../src/config/json-schema'
import { configReferenceRows, withConfigReference } from '../../src/config/reference'
import { run } from './run-command'

const docs = (name: string): string => fileURLToPath(new URL(`../../../../docs/${name}`, import.meta.url))

type Schema = {
  properties: Record<string, Schema>
  additionalProperties?: Schema | boolean
  required?: string[]
  enum?: string[]
  type?: string
  default?: unknown
}

describe('firefront schema', () => {
  test('prints the JSON Schema with $schema, $id and title, and no TypeBox internals', async () => {
    const result = await run(schemaCommand, [])
    expect(result.code).toBe(0)
    const schema = JSON.parse(result.stdout) as Schema & Record<string, unknown>
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: CONFIG_SCHEMA_ID,
      title: 'Firefront configuration',
      type: 'object',
      additionalProperties: false,
    })
    expect(result.stdout).not.toMatch(/Symbol\(|patternProperties|"\[?Kind/)
    expect(schema.properties.queue_overflow_strategy).toEqual({
      type: 'string',
      enum: ['drop_oldest', 'drop_newest', 'block'],
      default: 'drop_oldest',
      description: expect.any(String),
    })
  })

  test('only keys without a default are required, so the seed file passes in an editor', () => {
    const schema = configJsonSchema() as unknown as Schema
    expect(schema.required).toBeUndefined()
    const source = (schema.properties.sources?.additionalProperties ?? {}) as Schema
    expect(source.required).toEqual(['source_type'])
    expect(source.properties.ingestion?.additionalProperties).toBe(true)
    expect(schema.properties.kafka?.properties.sasl?.required).toEqual(['mechanism', 'username', 'password'])
  })

  test('--out writes the file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'firefront-schema-')), 'config.schema.json')
    const result = await run(schemaCommand, ['--out', out])
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: `wrote ${out}\n` })
    expect(readFileSync(out, 'utf8')).toBe((await run(schemaCommand, [])).stdout)
  })

  test('a bad argument is a usage error', async () => {
    const result = await run(schemaCommand, ['--out'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('usage: firefront schema [CONFIG] [--out FILE]')
  })
})

describe('generated docs stay in step with the schema (run `npm run schema:write` to refresh)', () => {
  test('docs/config.schema.json is what `firefront schema` prints', async () => {
    const printed = (await run(schemaCommand, [])).stdout
    expect(readFileSync(docs('config.schema.json'), 'utf8')).toBe(printed)
  })

  test("docs/configuration.md's reference table is the generated one", () => {
    const guide = readFileSync(docs('configuration.md'), 'utf8')
    expect(withConfigReference(guide)).toBe(guide)
  })

  test('the reference documents every key of the seed example, with its default', () => {
    const rows = new Map(configReferenceRows().map((r) => [r.key, r]))
    for (const key of [
      'kafka.bootstrap_servers',
      'kafka.batch_size',
      'kafka.max_retries',
      'kafka.retry_backoff_base',
      'throttling.enabled',
      'throttling.target_consumer_lag',
      'throttling.critical_consumer_lag',
      'queue_max_size',
      'queue_overflow_strategy',
      'enable_dlq',
      'priority_sources',
      'custom_topic_mappings',
      'sources.<id>.source_type',
      'sources.<id>.enabled',
      'sources.<id>.topic',
      'sources.<id>.ingestion.mode',
      'sources.<id>.rate_limit_per_minute',
      'sources.<id>.timeout_seconds',
      'sources.<id>.cache_ttl_seconds',
    ]) {
      expect(rows.get(key)?.description, key).toBeTruthy()
    }
    expect(rows.get('kafka.batch_size')?.default).toBe('`500`')
    expect(rows.get('queue_overflow_strategy')?.default).toBe('`"drop_oldest"`')
    expect(rows.get('sources.<id>.source_type')?.default).toBe('**required**')
  })
})
