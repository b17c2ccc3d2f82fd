import { fileURLToPath } from 'node:url'
import { type AnyPlugin, validateConfig } from '@firefront/sdk'
import { runConnector } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

describe("a plugin's test kit judges a config exactly as `firefront validate` does", () => {
  it('the same bad block gets the same messages from both', async () => {
    let err = ''
    const code = await main(['validate', fixture('kit-parity.yaml')], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
    })
    expect(code).toBe(2)
    // `file:line:col sources.hello.config.<key>: <message> (connector:echo)` → `<key>: <message>`
    const fromCli = err
      .trim()
      .split('\n')
      .map((line) => /sources\.hello\.config\.(.*) \(connector:echo\)$/.exec(line)?.[1])
    expect(fromCli).not.toContain(undefined)

    const echo = (await import(fixture('echo-connector.mjs'))).default as AnyPlugin
    const block = { message: '', repeat: 'two', colour: 'red' }
    const checked = validateConfig(echo.configSchema, block)
    const fromSdk = checked.ok ? [] : checked.issues.map((i) => `${i.path}: ${i.message}`)
    expect(fromSdk).toEqual([
      'colour: unknown key "colour"; allowed: message, repeat',
      'message: must not be empty',
      'repeat: expected integer, got string "two"',
    ])
    expect([...fromCli].sort()).toEqual([...fromSdk].sort())

    // the kit's runner refuses the block with those very messages
    await expect(runConnector(echo as never, { config: block })).rejects.toThrow(fromSdk.join('; '))
  })
})
