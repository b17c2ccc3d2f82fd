// The built CLI, run the way an operator runs it: validate and run make the same checks, paths in
// a config are relative to its file, and plugins outside the config's folder are not executed.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../pipeline/helpers'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const cliJs = join(repo, 'packages/core/dist/cli.js')

interface Result {
  code: number
  out: string
  err: string
}

/** Runs the built `firefront` in `cwd` (npm test builds first), without a FIRMS MAP_KEY. */
function firefront(cwd: string, ...args: string[]): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.FIRMS_MAP_KEY
  return new Promise((resolve) => {
    execFile(process.execPath, [cliJs, ...args], { cwd, env, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err })
    })
  })
}

// A pull connector that emits three records once: a second run fetches nothing only if it finds
// the first run's cursor.
const COUNTER = `import { defineConnector, Type } from '@firefront/sdk'
export default defineConnector({
  name: 'counter',
  version: '1.0.0',
  sourceTypes: ['counter'],
  configSchema: Type.Object({}),
  create: () => ({
    mode: 'pull',
    poll: async ({ cursor }) =>
      cursor === 3 ? { records: [], cursor } : { records: [1, 2, 3].map((n) => ({ key: String(n), value: { n } })), cursor: 3 },
  }),
})
`

// Writes a marker next to itself when its top-level code runs.
const EVIL = `import { writeFileSync } from 'node:fs'
writeFileSync(new URL('./imported.marker', import.meta.url), 'ran')
export default {}
`

const roots: string[] = []

/** A project folder whose node_modules links the workspace packages, as an install would. */
function project(): { root: string; dir: string } {
  const root = tempDir('firefront-config-plan-')
  roots.push(root)
  const dir = join(root, 'project')
  mkdirSync(join(dir, 'node_modules/@firefront'), { recursive: true })
  for (const pkg of ['sdk', 'connector-nasa-firms']) {
    symlinkSync(join(repo, 'packages', pkg), join(dir, 'node_modules/@firefront', pkg))
  }
  writeFileSync(join(dir, 'counter.mjs'), COUNTER)
  mkdirSync(join(root, 'outside'))
  writeFileSync(join(root, 'outside/evil.mjs'), EVIL)
  return { root, dir }
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

describe('paths in a config are relative to its file', () => {
  it('a run from another folder uses the same state and output as a run from the config folder', async () => {
    const { root, dir } = project()
    writeFileSync(
      join(dir, 'firefront.yaml'),
      'plugins: [./counter.mjs]\nsink: { type: file, config: { directory: out } }\nsources:\n  c: { source_type: counter, topic: counted }\n',
    )
    const first = await firefront(dir, 'run', 'firefront.yaml', '--once')
    expect(first.code, first.err).toBe(0)
    expect(first.out).toContain('total: fetched 3')
    const second = await firefront(root, 'run', 'project/firefront.yaml', '--once')
    expect(second.code, second.err).toBe(0)
    expect(second.out).toContain('total: fetched 0')
    expect(existsSync(join(dir, '.firefront/cursors.json'))).toBe(true)
    expect(existsSync(join(root, '.firefront'))).toBe(false)
    expect(existsSync(join(root, 'out'))).toBe(false)
    expect(readFileSync(join(dir, 'out/counted.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3)
  })
})

describe('validate makes the checks run makes before starting', () => {
  it('a misspelt source_type and mode, with plugins declared, and a core error: all listed by both', async () => {
    const { dir } = project()
    writeFileSync(
      join(dir, 'f.yaml'),
      'plugins: [./counter.mjs]\nsink: { type: file }\nsources:\n  c:\n    source_type: countr\n    ingestion: { mode: realtime }\nqueue_max_size: 0\n',
    )
    const validate = await firefront(dir, 'validate', 'f.yaml')
    const run = await firefront(dir, 'run', 'f.yaml', '--once')
    expect(validate.code).toBe(2)
    expect(run.code).toBe(2)
    for (const r of [validate, run]) {
      expect(r.err).toMatch(
        /f\.yaml:5:18 sources\.c\.source_type: no connector serves source_type "countr" \(did you mean counter\?\)/,
      )
      expect(r.err).toMatch(
        /f\.yaml:6:24 sources\.c\.ingestion\.mode: expected batch \| real_time \| continuous_streaming, got "realtime" \(did you mean real_time\?\)/,
      )
      // the file's own problems are listed together with the plugins'
      expect(r.err).toMatch(/f\.yaml:7:17 queue_max_size: must be >= 1, got 0/)
    }
    // a config whose connector is handed over in code validates with the escape, as a warning
    const allowed = await firefront(dir, 'validate', 'f.yaml', '--allow-missing-connectors')
    expect(allowed.err).toMatch(/sources\.c\.source_type: warning: no connector serves source_type "countr"/)
    expect(allowed.code).toBe(2) // the misspelt mode is still an error
  })

  it('FIRMS without a MAP_KEY, and with an area that is not one: refused by both, in plain words', async () => {
    const { dir } = project()
    writeFileSync(
      join(dir, 'firms.yaml'),
      'sink: { type: file }\nsources:\n  us:\n    source_type: nasa_firms\n    config: { area: "-125,32,-114,42" }\n  eu:\n    source_type: nasa_firms\n    config: { map_key: k, area: "europe" }\n',
    )
    const validate = await firefront(dir, 'validate', 'firms.yaml')
    const run = await firefront(dir, 'run', 'firms.yaml', '--once')
    expect(validate.code).toBe(2)
    expect(run.code).toBe(2)
    for (const r of [validate, run]) {
      expect(r.err).toContain(
        'sources.us.config.map_key: no MAP_KEY: set map_key or the FIRMS_MAP_KEY environment variable (connector:nasa-firms)',
      )
      expect(r.err).toContain(
        'sources.eu.config.area: must be "west,south,east,north" in decimal degrees (e.g. "-124.4,32.5,-114.1,42.0") or "world", got string "europe" (connector:nasa-firms)',
      )
      expect(r.err).not.toContain('must match')
    }
  })
})

describe('plugins load only from the config folder tree or node_modules', () => {
  it('a plugin outside is refused by validate, run, plugins and schema without running its code', async () => {
    const { root, dir } = project()
    writeFileSync(join(dir, 'evil.yaml'), 'plugins: [../outside/evil.mjs]\nsink: { type: file }\n')
    for (const [command, ...rest] of [['validate'], ['run', '--once'], ['plugins'], ['schema']] as const) {
      const r = await firefront(dir, command, 'evil.yaml', ...rest)
      expect(r.code, `${command}: ${r.err}`).toBe(2)
      expect(r.err).toContain('plugins[0]: ../outside/evil.mjs: not loaded:')
      expect(r.err).toContain(`--allow-plugin-path ${join(root, 'outside')}`)
    }
    expect(readdirSync(join(root, 'outside'))).toEqual(['evil.mjs'])

    // trusted by the user's flag: now it is imported (and found not to be a plugin)
    const trusted = await firefront(dir, 'validate', 'evil.yaml', '--allow-plugin-path', '../outside')
    expect(trusted.err).toContain('not a valid plugin')
    expect(existsSync(join(root, 'outside/imported.marker'))).toBe(true)
  })

  it('a plugin in the config folder tree loads without a flag', async () => {
    const { dir } = project()
    writeFileSync(
      join(dir, 'ok.yaml'),
      'plugins: [./counter.mjs]\nsink: { type: file }\nsources:\n  c: { source_type: counter }\n',
    )
    const r = await firefront(dir, 'validate', 'ok.yaml')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
  })
})
