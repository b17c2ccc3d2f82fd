// What a plugin author does, start to finish, from the packed workspace: `firefront new`, install
// (the SDK from its tarball, the build and test tools from npm), build, test, pack; then a user
// installs core and the packed plugin next to a config, validates it and runs it once against a
// local HTTP server. Needs the build (`npm run build`) and the npm registry (or its cache).
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const cli = join(root, 'packages/core/dist/cli.js')
// plain output to match against: no colours from the tools run inside
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
delete env.FORCE_COLOR
const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    env,
    timeout: 240_000,
    maxBuffer: 16 << 20,
  })

let dir: string
let server: Server
let url: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'firefront-scaffold-'))
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify([{ id: 'a', time: '2026-07-01T10:00:00Z' }, { id: 'b', time: '2026-07-01T11:00:00Z' }, {}]))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/items`
  await run(
    'npm',
    [
      'pack',
      '-w',
      '@firefront/sdk',
      '-w',
      '@firefront/topic-resolvers',
      '-w',
      '@firefront/core',
      '--pack-destination',
      dir,
    ],
    {
      cwd: root,
      maxBuffer: 16 << 20,
    },
  )
}, 120_000)

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

const tarball = (prefix: string): string => {
  const found = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'))
  if (!found) throw new Error(`no ${prefix}*.tgz in ${dir}`)
  return join(dir, found)
}

describe('firefront new, as a plugin author uses it', () => {
  it('scaffolds a connector that builds, passes its tests, packs, installs and runs with firefront run --once', async () => {
    const plugin = join(dir, 'plugin')
    const created = await run(process.execPath, [cli, 'new', 'connector', 'my-feed', '--dir', plugin])
    expect(created.stdout).toContain('created firefront-connector-my-feed (connector "my-feed")')
    const pkg = JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8'))
    expect(pkg).toMatchObject({
      type: 'module',
      keywords: ['firefront-plugin', 'firefront-connector'],
      engines: { node: '>=20.19' },
      peerDependencies: { '@firefront/sdk': '>=0.1.0 <1.0.0' },
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    })
    expect(readdirSync(join(plugin, '.changeset'))).toContain('first-release.md')

    // --no-save: the SDK comes from the workspace tarball, package.json keeps its published ranges
    await npm(['install', '--no-save', tarball('firefront-sdk-')], plugin)
    await npm(['run', 'build'], plugin)
    const tested = await npm(['test'], plugin)
    expect(tested.stdout).toMatch(/Tests\s+4 passed/)
    await npm(['pack', '--pack-destination', dir], plugin)

    const app = join(dir, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n')
    await npm(
      [
        'install',
        tarball('firefront-sdk-'),
        tarball('firefront-topic-resolvers-'),
        tarball('firefront-core-'),
        tarball('firefront-connector-my-feed-'),
      ],
      app,
    )
    writeFileSync(
      join(app, 'firefront.yaml'),
      `plugins:
  - firefront-connector-my-feed
sink: { type: file, config: { directory: out } }
sources:
  my_feed:
    source_type: my_feed
    ingestion: { mode: batch }
    config: { url: "${url}" }
`,
    )
    const bin = join(app, 'node_modules/.bin/firefront')
    expect((await run(bin, ['validate', 'firefront.yaml'], { cwd: app })).stdout).toContain(
      'valid (1 source, 1 plugin)',
    )
    const listed = await run(bin, ['plugins', 'firefront.yaml'], { cwd: app })
    expect(listed.stdout).toMatch(/connector\s+my-feed\s+0\.1\.0\s+firefront-connector-my-feed/)
    const ran = await run(bin, ['run', 'firefront.yaml', '--once', '--progress', '0'], { cwd: app })
    expect(ran.stdout).toContain('my_feed (my-feed, stopped): fetched 2')
    const lines = readFileSync(join(app, 'out/my-feed.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l: { key: string }) => l.key)).toEqual(['a', 'b'])
    const dead = readFileSync(join(app, 'out/firefront-dlq.jsonl'), 'utf8').trim().split('\n')
    expect(dead).toHaveLength(1)
  }, 600_000)

  it('scaffolds a sink and a topic resolver whose own tests pass', async () => {
    // the connector's install above brought the tools; the two share it
    for (const kind of ['sink', 'resolver']) {
      const target = join(dir, kind)
      await run(process.execPath, [cli, 'new', kind, `my-${kind}`, '--dir', target])
      await run('ln', ['-s', join(dir, 'plugin/node_modules'), join(target, 'node_modules')])
      await npm(['run', 'build'], target)
      await npm(['run', 'typecheck'], target)
      expect((await npm(['test'], target)).stdout).toMatch(/Tests\s+2 passed/)
    }
  }, 300_000)
})

describe('firefront init', () => {
  it('writes a commented starter config that validates, and refuses to overwrite it', async () => {
    // inside the repository, so the NOAA connector it names resolves from node_modules as it would once installed
    const target = mkdtempSync(join(root, 'packages/core/.init-'))
    try {
      const file = join(target, 'firefront.yaml')
      await run(process.execPath, [cli, 'init', file])
      expect(readFileSync(file, 'utf8')).toMatch(/^# Firefront config\./)
      expect((await run(process.execPath, [cli, 'validate', file])).stdout).toContain('valid (1 source')
      const again = await run(process.execPath, [cli, 'init', file]).catch(
        (err: { code: number; stderr: string }) => err,
      )
      expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('exists; pass --force') })
    } finally {
      rmSync(target, { recursive: true, force: true })
    }
  })
})
