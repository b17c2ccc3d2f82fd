import { mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkOperatorTools, operatorTool, toolPath } from './setup/operator-tools'

const saved = { PATH: process.env.PATH, CI: process.env.CI }
afterEach(() => {
  process.env.PATH = saved.PATH
  if (saved.CI === undefined) delete process.env.CI
  else process.env.CI = saved.CI
})

/** A PATH with a shell and nothing else. */
function barePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'firefront-path-'))
  symlinkSync(toolPath('sh')!, join(dir, 'sh'))
  return dir
}

describe('the operator-view tools in the test setup', () => {
  it('under CI, a missing promtool or chromium fails the setup and names the Debian package', () => {
    process.env.PATH = barePath()
    process.env.CI = '1'
    expect(() => checkOperatorTools()).toThrow(
      /promtool \(.*\), chromium \(.*\) missing under CI; install with: apt-get install -y prometheus chromium/,
    )
    expect(() => operatorTool('promtool')).toThrow(/apt-get install -y prometheus/)
  })

  it('elsewhere a missing tool only skips the tests that need it', () => {
    process.env.PATH = barePath()
    delete process.env.CI
    expect(() => checkOperatorTools()).not.toThrow()
    expect(operatorTool('chromium')).toBeUndefined()
  })
})
