// Every command answers --help, and a mistyped option or command is a usage error (exit 2) with a
// suggestion, in-process through the CLI's entry point.
import { describe, expect, it } from 'vitest'
import { COMMAND_HELP, optionsOf } from '../../src/cli/help'
import { cli } from './in-process'

describe('firefront <command> --help', () => {
  for (const command of ['run', 'validate', 'schema', 'plugins', 'cursors', 'dlq', 'cluster']) {
    it(`${command} --help prints its options and exits 0`, async () => {
      const r = await cli(command, '--help')
      expect(r.code).toBe(0)
      expect(r.out).toBe(COMMAND_HELP[command])
      expect(r.out).toMatch(new RegExp(`^usage: firefront ${command}`))
      expect((await cli(command, 'x.yaml', '-h')).code).toBe(0)
    })
  }

  it("the options each help names are the ones its command accepts (a typo'd one is refused, a named one is not)", async () => {
    expect(optionsOf('run')).toEqual(expect.arrayContaining(['--once', '--source', '--status', '--allow-plugin-path']))
    expect(optionsOf('dlq')).toEqual(expect.arrayContaining(['--replay', '--since', '--reason', '--limit', '--json']))
  })
})

describe('mistakes on the command line', () => {
  it('an unknown option: exit 2, a suggestion and the usage, no stack trace', async () => {
    const r = await cli('run', 'x.yaml', '--onse')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^firefront run: unknown option --onse \(did you mean --once\?\)\n/)
    expect(r.err).toContain('usage: firefront run <config>')
    expect(r.err).not.toMatch(/\n\s+at /)
    const dlq = await cli('dlq', 'x.yaml', '--sinse', '2026-01-01')
    expect(dlq.code).toBe(2)
    expect(dlq.err).toContain('unknown option --sinse (did you mean --since?)')
  })

  it('an unknown command: exit 2 with a suggestion', async () => {
    const r = await cli('rn', 'x.yaml')
    expect(r.code).toBe(2)
    expect(r.err).toContain('firefront: unknown command "rn" (did you mean run?)')
  })
})
