// What the registry page and npm's tooling read from each published package.json and README: where
// the source is, where to report bugs, that it is ESM only and which Node.js it runs on, and links
// that still work once the README is shown outside the repository.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PUBLISHED, REPOSITORY, ROOT } from './packages'

interface Manifest {
  name: string
  private?: boolean
  type?: string
  homepage?: string
  repository?: { type?: string; url?: string; directory?: string }
  bugs?: { url?: string }
  keywords?: string[]
  engines?: { node?: string }
  files?: string[]
  main?: string
  exports?: Record<string, unknown>
  publishConfig?: { access?: string; provenance?: boolean }
}

const read = (dir: string): Manifest => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest
const rootEngines = read('.').engines?.node

describe.each(PUBLISHED)('%s: package.json', (dir) => {
  const pkg = read(dir)

  it('names its source folder, homepage and issue tracker in this repository', () => {
    expect(pkg.private).not.toBe(true)
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: dir })
    expect(pkg.homepage).toBe(`${REPOSITORY}/tree/main/${dir}#readme`)
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` })
  })

  it('is published publicly with provenance, found by keywords', () => {
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true })
    expect(pkg.keywords).toContain('firefront')
    expect(pkg.keywords?.length).toBeGreaterThanOrEqual(3)
  })

  it('is ESM only: type module, an exports map with types first and no require branch, the root Node range', () => {
    expect(pkg.type).toBe('module')
    expect(pkg.main).toBeUndefined()
    expect(pkg.engines?.node).toBe(rootEngines)
    expect(pkg.exports?.['./package.json']).toBe('./package.json')
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (subpath === './package.json') continue
      expect(Object.keys(target as object), subpath).toEqual(['types', 'default'])
    }
    expect(pkg.files).toContain('dist')
  })

  it('has a README that works on the registry page: absolute links only, the ESM decision and Node range stated', () => {
    const readme = readFileSync(join(ROOT, dir, 'README.md'), 'utf8')
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
    const relative = targets.filter((t) => !t.startsWith('https://') && !t.startsWith('#'))
    expect(relative, 'links a reader of the npm page cannot follow').toEqual([])
    expect(readme).toMatch(/ESM only/)
    expect(readme).toContain('Node.js ≥ 20.19')
    expect(readme).toContain(`${REPOSITORY}/blob/main/docs/getting-started.md`)
    // every link into this repository names a file or folder that exists
    for (const t of targets.filter((x) => x.startsWith(`${REPOSITORY}/`))) {
      const path = t.replace(/^.*?\/(?:blob|tree)\/main\//, '').replace(/#.*$/, '')
      if (path === t || t.endsWith('/issues')) continue
      expect(() => readFileSync(join(ROOT, path.endsWith('.md') ? path : join(path, 'README.md'))), t).not.toThrow()
    }
  })
})
