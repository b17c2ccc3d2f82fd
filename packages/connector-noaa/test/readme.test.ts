import { readFileSync } from 'node:fs'
import { validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { AlertsConfig, GridpointsConfig, NoaaConfig, ObservationsConfig, resolveSettings } from '../src/index'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const section = (title: string): string => {
  const start = readme.indexOf(`## ${title}\n`)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}
const keys = (pattern: RegExp): string[] =>
  section('Configuration')
    .split('\n')
    .map((line) => pattern.exec(line)?.[1])
    .filter((key): key is string => key !== undefined)

describe('README', () => {
  it('lists every config key of the schema, and no other', () => {
    expect(keys(/^\| `([a-z_]+)` \|/)).toEqual(Object.keys(NoaaConfig.properties))
    expect(keys(/^\| `alerts\.([a-z_]+)` \|/)).toEqual(Object.keys(AlertsConfig.properties))
    expect(keys(/^\| `observations\.([a-z_]+)` \|/)).toEqual(Object.keys(ObservationsConfig.properties))
    expect(keys(/^\| `gridpoints\.([a-z_]+)` \|/)).toEqual(Object.keys(GridpointsConfig.properties))
  })

  it("has an example firefront.yaml whose config blocks the connector's schema accepts", () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section('Example firefront.yaml'))?.[1]
    const file = parse(yaml ?? '') as {
      plugins: string[]
      sources: Record<string, { source_type: string; config: unknown }>
    }
    expect(file.plugins).toEqual(['@firefront/connector-noaa'])
    const sources = Object.values(file.sources)
    expect(sources.length).toBeGreaterThan(1)
    for (const source of sources) {
      expect(['noaa_weather', 'noaa_alerts', 'nws_alerts', 'noaa_observations']).toContain(source.source_type)
      const checked = validateConfig(NoaaConfig, source.config)
      expect(checked).toMatchObject({ ok: true })
      if (checked.ok) expect(() => resolveSettings(checked.value)).not.toThrow()
    }
  })

  it('follows the connector README template', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])
    expect(headings).toEqual([
      'What is this?',
      'When should I use this?',
      'Install',
      'Configuration',
      'Records emitted',
      'Example firefront.yaml',
      'Compatibility',
      'License',
    ])
  })
})
