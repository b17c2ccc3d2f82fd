import { readFileSync } from 'node:fs'
import { checkConnectorReadme } from '@firefront/sdk/testing'
import { describe, it } from 'vitest'
import { parse } from 'yaml'
import connector from '../src/index'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README', () => {
  it('follows the connector template: sections, a config table matching the schema, a valid example', () => {
    checkConnectorReadme(connector, readme, { packageName: '@firefront/connector-iot-mqtt', parseYaml: parse })
  })
})
