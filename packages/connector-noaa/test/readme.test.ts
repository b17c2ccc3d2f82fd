import { readFileSync } from 'node:fs'
import { validateConfig } from '@firefront/sdk'
import { checkConnectorReadme, readmeSection } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import connector, {
  AlertsConfig,
  ForecastsConfig,
  GridpointsConfig,
  NoaaConfig,
  ObservationsConfig,
  resolveSettings,
} from '../src/index'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const keys = (pattern: RegExp): string[] =>
  readmeSection(readme, 'Configuration')
    .split('\n')
    .map((line) => pattern.exec(line)?.[1])
    .filter((key): key is string => key !== undefined)

describe('README', () => {
  it('lists the keys of each nested config block, and no other', () => {
    expect(keys(/^\| `alerts\.([a-z_]+)` \|/)).toEqual(Object.keys(AlertsConfig.properties))
    expect(keys(/^\| `observations\.([a-z_]+)` \|/)).toEqual(Object.keys(ObservationsConfig.properties))
    expect(keys(/^\| `gridpoints\.([a-z_]+)` \|/)).toEqual(Object.keys(GridpointsConfig.properties))
    expect(keys(/^\| `forecasts\.([a-z_]+)` \|/)).toEqual(Object.keys(ForecastsConfig.properties))
  })

  it('follows the connector template: sections, a config table matching the schema, a valid example', () => {
    checkConnectorReadme(connector, readme, { packageName: '@firefront/connector-noaa', parseYaml: parse })
  })

  it("the example's config blocks also resolve to working settings", () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readmeSection(readme, 'Example firefront.yaml'))?.[1]
    const file = parse(yaml ?? '') as { sources: Record<string, { config: unknown }> }
    for (const source of Object.values(file.sources)) {
      const checked = validateConfig(NoaaConfig, source.config)
      expect(checked).toMatchObject({ ok: true })
      if (checked.ok) expect(() => resolveSettings(checked.value)).not.toThrow()
    }
  })
})
