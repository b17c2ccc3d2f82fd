// `firefront test`: the example's cases pass through the real connectors without a broker; a case
// whose expectation is wrong fails with the difference and exit 1; a broken test file is exit 2.
import { execFile } from 'node:child_process'
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const cliJs = join(repo, 'packages/core/dist/cli.js')
const example = join(repo, 'examples/config-tests')
// a copy inside the repository, so the connectors resolve from its node_modules as from the example's
const work = join(repo, 'examples/.config-tests-work')
afterAll(() => rmSync(work, { recursive: true, force: true }))

type Failed = { code: number; stdout: string; stderr: string }
const firefront = (args: string[]) =>
  run(process.execPath, [cliJs, ...args], { cwd: repo }).then(
    (r) => ({ code: 0, ...r }),
    (err: Failed) => err,
  )

describe('firefront test', () => {
  it('passes every case of the example (one per connector), exit 0', async () => {
    const result = await firefront(['test', join(example, 'firefront.yaml')])
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/ok {4}FIRMS detections go to the source's topic/)
    expect(result.stdout).toMatch(/ok {4}an NWS alert goes to the alerts topic/)
    expect(result.stdout).toMatch(/ok {4}a sensor message becomes a record/)
    expect(result.stdout).toContain('5 passed, 0 failed')
    expect(result.code).toBe(0)
  })

  it('fails a case whose topic or dead letters differ, saying what came out, exit 1', async () => {
    cpSync(example, work, { recursive: true })
    writeFileSync(
      join(work, 'wrong.test.yaml'),
      `tests:
  - name: expects the wrong topic and no dead letter
    source: firms_india
    input:
      http: [{ status: 200, body_file: recordings/firms-area.csv }]
    expect:
      records: [{ topic: elsewhere }, { topic: elsewhere }, { topic: elsewhere }]
      dead_letters: []
  - name: expects a record from a poll that fails
    source: nws_alerts
    input:
      http: [{ url: /nothing-like-it, body: "{}" }]
    expect:
      records: [{ topic: wildfire-weather-alerts }]
`,
    )
    const result = await firefront(['test', join(work, 'firefront.yaml'), '--tests', join(work, 'wrong.test.yaml')])
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('FAIL  expects the wrong topic and no dead letter (source firms_india)')
    expect(result.stdout).toContain('expected a record {"topic":"elsewhere"}, none matches')
    expect(result.stdout).toMatch(/unexpected record \{"topic":"wildfire-nasa-firms"/)
    expect(result.stdout).toMatch(/unexpected dead letter \(ERR_INPUT_REJECTED: /)
    // an unanswered request fails the poll with the URL it asked for
    expect(result.stdout).toMatch(
      /the poll failed: .*no recorded answer for GET https:\/\/api\.weather\.gov\/alerts\/active/,
    )
    expect(result.stdout).toContain('0 passed, 2 failed')
  })

  it('refuses a test file that does not follow its schema, with the path of each problem, exit 2', async () => {
    cpSync(example, work, { recursive: true })
    writeFileSync(
      join(work, 'broken.test.yaml'),
      `tests:
  - name: two inputs
    source: firms_india
    input: { records: [], http: [] }
    expect: { recrods: [] }
`,
    )
    const result = await firefront(['test', join(work, 'firefront.yaml'), '--tests', join(work, 'broken.test.yaml')])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/broken\.test\.yaml: invalid test file/)
    expect(result.stderr).toContain('tests[0].expect.recrods: unknown key "recrods" (did you mean records?)')
    writeFileSync(
      join(work, 'broken.test.yaml'),
      'tests:\n  - { name: two inputs, source: firms_india, input: { records: [], http: [] }, expect: {} }\n',
    )
    const two = await firefront(['test', join(work, 'firefront.yaml'), '--tests', join(work, 'broken.test.yaml')])
    expect(two.code).toBe(2)
    expect(two.stderr).toContain('tests[0].input: give one of records, http or mqtt, got records and http')
  })
})
