// Loading plugins as the built CLI does (Node's own loader, not the test runner's): TypeScript
// paths through tsx when the project has it, otherwise a message to build first; advice for a
// missing plugin that fits how it was declared; `plugins --available` from node_modules.
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../pipeline/helpers'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const cliJs = join(repo, 'packages/core/dist/cli.js')
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function firefront(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliJs, ...args], { cwd, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err })
    })
  })
}

/** A project outside the repository: only what it links into its node_modules resolves. */
function project(): string {
  const dir = tempDir('firefront-loading-')
  dirs.push(dir)
  mkdirSync(join(dir, 'node_modules', '@firefront'), { recursive: true })
  symlinkSync(join(repo, 'packages/sdk'), join(dir, 'node_modules', '@firefront', 'sdk'))
  mkdirSync(join(dir, 'plugins'))
  writeFileSync(
    join(dir, 'plugins', 'typed.ts'),
    `import { defineConnector, type SourceRecord, Type } from '@firefront/sdk'
const records: SourceRecord[] = [{ key: 'k', value: 1 }]
export default defineConnector({
  name: 'typed', version: '1.0.0', sourceTypes: ['typed'],
  configSchema: Type.Object({}),
  create: () => ({ mode: 'pull', poll: async () => ({ records }) }),
})
`,
  )
  return dir
}

const config = (plugins: string[]) =>
  `plugins: [${plugins.map((p) => JSON.stringify(p)).join(', ')}]\nsink: { type: file }\nsources: {}\n`

describe('plugin loading', () => {
  it('a .ts plugin path without tsx: a message to build first, naming both ways out', async () => {
    const dir = project()
    writeFileSync(join(dir, 'f.yaml'), config(['./plugins/typed.ts']))
    const r = await firefront(dir, 'validate', 'f.yaml')
    expect(r.code).toBe(2)
    expect(r.err).toContain(
      'is TypeScript, which Node.js does not load as it is: build the plugin first (npm run build)',
    )
    expect(r.err).toContain('npm install --save-dev tsx')
    expect(r.err).not.toContain('Unknown file extension')
  })

  it('a .ts plugin path loads through tsx when the project has it', async () => {
    const dir = project()
    symlinkSync(join(repo, 'node_modules/tsx'), join(dir, 'node_modules', 'tsx'))
    writeFileSync(join(dir, 'f.yaml'), config(['./plugins/typed.ts']))
    const r = await firefront(dir, 'plugins', 'f.yaml')
    expect(r.err).toBe('')
    expect(r.out).toMatch(/connector\s+typed\s+1\.0\.0\s+.*plugins\/typed\.ts/)
  })

  it('a missing path is to be fixed, a missing package to be installed', async () => {
    const dir = project()
    writeFileSync(join(dir, 'f.yaml'), config(['./plugins/missing.mjs', 'firefront-connector-nope']))
    const r = await firefront(dir, 'validate', 'f.yaml')
    expect(r.code).toBe(2)
    const [path, pkg] = r.err.split('\n').filter((l) => l.includes('plugins['))
    expect(path).toContain('no file at')
    expect(path).toContain("paths are relative to the config file's folder")
    expect(path).not.toContain('npm install')
    expect(pkg).toContain('npm install firefront-connector-nope')
  })

  it('plugins --available lists the packages with a "firefront" field or the firefront-plugin keyword', async () => {
    const dir = project()
    const pkg = (name: string, json: Record<string, unknown>) => {
      mkdirSync(join(dir, 'node_modules', name), { recursive: true })
      writeFileSync(
        join(dir, 'node_modules', name, 'package.json'),
        JSON.stringify({ name, version: '1.2.3', ...json }),
      )
    }
    pkg('firefront-connector-a', { firefront: { kind: 'connector', name: 'a' } })
    pkg('firefront-sink-b', { keywords: ['firefront-plugin'] })
    pkg('left-pad', { keywords: ['pad'] })
    writeFileSync(join(dir, 'f.yaml'), config(['firefront-connector-a']))
    const r = await firefront(dir, 'plugins', '--available', 'f.yaml', '--json')
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.out) as Array<{ package: string; kind: string; name: string; declared: boolean }>
    expect(rows.map((x) => [x.package, x.kind, x.name, x.declared])).toEqual([
      ['firefront-connector-a', 'connector', 'a', true],
      ['firefront-sink-b', '', '', false],
    ])
    const table = await firefront(dir, 'plugins', '--available')
    expect(table.out).toMatch(/^PACKAGE\s+VERSION\s+KIND\s+NAME\s+FOLDER/)
    expect(table.out).toMatch(/firefront-connector-a\s+1\.2\.3\s+connector\s+a\s+node_modules\/firefront-connector-a/)
  })
})
