import { expectTypeOf, test } from 'vitest'
import { defineConnector, defineSink, type PluginContext, Type } from '../src/index'

const Config = Type.Object({ greeting: Type.String(), times: Type.Integer({ default: 1 }) })

test('create receives its config typed from its schema', () => {
  defineConnector({
    name: 'typed',
    version: '1.0.0',
    configSchema: Config,
    create(config, ctx) {
      expectTypeOf(config).toEqualTypeOf<{ greeting: string; times: number }>()
      expectTypeOf(ctx).toEqualTypeOf<PluginContext>()
      return { mode: 'pull', poll: async () => ({ records: [{ value: config.greeting.repeat(config.times) }] }) }
    },
  })
})

test('a create whose config shape does not match the schema does not compile', () => {
  defineConnector({
    name: 'mismatched',
    version: '1.0.0',
    configSchema: Config,
    // @ts-expect-error `config.port` is not in the schema
    create: (config: { port: number }) => ({ mode: 'pull', poll: async () => ({ records: [{ value: config.port }] }) }),
  })
})

test('reading a key the schema does not declare does not compile', () => {
  defineConnector({
    name: 'unknown-key',
    version: '1.0.0',
    configSchema: Config,
    create(config) {
      // @ts-expect-error `missing` is not declared by the schema
      const value: string = config.missing
      return { mode: 'pull', poll: async () => ({ records: [{ value }] }) }
    },
  })
})

test('create must return the instance of its kind', () => {
  defineSink({
    name: 'wrong-instance',
    version: '1.0.0',
    configSchema: Type.Object({}),
    // @ts-expect-error a sink must return an object with send()
    create: () => ({ mode: 'pull', poll: async () => ({ records: [] }) }),
  })
})

test('the manifest keeps its kind and schema types', () => {
  const plugin = defineConnector({
    name: 'kept',
    version: '1.0.0',
    sourceTypes: ['kept'],
    configSchema: Config,
    create: () => ({ mode: 'push', subscribe: async () => {} }),
  })
  expectTypeOf(plugin.kind).toEqualTypeOf<'connector'>()
  expectTypeOf(plugin.configSchema).toEqualTypeOf<typeof Config>()
})
