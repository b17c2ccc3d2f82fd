import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lockSource, unlockSource } from '../../src/cursors/source-lock'
import { tempDir } from '../pipeline/helpers'
import { cli } from './in-process'

const fixtures = fileURLToPath(new URL('../registry/fixtures/', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

describe('firefront validate: refusals from the registry', () => {
  it('a plugin module that is not found: exit 2, named, with its line', async () => {
    const r = await cli('validate', join(fixtures, 'missing-plugin.yaml'))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(
      /missing-plugin\.yaml:3:\d+ plugins\[1\]: \.\/does-not-exist\.mjs \(declared at .*plugins\[1\]\): no file at .*does-not-exist\.mjs; paths are relative to the config file.s folder/,
    )
  })

  it('two plugins of one kind and name: exit 2, both origins named', async () => {
    const r = await cli('validate', join(fixtures, 'duplicate-plugin.yaml'))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(
      /duplicate-plugin\.yaml:3:\d+ plugins\[1\]: connector:echo .*registered twice: .*plugins\[0\] \(@firefront\/core\) and .*plugins\[1\]/,
    )
  })

  it('a plugin built for another API version: exit 2, both versions named', async () => {
    const r = await cli('validate', join(fixtures, 'future-api.yaml'))
    expect(r.code).toBe(2)
    expect(r.err).toContain('sink:future')
    expect(r.err).toContain('written for plugin API version 2, but this runtime supports API version 1')
  })

  it("a module without a plugin export, and each plugin's own config block, with paths", async () => {
    const none = await cli('validate', join(fixtures, 'no-plugin-export.yaml'))
    expect(none.code).toBe(2)
    expect(none.err).toContain('plugins[0]: ./no-plugin.mjs: the module exports no plugin')
    const r = await cli('validate', join(fixtures, 'plugin-config.yaml'))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(
      /plugin-config\.yaml:11:\d+ sources\.hello\.config\.message: must not be empty \(connector:echo\)/,
    )
    expect(r.err).toMatch(/sources\.hello\.config\.repeat: expected integer, got string "two" \(connector:echo\)/)
    expect(r.err).toMatch(
      /sources\.hello\.ingestion\.polling_intervall_seconds: unknown key "polling_intervall_seconds" \(did you mean polling_interval_seconds\?\)/,
    )
    expect(r.err).toMatch(
      /topic_resolvers\[0\]\.name: unknown topic resolver "by-region": expected explicit \| custom-mapping \| content-rule \| connector-default \| pattern \| default/,
    )
    // a source no installed connector serves is an error, as `run` refuses it too
    expect(r.err).toMatch(
      /plugin-config\.yaml:14:\d+ sources\.nobody\.source_type: no connector serves source_type "carrier_pigeon"; installed: echo \(echo\)/,
    )
    // ...unless the connector is handed over in code, which --allow-missing-connectors says
    const allowed = await cli('validate', join(fixtures, 'plugin-config.yaml'), '--allow-missing-connectors')
    expect(allowed.err).toMatch(
      /plugin-config\.yaml:14:\d+ sources\.nobody\.source_type: warning: no connector serves source_type "carrier_pigeon"; installed: echo \(echo\); add the connector's package to plugins:, or hand a connector to startStream\(\) in code/,
    )
  })

  it('a good config with a local plugin validates with exit 0', async () => {
    const r = await cli('validate', join(fixtures, 'good.yaml'))
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
  })
})

describe('firefront plugins', () => {
  it('lists built-ins and the third-party connector loaded by its package name', async () => {
    const r = await cli('plugins', join(repoRoot, 'examples/hello.yaml'))
    expect(r.code).toBe(0)
    const lines = r.out.split('\n')
    expect(lines[0]).toMatch(/^KIND\s+NAME\s+VERSION\s+PACKAGE\s+LOADED FROM$/)
    expect(lines.find((l) => l.startsWith('connector'))).toMatch(
      /^connector\s+hello\s+1\.0\.0\s+firefront-connector-hello\s+examples\/plugin-hello-connector\//,
    )
    expect(lines.some((l) => /^ingestion-mode\s+real-time\s+\S+\s+@firefront\/core\s+built in$/.test(l))).toBe(true)
    expect(lines.some((l) => /^sink\s+kafka\s/.test(l))).toBe(true)
  })
})

describe('firefront cursors', () => {
  it('lists, resets and sets a cursor; refuses while the source runs', async () => {
    const dir = tempDir()
    const config = join(dir, 'f.yaml')
    mkdirSync(join(dir, 'state'), { recursive: true })
    writeFileSync(
      config,
      `state_dir: ${dir}/state\nsink: { type: file }\nsources:\n  a: { source_type: x }\n  b: { source_type: x }\n`,
    )
    writeFileSync(
      join(dir, 'state/cursors.json'),
      JSON.stringify({
        version: 1,
        cursors: { a: { cursor: { VIIRS_SNPP_NRT: '2026-09-25T21:31:00Z' }, committedAt: '2026-09-25T22:00:00.000Z' } },
      }),
    )
    const list = await cli('cursors', config)
    expect(list.code).toBe(0)
    expect(list.out).toMatch(/^a\s+2026-09-25T22:00:00\.000Z\s+no\s+\{"VIIRS_SNPP_NRT":"2026-09-25T21:31:00Z"\}$/m)
    expect(list.out).toMatch(/^b\s+-\s+no\s+\(none\)$/m)

    lockSource(join(dir, 'state'), 'a')
    const refused = await cli('cursors', config, '--reset', 'a')
    expect(refused.code).toBe(1)
    expect(refused.err).toContain(`refused: source "a" is running (pid ${process.pid}); stop it first`)
    unlockSource(join(dir, 'state'), 'a')

    const set = await cli('cursors', config, '--reset', 'a', '--to', '{"VIIRS_SNPP_NRT":"2026-09-01T00:00:00Z"}')
    expect(set.code).toBe(0)
    expect((await cli('cursors', config, '--json')).out).toContain('"VIIRS_SNPP_NRT": "2026-09-01T00:00:00Z"')
    const reset = await cli('cursors', config, '--reset', 'a')
    expect(reset.out).toBe('reset a: the next run starts from the beginning\n')
    expect((await cli('cursors', config)).out).toMatch(/^a\s+-\s+no\s+\(none\)$/m)
    expect((await cli('cursors', config, '--reset', 'zzz')).err).toContain('no source "zzz"')
  })
})

describe('firefront schema with a config file', () => {
  it("folds the declared plugins' config schemas into the sources they serve, and the built-ins' too", async () => {
    const r = await cli('schema', join(fixtures, 'good.yaml'))
    expect(r.code).toBe(0)
    const schema = JSON.parse(r.out) as {
      properties: {
        sources: {
          additionalProperties: {
            allOf: Array<{
              if: unknown
              then: { properties: Record<string, { properties?: Record<string, unknown> }> }
            }>
          }
        }
        sink: { allOf: unknown[] }
      }
    }
    const rules = schema.properties.sources.additionalProperties.allOf
    const echo = rules.find(
      (r) => JSON.stringify(r.if).includes('"echo"') && JSON.stringify(r.if).includes('source_type'),
    )
    expect(echo?.then.properties.config?.properties).toHaveProperty('message')
    expect(echo?.then.properties.config?.properties).toHaveProperty('repeat')
    const batch = rules.find((r) => JSON.stringify(r.if).includes('"batch"'))
    expect(batch?.then.properties.ingestion?.properties).toHaveProperty('schedule')
    expect(JSON.stringify(schema.properties.sink.allOf)).toContain('"fsync"')
    const bad = await cli('schema', join(fixtures, 'missing-plugin.yaml'))
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('does-not-exist.mjs')
  })
})

describe('first-party connectors found by source_type', () => {
  it('loads @firefront/connector-nasa-firms for a nasa_firms source without a plugins: entry', async () => {
    const dir = join(repoRoot, '.tmp', `auto-${process.pid}-${Date.now()}`)
    mkdirSync(dir, { recursive: true })
    const config = join(dir, 'f.yaml')
    writeFileSync(
      config,
      'sink: { type: file }\nsources:\n  firms:\n    source_type: nasa_firms\n    config: { map_key: abc, sources: [VIIRS_SNPP_NRT], area: world }\n',
    )
    const r = await cli('validate', config)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const p = await cli('plugins', config)
    expect(p.out).toMatch(/^connector\s+nasa-firms\s+\S+\s+@firefront\/connector-nasa-firms\s/m)
  })
})
