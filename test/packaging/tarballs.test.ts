// What a user gets from the registry: every package packed as `npm publish` would pack it, the
// tarballs installed into a fresh folder outside the repository (one install, reused by every
// check), and the README's quickstart validated and run once there under Node.js 20 and 22. Each
// tarball also passes publint (strict) and attw under its esm-only profile. Needs the build
// (packages/core/dist and the others: `npm test` builds first).
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIREFRONT_PACKAGES, ROOT } from './packages'

/** Node.js 22 from the registry's `node` package, kept between runs so only the first one downloads it. */
const NODE22_CACHE = join(ROOT, 'node_modules/.cache/firefront-node22')

let work: string
let app: string
const tarballs = new Map<string, string>()
const nodes: Array<{ label: string; bin: string; version: string }> = []

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 })

/** The Node 22 binary of the cache, installed there with npm when missing. */
function node22(): string {
  const bin = join(NODE22_CACHE, 'node_modules/node/bin/node')
  const version = () => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? ''
  if (existsSync(bin) && version().startsWith('v22.')) return bin
  mkdirSync(NODE22_CACHE, { recursive: true })
  // the `node` package's preinstall fetches its platform's binary package from the registry
  writeFileSync(join(NODE22_CACHE, 'package.json'), JSON.stringify({ private: true, allowScripts: { node: true } }))
  npm(['install', '--no-audit', '--no-fund', '--no-save', 'node@22'], NODE22_CACHE)
  expect(version()).toMatch(/^v22\./)
  return bin
}

beforeAll(() => {
  for (const dir of FIREFRONT_PACKAGES) {
    expect(existsSync(join(ROOT, dir, 'dist/index.js')), `${dir} is not built: npm run build`).toBe(true)
  }
  work = mkdtempSync(join(tmpdir(), 'firefront-tarballs-'))
  // outside the repository: nothing may resolve through the workspace's node_modules
  expect(relative(ROOT, work).startsWith('..')).toBe(true)
  const packed = JSON.parse(
    npm(['pack', '--json', '--pack-destination', work, ...FIREFRONT_PACKAGES.flatMap((d) => ['-w', d])], ROOT),
  ) as Array<{ name: string; filename: string }>
  for (const p of packed) tarballs.set(p.name, join(work, p.filename))

  app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'firefront-tarball-check', private: true, type: 'module' }, null, 2),
  )
  // node-rdkafka (the optional native backend) is left out: it compiles librdkafka for minutes
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', ...tarballs.values()], app)
  cpSync(join(ROOT, 'examples/quickstart.yaml'), join(app, 'quickstart.yaml'))
  cpSync(join(ROOT, 'examples/quickstart'), join(app, 'quickstart'), { recursive: true })

  nodes.push({ label: 'Node.js 20', bin: process.execPath, version: process.version })
  const n22 = node22()
  nodes.push({ label: 'Node.js 22', bin: n22, version: execFileSync(n22, ['--version'], { encoding: 'utf8' }).trim() })
}, 600_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

/** Runs the installed `firefront` bin (npm's link in node_modules/.bin) with `node` first on PATH. */
function firefront(node: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(join(app, 'node_modules/.bin/firefront'), args, {
    cwd: app,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, FIREFRONT_LOG_LEVEL: 'warn', ...env },
  })
}

describe('the packed tarballs, installed in a fresh folder', () => {
  it('packs one tarball per package, holding dist, README, LICENSE and package.json, and no tests or sources', () => {
    expect([...tarballs.keys()].sort()).toEqual(
      FIREFRONT_PACKAGES.map(
        (d) => (JSON.parse(readFileSync(join(ROOT, d, 'package.json'), 'utf8')) as { name: string }).name,
      ).sort(),
    )
    for (const [name, file] of tarballs) {
      const files = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean)
      for (const must of ['package/package.json', 'package/README.md', 'package/LICENSE', 'package/dist/index.js'])
        expect(files, name).toContain(must)
      expect(
        files.filter((f) => /\.test\.|\/test\/|\/src\//.test(f)),
        name,
      ).toEqual([])
    }
  })

  it.each([0, 1])('runs the quickstart: validate, then run --once, under Node.js 20 and 22 (#%i)', (i) => {
    const node = nodes[i]!
    expect(node.version).toMatch(i === 0 ? /^v20\./ : /^v22\./)
    const env = { FIREFRONT_STATE_DIR: join(work, `state-${i}`) }
    const version = firefront(node.bin, ['--version'], env)
    expect(version.status, version.stderr).toBe(0)

    const validate = firefront(node.bin, ['validate', 'quickstart.yaml'], env)
    expect(validate.status, `${node.label}: ${validate.stdout}${validate.stderr}`).toBe(0)

    const run = firefront(node.bin, ['run', 'quickstart.yaml', '--once'], env)
    expect(run.status, `${node.label}: ${run.stdout}${run.stderr}`).toBe(0)
    expect(run.stdout).toContain('exit 0: everything fetched was delivered or dead-lettered')
    // the summary's per-topic figures are what the files hold
    const delivered = /delivered to topics: (.+)/.exec(run.stdout)?.[1] ?? ''
    const figures = Object.fromEntries(delivered.split(', ').map((kv) => kv.split('=') as [string, string]))
    expect(Object.keys(figures).length).toBeGreaterThanOrEqual(3)
    const out = join(env.FIREFRONT_STATE_DIR, 'out')
    for (const file of readdirSync(out)) {
      const lines = readFileSync(join(out, file), 'utf8').split('\n').filter(Boolean).length
      expect(lines, `${node.label}: ${file}`).toBe(Number(figures[file.replace(/\.jsonl$/, '')]))
    }
  })

  it.each([0, 1])('every package imports as ESM from the install (#%i)', (i) => {
    const node = nodes[i]!
    const names = [...tarballs.keys()].filter((n) => n !== '@firefront/kafka-native')
    const script = `for (const n of ${JSON.stringify([...names, '@firefront/sdk/testing'])}) { const m = await import(n); if (Object.keys(m).length === 0) throw new Error(n + ' exports nothing') }
const native = await import('@firefront/kafka-native'); console.log('ok', Object.keys(native).length)`
    const r = spawnSync(node.bin, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' })
    expect(r.status, `${node.label}: ${r.stderr}`).toBe(0)
    expect(r.stdout).toMatch(/^ok \d+/)
  })
})

describe.each(FIREFRONT_PACKAGES)('%s tarball: publint and attw', (dir) => {
  const name = () => (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string }).name

  it('publint (strict) finds nothing to report', async () => {
    const { publint } = await import('publint')
    const { formatMessage } = await import('publint/utils')
    const tarball = readFileSync(tarballs.get(name())!)
    const result = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      strict: true,
    })
    expect(result.messages.map((m) => `${m.type}: ${formatMessage(m, result.pkg)}`)).toEqual([])
  })

  // several at once: each attw run is a few seconds of TypeScript's resolver
  it.concurrent('attw --profile esm-only finds no problem (node10 and require() are out of its scope)', async () => {
    const args = ['--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color', '--no-emoji']
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarballs.get(name())!, ...args],
        { encoding: 'utf8', timeout: 120_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, out: stdout + stderr }),
      )
    })
    expect(r.code, r.out).toBe(0)
    // what it prints is the resolutions it ignores under this profile, each marked so
    const problems = r.out.split('\n').filter((l) => /Resolution failed|Import failed|error|❌|💀/i.test(l))
    expect(
      problems.filter((l) => !l.includes('(ignored')),
      r.out,
    ).toEqual([])
  })
})
