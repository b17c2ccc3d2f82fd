import { describe, expect, it } from 'vitest'
import { DEBIAN_BUILD_PACKAGES, requireRdKafka } from '../src/load-rdkafka'

describe('loading node-rdkafka', () => {
  it('says which Debian packages to install when node-rdkafka is missing', () => {
    const missing = (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' })
    }
    let error: unknown
    try {
      requireRdKafka(missing)
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({ code: 'ERR_PLUGIN_NOT_FOUND' })
    const message = (error as Error).message
    expect(message).toMatch(/node-rdkafka is not installed/)
    for (const pkg of DEBIAN_BUILD_PACKAGES) expect(message).toContain(pkg)
    expect(message).toMatch(/allowScripts/)
  })

  it('says so when the addon was never built', () => {
    const unbuilt = () => {
      throw new Error('Could not locate the bindings file. Tried:\n → build/Release/node-librdkafka.node')
    }
    expect(() => requireRdKafka(unbuilt)).toThrow(
      /failed to load \(Could not locate the bindings file\. Tried:\).*libssl-dev/,
    )
  })
})
