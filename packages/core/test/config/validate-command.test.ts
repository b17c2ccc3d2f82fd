// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` written literally is what these tests are about
import { describe, expect, test } from 'vitest'
import { createValidateCommand } from '../../src/cli/commands/validate'
import { fixture, run } from './run-command'

// The file's own checks, without the registry's (whose refusals its own tests cover), so each
// case shows exactly the loader's lines.
const validateFile = createValidateCommand({ checkPlugins: async () => [] })

describe('firefront validate: refusals of the file itself, each with its place and a message to act on', () => {
  // [fixture, env, expected stderr lines (after "<file>:")]
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['bad.wrong-type.yaml', {}, ['3:17 queue_max_size: expected integer, got string "lots"']],
    [
      'bad.unknown-top-level-key.yaml',
      {},
      ['3:1 queue_max_sise: unknown key "queue_max_sise" (did you mean queue_max_size?)'],
    ],
    [
      'bad.unknown-source-key.yaml',
      {},
      [
        '6:5 sources.noaa_weather_ca.rate_limit_per_minut: unknown key "rate_limit_per_minut" (did you mean rate_limit_per_minute?)',
      ],
    ],
    ['bad.misplaced-key.yaml', {}, ['3:1 batch_size: unknown key "batch_size" (did you mean kafka.batch_size?)']],
    [
      'bad.enum.yaml',
      {},
      [
        '2:26 queue_overflow_strategy: expected drop_oldest | drop_newest | block, got "drop_old" (did you mean drop_oldest?)',
      ],
    ],
    [
      'bad.mode.yaml',
      {},
      [
        '5:13 sources.firms.ingestion.mode: expected batch | real_time | continuous_streaming, got "realtime" (did you mean real_time?)',
      ],
    ],
    ['bad.negative-number.yaml', {}, ['4:28 sources.noaa_weather_ca.rate_limit_per_minute: must be > 0, got -10']],
    [
      'bad.env-unset.yaml',
      {},
      [
        '5:16 sources.firms.config.map_key: environment variable FIRMS_MAP_KEY is not set (write ${FIRMS_MAP_KEY:-default} to give a default)',
      ],
    ],
    [
      'bad.malformed-interpolation.yaml',
      {},
      [
        '2:23 kafka.bootstrap_servers: malformed ${...}: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)',
      ],
    ],
    [
      'bad.yaml-syntax.yaml',
      {},
      ['4:1 invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]'],
    ],
    ['bad.duplicate-key.yaml', {}, ['3:1 invalid YAML: duplicate key "queue_max_size"']],
    ['bad.json-syntax.json', {}, ['4:3 invalid JSON: expected double-quoted property name']],
    [
      'bad.schema.json',
      {},
      [
        '4:19 kafka.batch_size: expected integer, got string "500"',
        '9:30 sources.noaa_weather_ca.ingestion.mode: expected batch | real_time | continuous_streaming, got "hourly"',
      ],
    ],
    [
      'bad.missing-source-type.yaml',
      {},
      ['2:3 sources.noaa_weather_ca.source_type: missing required key "source_type"'],
    ],
    ['bad.secret-wrong-type.yaml', {}, ['6:15 kafka.sasl.password: expected string, got number ***']],
    [
      'bad.env-secret-wrong-type.yaml',
      { METRICS_PORT: 'port-9464' },
      ['3:9 metrics.port: expected integer, got string ***'],
    ],
    [
      'bad.bootstrap-servers.yaml',
      {},
      ['2:22 kafka.bootstrap_servers: expected string or list of strings, got number 9092'],
    ],
    [
      'bad.secret-named-config-key.yaml',
      {},
      ['4:15 sources.firms.priority: expected critical | high | normal | low, got number 7'],
    ],
    ['bad.top-level-list.yaml', {}, ['1:1 the top level must be a map, got list']],
    [
      'bad.several.yaml',
      {},
      [
        '3:15 kafka.batch_size: must be >= 1, got 0',
        '4:16 kafka.max_retries: expected integer, got string "three"',
        '6:12 throttling.enabled: expected boolean, got string "yes please"',
        '7:1 queue_max_sise: unknown key "queue_max_sise" (did you mean queue_max_size?)',
        '8:26 queue_overflow_strategy: expected drop_oldest | drop_newest | block, got "drop_old" (did you mean drop_oldest?)',
        '13:13 sources.noaa_weather_ca.ingestion.mode: expected batch | real_time | continuous_streaming, got "streaming" (did you mean continuous_streaming?)',
        '14:24 sources.noaa_weather_ca.cache_ttl_seconds: must be >= 0, got -1',
        '15:3 sources.firms.source_type: missing required key "source_type"',
      ],
    ],
  ]

  test.each(cases)('%s', async (name, env, expected) => {
    const file = fixture(name)
    const result = await run(validateFile, [file], env)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.lines).toEqual(expected.map((line) => `${file}:${line}`))
  })

  test('a missing file is named, with no place in it', async () => {
    const file = fixture('no-such-config.yaml')
    const result = await run(validateFile, [file])
    expect(result.code).toBe(2)
    expect(result.lines).toEqual([`${file}: cannot read the config file: no such file`])
  })

  test('a secret in a bad position is never echoed', async () => {
    const sasl = await run(validateFile, [fixture('bad.secret-wrong-type.yaml')])
    expect(sasl.stderr).not.toContain('12345')
    const env = await run(validateFile, [fixture('bad.env-secret-wrong-type.yaml')], { METRICS_PORT: 'port-9464' })
    expect(env.stderr).not.toContain('port-9464')
  })
})

describe('firefront validate: valid files', () => {
  test('the seed example stream_config.yaml, unchanged', async () => {
    const file = fixture('seed-stream-config.yaml')
    const result = await run(validateFile, [file])
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toBe(`${file}: valid (1 source, 0 plugins)\n`)
  })

  test('the same config as JSON', async () => {
    const result = await run(validateFile, [fixture('seed-stream-config.json')])
    expect(result).toMatchObject({ code: 0, stderr: '' })
  })

  test('every key DESIGN.md names, as the seed spells it', async () => {
    const result = await run(validateFile, [fixture('design-keys.yaml')])
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('valid (3 sources, 0 plugins)')
  })

  test('a config that interpolates the environment, with defaults', async () => {
    const result = await run(validateFile, [fixture('env.yaml')], { KAFKA_PASSWORD: 'pw', FIRMS_MAP_KEY: 'k' })
    expect(result).toMatchObject({ code: 0, stderr: '' })
  })
})

describe('firefront validate: the command line', () => {
  test('no file is a usage error', async () => {
    const result = await run(validateFile, [])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('expected one config file')
    expect(result.stderr).toContain('usage: firefront validate <config>')
  })

  test('an unknown option is a usage error', async () => {
    const result = await run(validateFile, ['--strict', fixture('seed-stream-config.yaml')])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown option --strict')
  })

  test('--help prints the usage', async () => {
    const result = await run(validateFile, ['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Exit status: 0 valid, 2 invalid, 1 unexpected error.')
  })

  test('an unexpected failure exits 1', async () => {
    let captured = ''
    const result = await validateFile([fixture('seed-stream-config.yaml')], {
      stdout: {
        write: () => {
          throw new Error('stdout closed')
        },
      },
      stderr: { write: (s: string) => (captured += s) },
      env: {},
    })
    expect(result).toBe(1)
    expect(captured).toBe('firefront validate: unexpected error: stdout closed\n')
  })
})
