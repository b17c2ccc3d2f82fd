import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean)

// The built `firefront` binary, as `npm run demo` runs it (npm test builds first).
describe('the quickstart through the built CLI', () => {
  it('replays every bundled sample into the file sink, then a second run resumes and emits nothing', async () => {
    const state = mkdtempSync(join(tmpdir(), 'firefront-demo-'))
    const env = { ...process.env, FIREFRONT_STATE_DIR: state, FIREFRONT_LOG_LEVEL: 'warn' }
    const cli = join(root, 'packages/core/dist/cli.js')
    const first = await run(process.execPath, [cli, 'run', 'examples/quickstart.yaml', '--once'], { cwd: root, env })
    expect(first.stdout).toContain(
      'total: fetched 652, rejected inputs 0, sent 652, dead-lettered 0, spooled 0, dropped 0, failed 0',
    )
    // 101 VIIRS + 114 MODIS detections; 284 alerts; 153 observations
    expect(lines(join(state, 'out/wildfire-nasa-firms.jsonl'))).toHaveLength(215)
    expect(lines(join(state, 'out/wildfire-weather-alerts.jsonl'))).toHaveLength(284)
    expect(lines(join(state, 'out/wildfire-weather-data.jsonl'))).toHaveLength(153)
    const cursors = JSON.parse(readFileSync(join(state, 'cursors.json'), 'utf8')) as {
      cursors: Record<string, { cursor: number }>
    }
    expect(cursors.cursors.nws_alerts?.cursor).toBe(284)

    const second = await run(process.execPath, [cli, 'run', 'examples/quickstart.yaml', '--once'], { cwd: root, env })
    expect(second.stdout).toContain('total: fetched 0, rejected inputs 0, sent 0')
    expect(lines(join(state, 'out/wildfire-nasa-firms.jsonl'))).toHaveLength(215)
  })

  it('validates the quickstart and lists its plugins', async () => {
    const cli = join(root, 'packages/core/dist/cli.js')
    const v = await run(process.execPath, [cli, 'validate', 'examples/quickstart.yaml'], { cwd: root })
    expect(v.stdout).toBe('examples/quickstart.yaml: valid (4 sources, 1 plugin)\n')
    const p = await run(process.execPath, [cli, 'plugins', 'examples/quickstart.yaml'], { cwd: root })
    expect(p.stdout).toMatch(/^connector\s+replay\s+1\.0\.0\s+\S*\s+examples\/quickstart\/replay-connector\.mjs$/m)
  })
})

describe('firefront run until SIGTERM', () => {
  it('stops gracefully: exit 0, everything fetched is written, the cursor matches what was written', async () => {
    const state = mkdtempSync(join(tmpdir(), 'firefront-sigterm-'))
    const cli = join(root, 'packages/core/dist/cli.js')
    const child = spawn(process.execPath, [cli, 'run', 'examples/hello.yaml'], {
      cwd: root,
      env: { ...process.env, FIREFRONT_STATE_DIR: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    // wait until the first greetings are on disk, then ask it to stop
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100))
      try {
        if (lines(join(state, 'out/hello-greetings.jsonl')).length > 0) break
      } catch {
        // not written yet
      }
    }
    child.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(0)
    const written = lines(join(state, 'out/hello-greetings.jsonl'))
    const cursors = JSON.parse(readFileSync(join(state, 'cursors.json'), 'utf8')) as {
      cursors: { greetings: { cursor: number } }
    }
    const rejected = (() => {
      try {
        return lines(join(state, 'out/firefront-dlq.jsonl')).length
      } catch {
        return 0
      }
    })()
    // every greeting before the cursor is either written or dead-lettered (every 25th is rejected)
    expect(written.length + rejected).toBe(cursors.cursors.greetings.cursor)
    expect(stdout).toContain(`greetings (hello, stopped): fetched ${written.length}, sent ${written.length + rejected}`)
  })
})
