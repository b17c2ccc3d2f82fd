// The release flow end to end on a temporary copy of the workspace's manifests: `changeset version`
// with this repository's .changeset/config.json bumps what a changeset names, moves the packages
// that depend on it along, and writes each CHANGELOG.md. Nothing in the repository is touched.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from './packages'

const CLI = join(ROOT, 'node_modules/@changesets/cli/bin.js')
const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces

interface Manifest {
  name: string
  version: string
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

const copies: string[] = []
afterEach(() => {
  for (const d of copies.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A copy of the root and every workspace's package.json and the changesets config, with `changesets` as its only pending ones. */
function workspaceCopy(changesets: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'firefront-changesets-'))
  copies.push(dir)
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  mkdirSync(join(dir, '.changeset'))
  cpSync(join(ROOT, '.changeset/config.json'), join(dir, '.changeset/config.json'))
  for (const ws of workspaces) {
    mkdirSync(join(dir, ws), { recursive: true })
    cpSync(join(ROOT, ws, 'package.json'), join(dir, ws, 'package.json'))
  }
  for (const [name, text] of Object.entries(changesets)) writeFileSync(join(dir, '.changeset', `${name}.md`), text)
  return dir
}

/** Runs `changeset version` in `dir` and returns every workspace manifest after it, by package name. */
function version(dir: string): Map<string, Manifest & { dir: string }> {
  const r = spawnSync(process.execPath, [CLI, 'version'], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
  expect(r.status, r.stderr + r.stdout).toBe(0)
  const out = new Map<string, Manifest & { dir: string }>()
  for (const ws of workspaces) {
    const pkg = JSON.parse(readFileSync(join(dir, ws, 'package.json'), 'utf8')) as Manifest
    out.set(pkg.name, { ...pkg, dir: join(dir, ws) })
  }
  return out
}

const original = new Map(
  workspaces.map((ws) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, ws, 'package.json'), 'utf8')) as Manifest
    return [pkg.name, pkg] as const
  }),
)
const changeset = (releases: Record<string, string>, summary: string) =>
  `---\n${Object.entries(releases)
    .map(([name, bump]) => `"${name}": ${bump}`)
    .join('\n')}\n---\n\n${summary}\n`

describe('changesets: changeset version on a copy of the workspace', () => {
  it('a patch of one connector bumps it alone and writes its CHANGELOG with the summary', () => {
    const dir = workspaceCopy({ fix: changeset({ '@firefront/connector-noaa': 'patch' }, 'Read the wind gust unit.') })
    const after = version(dir)
    for (const [name, pkg] of after) {
      const was = original.get(name)!
      if (name === '@firefront/connector-noaa') {
        expect(pkg.version).not.toBe(was.version)
        const log = readFileSync(join(pkg.dir, 'CHANGELOG.md'), 'utf8')
        expect(log).toContain(`## ${pkg.version}\n\n### Patch Changes\n\n- Read the wind gust unit.`)
      } else {
        expect(pkg.version, name).toBe(was.version)
        expect(existsSync(join(pkg.dir, 'CHANGELOG.md')), name).toBe(false)
      }
    }
    // the changeset is consumed
    expect(existsSync(join(dir, '.changeset/fix.md'))).toBe(false)
  })

  it('a minor of the SDK: the SDK moves to its next minor; a package that depends on it follows with the new range and a CHANGELOG; a plugin whose peer range covers it is not released', () => {
    const dir = workspaceCopy({ sdk: changeset({ '@firefront/sdk': 'minor' }, 'Add `Duration.minutes`.') })
    const after = version(dir)
    const sdk = after.get('@firefront/sdk')!
    const [major, minor] = original.get('@firefront/sdk')!.version.split('.').map(Number)
    expect(sdk.version).toBe(`${major}.${minor! + 1}.0`)
    expect(readFileSync(join(sdk.dir, 'CHANGELOG.md'), 'utf8')).toContain(
      '### Minor Changes\n\n- Add `Duration.minutes`.',
    )
    // a runtime dependency (core): released with the new range
    const dependents = [...original.values()].filter((p) => p.dependencies?.['@firefront/sdk'])
    expect(dependents.map((p) => p.name)).toContain('@firefront/core')
    for (const was of dependents) {
      const now = after.get(was.name)!
      expect(now.version, was.name).not.toBe(was.version)
      expect(now.dependencies?.['@firefront/sdk'], was.name).toBe(`^${sdk.version}`)
      expect(readFileSync(join(now.dir, 'CHANGELOG.md'), 'utf8'), was.name).toContain(
        `- Updated dependencies\n  - @firefront/sdk@${sdk.version}`,
      )
    }
    // a plugin peering on the SDK with a range across 0.x minors: still satisfied, nothing to release
    const plugins = [...original.values()].filter(
      (p) => !p.dependencies?.['@firefront/sdk'] && p.peerDependencies?.['@firefront/sdk'] === '>=0.1.0 <1.0.0',
    )
    expect(plugins.length).toBeGreaterThanOrEqual(5)
    for (const was of plugins) {
      const now = after.get(was.name)!
      expect(now.version, was.name).toBe(was.version)
      expect(now.peerDependencies?.['@firefront/sdk'], was.name).toBe('>=0.1.0 <1.0.0')
    }
  })
})
