import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { loadConfigText } from '../../src/config/load'
import { planOutputs } from '../../src/registry/plan'
import { createBuiltinRegistry } from '../../src/runtime/builtins'

describe('paths in a config file are relative to the file, resolved when it is loaded', () => {
  const folder = join('/srv', 'firefront', 'conf')
  const load = (yaml: string) => loadConfigText(yaml, { file: join(folder, 'firefront.yaml'), env: {} })

  test("core path keys, written or defaulted, become absolute from the file's folder", () => {
    const loaded = load(
      'cursors: { path: state/cursors.json }\nspool: { directory: ../spool }\nkafka:\n  ssl: { ca: certs/ca.pem, cert: /etc/pki/client.pem }\n',
    )
    expect(loaded.issues).toEqual([])
    expect(loaded.config.state_dir).toBe(join(folder, '.firefront'))
    expect(loaded.config.cursors.path).toBe(join(folder, 'state/cursors.json'))
    expect(loaded.config.spool.directory).toBe(join('/srv', 'firefront', 'spool'))
    expect(loaded.config.kafka.ssl).toMatchObject({ ca: join(folder, 'certs/ca.pem'), cert: '/etc/pki/client.pem' })
  })

  test("a plugin's path keys (the file sink's directory) are resolved from the same folder by the plan", () => {
    const loaded = load('state_dir: state\nsink: { type: file, config: { directory: out } }\n')
    const outputs = planOutputs(loaded.config, createBuiltinRegistry(), {
      baseDir: folder,
      raw: loaded.raw as { kafka?: unknown },
    })
    expect(outputs.issues).toEqual([])
    expect(outputs.sink?.config).toMatchObject({ directory: join(folder, 'out') })
    // without a sink block the file sink writes under the (already absolute) state_dir
    const byDefault = planOutputs(load('state_dir: state\n').config, createBuiltinRegistry(), {
      baseDir: folder,
      raw: {},
    })
    expect(byDefault.sink?.config).toMatchObject({ directory: join(folder, 'state/out') })
  })
})
