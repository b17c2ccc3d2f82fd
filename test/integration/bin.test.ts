// The README's next step after `npm ci && npm run demo` is `npx firefront ...`: npm links a bin at
// install time only if its file exists then, before any build, so the bin must not live in dist/.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('the firefront bin', () => {
  it('is a committed file outside dist/, linked by npm at install, and runs the built CLI', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as {
      bin: Record<string, string>
      files: string[]
    }
    const target = pkg.bin.firefront!
    expect(target.startsWith('./dist/')).toBe(false)
    expect(pkg.files).toContain(target.replace(/^\.\//, '').split('/')[0])
    const tracked = execFileSync('git', ['ls-files', join('packages/core', target)], { cwd: root, encoding: 'utf8' })
    expect(tracked.trim()).toBe(join('packages/core', target).replace(/^\.\//, ''))
    // the lock file agrees, so `npm ci` links it
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { bin?: Record<string, string> }>
    }
    expect(lock.packages['packages/core']?.bin?.firefront).toBe(target.replace(/^\.\//, ''))
    // and what `npx firefront` runs from the repository's root answers
    const bin = join(root, 'node_modules/.bin/firefront')
    expect(existsSync(bin)).toBe(true)
    const version = execFileSync(bin, ['--version'], { cwd: root, encoding: 'utf8' })
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })
})
