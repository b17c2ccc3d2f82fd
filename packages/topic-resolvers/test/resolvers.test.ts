import { type SourceInfo, type SourceRecord, validateConfig } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import {
  connectorDefaultTopicResolver,
  contentRuleTopicResolver,
  customMappingTopicResolver,
  defaultTopicResolver,
  explicitTopicResolver,
  patternTopicResolver,
  readPath,
  topicResolvers,
} from '../src/index'

const make = async <T extends (typeof topicResolvers)[number]>(plugin: T, config: unknown) => {
  const checked = validateConfig(plugin.configSchema, config)
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
  // biome-ignore lint/suspicious/noExplicitAny: each resolver's own config type
  return plugin.create(checked.value as any, createFakeContext().ctx)
}
const source = (sourceId: string, sourceType: string, topic?: string): SourceInfo => ({ sourceId, sourceType, topic })
const rec = (value: unknown, topic?: string): SourceRecord => ({ value, topic })

describe('topic resolvers', () => {
  it('explicit: the record topic wins over the source topic; neither gives undefined', async () => {
    const r = await make(explicitTopicResolver, {})
    expect(r.resolve({ record: rec(1, 'rec-topic'), source: source('s', 't', 'src-topic') })).toBe('rec-topic')
    expect(r.resolve({ record: rec(1), source: source('s', 't', 'src-topic') })).toBe('src-topic')
    expect(r.resolve({ record: rec(1), source: source('s', 't') })).toBeUndefined()
  })

  it('custom-mapping: source id first, then source type', async () => {
    const r = await make(customMappingTopicResolver, { mappings: { firms_ca: 'ca-fires', nasa_firms: 'all-fires' } })
    expect(r.resolve({ record: rec(1), source: source('firms_ca', 'nasa_firms') })).toBe('ca-fires')
    expect(r.resolve({ record: rec(1), source: source('firms_or', 'nasa_firms') })).toBe('all-fires')
    expect(r.resolve({ record: rec(1), source: source('x', 'y') })).toBeUndefined()
  })

  it('content-rule: first matching rule on a nested field', async () => {
    const r = await make(contentRuleTopicResolver, {
      rules: [
        { field: 'properties.event', in: ['Red Flag Warning', 'Fire Weather Watch'], topic: 'fire-weather-alerts' },
        { field: 'frp', min: 100, topic: 'intense-fires', sources: ['nasa_firms'] },
        { field: 'name', matches: '^sensor-', topic: 'sensors' },
      ],
    })
    const s = source('nws', 'noaa_alerts')
    expect(r.resolve({ record: rec({ properties: { event: 'Red Flag Warning' } }), source: s })).toBe(
      'fire-weather-alerts',
    )
    expect(r.resolve({ record: rec({ properties: { event: 'Flood Watch' } }), source: s })).toBeUndefined()
    expect(r.resolve({ record: rec({ frp: 250.5 }), source: source('f', 'nasa_firms') })).toBe('intense-fires')
    expect(r.resolve({ record: rec({ frp: 250.5 }), source: s })).toBeUndefined()
    expect(r.resolve({ record: rec({ name: 'sensor-7' }), source: s })).toBe('sensors')
    expect(readPath({ a: [{ b: 2 }] }, 'a.0.b')).toBe(2)
  })

  it("pattern: the seed's three topics by default", async () => {
    const r = await make(patternTopicResolver, {})
    expect(r.resolve({ record: rec(1), source: source('a', 'nasa_firms') })).toBe('wildfire-nasa-firms')
    expect(r.resolve({ record: rec(1), source: source('noaa_weather_ca', 'noaa_weather') })).toBe(
      'wildfire-weather-data',
    )
    expect(r.resolve({ record: rec(1), source: source('field', 'iot_mqtt') })).toBe('wildfire-iot-sensors')
    expect(r.resolve({ record: rec(1), source: source('misc', 'other') })).toBeUndefined()
  })

  it("connector-default: the connector's suggested topic when it has one", async () => {
    const r = await make(connectorDefaultTopicResolver, {})
    expect(
      r.resolve({ record: rec(1), source: { ...source('a', 'nasa_firms'), defaultTopic: 'wildfire-nasa-firms' } }),
    ).toBe('wildfire-nasa-firms')
    expect(r.resolve({ record: rec(1), source: source('a', 'b') })).toBeUndefined()
  })

  it('default: always the configured topic', async () => {
    const r = await make(defaultTopicResolver, { topic: 'fallback' })
    expect(r.resolve({ record: rec(1), source: source('a', 'b') })).toBe('fallback')
    const d = await make(defaultTopicResolver, {})
    expect(d.resolve({ record: rec(1), source: source('a', 'b') })).toBe('wildfire-default')
  })

  it('every resolver is a valid branded topic-resolver plugin', () => {
    expect(topicResolvers.map((p) => [p.kind, p.name, p.$$type])).toEqual([
      ['topic-resolver', 'explicit', '@firefront/plugin'],
      ['topic-resolver', 'custom-mapping', '@firefront/plugin'],
      ['topic-resolver', 'content-rule', '@firefront/plugin'],
      ['topic-resolver', 'connector-default', '@firefront/plugin'],
      ['topic-resolver', 'pattern', '@firefront/plugin'],
      ['topic-resolver', 'default', '@firefront/plugin'],
    ])
  })
})
