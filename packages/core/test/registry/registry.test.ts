import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConnector, errorCode, PluginLoadError, Type } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { loadDeclaredPlugins } from '../../src/registry/load'
import { PluginRegistry } from '../../src/registry/registry'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const configFile = join(fixtures, 'firefront.yaml')

const connector = (name: string) =>
  defineConnector({
    name,
    version: '1.0.0',
    configSchema: Type.Object({}),
    create: () => ({ mode: 'push', subscribe: async () => {} }),
  })

describe('PluginRegistry.register', () => {
  it('registers a plugin and finds a connector by its source type or its name', () => {
    const registry = new PluginRegistry()
    registry.register(defineConnector({ ...connector('nasa-firms'), sourceTypes: ['nasa_firms'] }))
    registry.register(connector('noaa-weather'))
    expect(registry.get('connector', 'nasa-firms')?.id).toBe('connector:nasa-firms')
    expect(registry.connectorFor('nasa_firms')?.plugin.name).toBe('nasa-firms')
    expect(registry.connectorFor('noaa_weather')?.plugin.name).toBe('noaa-weather')
    expect(registry.connectorFor('iot_mqtt')).toBeUndefined()
  })

  it('refuses two plugins of one kind and name, naming both origins', () => {
    const registry = new PluginRegistry()
    registry.register(connector('dup'), { via: 'builtin' })
    expect(() =>
      registry.register(connector('dup'), { via: 'config', declaredAt: 'a.yaml plugins[0]', packageName: 'x-dup' }),
    ).toThrow(
      'connector:dup (declared at a.yaml plugins[0]): registered twice: built in and a.yaml plugins[0] (x-dup); a kind and name may be registered once',
    )
  })

  it('refuses an unsupported apiVersion, naming both versions', () => {
    const registry = new PluginRegistry()
    const err = (() => {
      try {
        registry.register({ ...connector('later'), apiVersion: 3 })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(PluginLoadError)
    expect(errorCode(err)).toBe('ERR_PLUGIN_API_VERSION')
    expect((err as Error).message).toContain('connector:later')
    expect((err as Error).message).toContain(
      'written for plugin API version 3, but this runtime supports API version 1',
    )
  })

  it('refuses an object that is not a plugin, and one without the brand', () => {
    const registry = new PluginRegistry()
    expect(() => registry.register({ kind: 'connector', name: 'x' })).toThrow(
      /connector:x: not a valid plugin: version must be semver/,
    )
    const { $$type: _brand, ...unbranded } = connector('plain')
    expect(() => registry.register(unbranded)).toThrow(
      'connector:plain: not made with a define* helper of @firefront/sdk (brand missing)',
    )
  })
})

describe('loadDeclaredPlugins', () => {
  it('loads relative paths from the config folder and records where each came from', async () => {
    const registry = new PluginRegistry()
    const issues = await loadDeclaredPlugins(registry, ['./echo-connector.mjs'], configFile)
    expect(issues).toEqual([])
    const echo = registry.get('connector', 'echo')
    expect(echo?.origin).toMatchObject({
      via: 'config',
      specifier: './echo-connector.mjs',
      declaredAt: `${configFile} plugins[0]`,
    })
    expect(echo?.origin.file).toBe(join(fixtures, 'echo-connector.mjs'))
    expect(echo?.origin.packageName).toBe('@firefront/core')
  })

  it('reports every refusal together, each with its plugins[i] path', async () => {
    const registry = new PluginRegistry()
    const issues = await loadDeclaredPlugins(
      registry,
      [
        './echo-connector.mjs',
        './missing.mjs',
        '@firefront/no-such-plugin',
        './no-plugin.mjs',
        './not-a-plugin.mjs',
        './echo-again.mjs',
        './future-api.mjs',
      ],
      configFile,
    )
    expect(issues.map((i) => i.path)).toEqual([
      'plugins[1]',
      'plugins[2]',
      'plugins[3]',
      'plugins[4]',
      'plugins[5]',
      'plugins[6]',
    ])
    expect(issues[0]?.message).toMatch(
      /^\.\/missing\.mjs \(declared at .*plugins\[1\]\): no file at .*missing\.mjs; paths are relative to the config file's folder/,
    )
    expect(issues[0]?.message).not.toContain('npm install')
    expect(issues[1]?.message).toMatch(
      /^@firefront\/no-such-plugin .*module not found .*npm install @firefront\/no-such-plugin/,
    )
    expect(issues[2]?.message).toBe(
      './no-plugin.mjs: the module exports no plugin (expected a default export made by defineConnector, defineSink, defineIngestionMode, defineThrottlePolicy or defineTopicResolver)',
    )
    expect(issues[3]?.message).toContain('connector:Bad Name')
    expect(issues[3]?.message).toContain('name must be kebab-case')
    expect(issues[4]?.message).toContain('connector:echo')
    expect(issues[4]?.message).toContain('registered twice')
    expect(issues[5]?.message).toContain('sink:future')
    expect(issues[5]?.message).toContain('written for plugin API version 2, but this runtime supports API version 1')
  })

  it('resolves npm package names from the config file folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-registry-'))
    const pkgDir = join(dir, 'node_modules', 'firefront-connector-demo')
    mkdirSync(pkgDir, { recursive: true })
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({
        name: 'firefront-connector-demo',
        version: '2.3.4',
        type: 'module',
        exports: { '.': './index.js' },
      }),
    )
    // Hand-made manifest (what a define* helper produces), so the module needs no SDK install here.
    writeFileSync(
      join(pkgDir, 'index.js'),
      `export default { kind: 'connector', name: 'demo', version: '2.3.4', apiVersion: 1, $$type: '@firefront/plugin',
        configSchema: { [Symbol.for('TypeBox.Kind')]: 'Object', type: 'object', properties: {} },
        create: () => ({ mode: 'push', subscribe: async () => {} }) }\n`,
    )
    const registry = new PluginRegistry()
    const issues = await loadDeclaredPlugins(registry, ['firefront-connector-demo'], join(dir, 'firefront.yaml'))
    expect(issues).toEqual([])
    expect(registry.get('connector', 'demo')?.origin).toMatchObject({
      packageName: 'firefront-connector-demo',
      packageVersion: '2.3.4',
    })
  })
})
