import { describe, expect, it } from 'vitest'
import {
  defineConnector,
  defineIngestionMode,
  errorCode,
  FirefrontError,
  isBranded,
  manifestProblems,
  PLUGIN_API_VERSION,
  pointerToPath,
  Type,
  validateConfig,
} from '../src/index'

const pull = () => ({ mode: 'pull' as const, poll: async () => ({ records: [] }) })

describe('define* helpers', () => {
  it('return a frozen, branded manifest with the kind and API version', () => {
    const p = defineConnector({ name: 'demo', version: '1.2.3', configSchema: Type.Object({}), create: pull })
    expect(p.kind).toBe('connector')
    expect(p.apiVersion).toBe(PLUGIN_API_VERSION)
    expect(isBranded(p)).toBe(true)
    expect(Object.isFrozen(p)).toBe(true)
  })

  it('refuse a name that is not kebab-case, a version that is not semver, a schema that is not TypeBox', () => {
    const bad = () =>
      defineIngestionMode({
        name: 'Real_Time',
        version: 'one',
        configSchema: { type: 'object' } as never,
        create: () => {
          throw new Error('unused')
        },
      })
    expect(bad).toThrow(FirefrontError)
    try {
      bad()
    } catch (err) {
      expect(errorCode(err)).toBe('ERR_PLUGIN_INVALID')
      expect((err as Error).message).toContain('name must be kebab-case (e.g. "nasa-firms"), got "Real_Time"')
      expect((err as Error).message).toContain('version must be semver (e.g. "1.2.3"), got "one"')
      expect((err as Error).message).toContain('configSchema must be a TypeBox schema')
    }
  })

  it('manifestProblems lists every problem of a hand-made object', () => {
    expect(manifestProblems(null)).toEqual(['the export is not an object'])
    expect(
      manifestProblems({
        kind: 'widget',
        name: 'x',
        version: '1.0.0',
        apiVersion: 1,
        configSchema: Type.Object({}),
        create() {},
      }),
    ).toEqual([
      'kind must be one of connector | ingestion-mode | throttle-policy | topic-resolver | sink, got "widget"',
    ])
  })
})

describe('validateConfig', () => {
  const Schema = Type.Object(
    {
      map_key: Type.String({ minLength: 1 }),
      days: Type.Integer({ minimum: 1, maximum: 5, default: 1 }),
      area: Type.Optional(Type.Array(Type.Number())),
    },
    { additionalProperties: false },
  )

  it('applies defaults and accepts a valid block', () => {
    const r = validateConfig(Schema, { map_key: 'k' })
    expect(r).toEqual({ ok: true, value: { map_key: 'k', days: 1 } })
  })

  it('reports path-precise issues under a prefix', () => {
    const r = validateConfig(Schema, { map_key: '', days: 9, area: [1, 'x'], extra: true }, 'sources.firms.config')
    expect(r.ok).toBe(false)
    const paths = r.ok ? [] : r.issues.map((i) => i.path)
    expect(paths).toContain('sources.firms.config.map_key')
    expect(paths).toContain('sources.firms.config.days')
    expect(paths).toContain('sources.firms.config.area[1]')
  })

  it('pointerToPath turns JSON pointers into dotted paths', () => {
    expect(pointerToPath('/sources/a~1b/list/0/x', 'root')).toBe('root.sources.a/b.list[0].x')
    expect(pointerToPath('')).toBe('')
  })
})
