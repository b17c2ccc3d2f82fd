import { describe, expect, test } from 'vitest'
import { validateCommand } from '../../src/cli/commands/validate'
import { fixture, run } from './run-command'

// The registry's own refusals are tested with the registry; these check that validate merges them.
describe('firefront validate: with the registry', () => {
  test("the registry's issues join the file's, in file order, each placed at its line", async () => {
    const file = fixture('bad.plugin-not-found.yaml')
    const result = await run(validateCommand, [file])
    expect(result.code).toBe(2)
    expect(result.lines).toHaveLength(2)
    expect(result.lines[0]?.startsWith(`${file}:2:5 plugins[0]: `)).toBe(true)
    expect(result.lines[0]).toContain('./no-such-plugin.js')
    expect(result.lines[1]).toBe(
      `${file}:3:26 queue_overflow_strategy: expected drop_oldest | drop_newest | block, got "newest" (did you mean drop_newest?)`,
    )
  })

  test('a value the loader already refused is reported once', async () => {
    const file = fixture('bad.mode.yaml')
    const result = await run(validateCommand, [file])
    expect(result.code).toBe(2)
    expect(result.lines.filter((l) => l.includes('ingestion.mode'))).toEqual([
      `${file}:5:13 sources.firms.ingestion.mode: expected batch | real_time | continuous_streaming, got "realtime" (did you mean real_time?)`,
    ])
  })
})

describe('firefront validate: the seed example with the real registry', () => {
  test('exits 0: its noaa_weather source is served by @firefront/connector-noaa, found by source_type', async () => {
    const file = fixture('seed-stream-config.yaml')
    const result = await run(validateCommand, [file])
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toBe(`${file}: valid (1 source, 0 plugins)\n`)
  })
})
