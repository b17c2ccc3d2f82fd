// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` written literally is what these tests are about
import { readFileSync } from 'node:fs'
import { ConfigValidationError, errorCode } from '@firefront/sdk'
import { describe, expect, test } from 'vitest'
import { loadConfig, loadConfigText, loadValidConfig } from '../../src/config/load'
import { fixture } from './run-command'

const yaml = (text: string, env: Record<string, string> = {}, knownModes?: readonly string[]) =>
  loadConfigText(text, { file: 'firefront.yaml', env, knownModes })

/** The 1-based line of the first line of `file` containing `needle`. */
const lineOf = (file: string, needle: string): number =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1

describe('loadConfig: the seed config', () => {
  test('loads unchanged, with the seed defaults filled in', async () => {
    const loaded = await loadConfig(fixture('seed-stream-config.yaml'), { env: {} })
    expect(loaded.issues).toEqual([])
    expect(loaded.ok).toBe(true)
    expect(loaded.format).toBe('yaml')
    const { config } = loaded
    expect(config.kafka).toMatchObject({
      bootstrap_servers: 'localhost:9092',
      batch_size: 500,
      max_retries: 3,
      retry_backoff_base: 1,
    })
    expect(config.throttling).toMatchObject({
      enabled: true,
      min_send_rate: 1,
      max_send_rate: 100,
      target_consumer_lag: 1000,
      critical_consumer_lag: 5000,
      adjustment_factor: 1.5,
    })
    expect(config.queue_max_size).toBe(10000)
    expect(config.queue_overflow_strategy).toBe('drop_oldest')
    expect(config.enable_dlq).toBe(true)
    expect(config.sources.noaa_weather_ca).toEqual({
      source_type: 'noaa_weather',
      enabled: true,
      topic: 'wildfire-weather-data',
      ingestion: { mode: 'continuous_streaming', polling_interval_seconds: 30, buffer_size: 100 },
      rate_limit_per_minute: 120,
      timeout_seconds: 30,
      cache_ttl_seconds: 60,
      max_poll_retries: 3,
      max_retry_after_seconds: 300,
      journal: { enabled: true, fsync: false },
      config: {},
    })
  })

  test('an empty file is the defaults: the seed ApiClient limits for a source, no sources', () => {
    const loaded = yaml('')
    expect(loaded.ok).toBe(true)
    expect(loaded.config.sources).toEqual({})
    expect(loaded.config.plugins).toEqual([])
    const source = yaml('sources:\n  a:\n    source_type: noaa_weather\n').config.sources.a
    expect(source).toMatchObject({
      rate_limit_per_minute: 60,
      timeout_seconds: 30,
      cache_ttl_seconds: 60,
      ingestion: { mode: 'real_time' },
    })
  })

  test('an empty block (`throttling:` with every key commented out) takes its defaults', () => {
    const loaded = yaml('throttling:\n  # enabled: true\nkafka:\n')
    expect(loaded.ok).toBe(true)
    expect(loaded.config.throttling.enabled).toBe(false)
    expect(loaded.config.kafka.batch_size).toBe(500)
  })

  test('the JSON equivalent loads to the same config', async () => {
    const fromYaml = await loadConfig(fixture('seed-stream-config.yaml'), { env: {} })
    const fromJson = await loadConfig(fixture('seed-stream-config.json'), { env: {} })
    expect(fromJson.format).toBe('json')
    expect(fromJson.issues).toEqual([])
    expect(fromJson.config).toEqual(fromYaml.config)
    expect(fromJson.locate('sources.noaa_weather_ca.ingestion.mode')).toEqual({ line: 21, column: 17 })
  })
})

describe('loadConfig: environment interpolation', () => {
  test('${VAR}, ${VAR:-default}, inside longer strings, $${ for a literal, typed where the schema says', async () => {
    const loaded = await loadConfig(fixture('env.yaml'), {
      env: { KAFKA_HOST: 'broker.internal', KAFKA_PASSWORD: 'pw-from-env', FIRMS_MAP_KEY: '0123456789' },
    })
    expect(loaded.issues).toEqual([])
    const { config } = loaded
    expect(config.kafka.bootstrap_servers).toBe('broker.internal:9092')
    expect(config.kafka.client_id).toBe('firefront-ca')
    expect(config.kafka.sasl).toEqual({ mechanism: 'plain', username: 'firefront', password: 'pw-from-env' })
    expect(config.queue_max_size).toBe(10000)
    expect(config.default_topic).toBe('${NOT_A_VARIABLE}')
    expect(config.metrics).toMatchObject({ enabled: false, port: 9464 })
    expect(config.sources.firms?.ingestion).toEqual({ mode: 'batch', polling_interval_seconds: 600 })
    // a secret-named key stays a string even when it reads as a number
    expect(config.sources.firms?.config).toEqual({ map_key: '0123456789', area: '-125,32,-114,42' })
    expect([...loaded.secrets].sort()).toEqual([
      'kafka.bootstrap_servers',
      'kafka.sasl.password',
      'sources.firms.config.map_key',
    ])
  })

  test('a whole ${...} becomes a boolean where a union with a boolean is expected (kafka.ssl)', () => {
    expect(yaml('kafka:\n  ssl: ${SSL:-true}\n').config.kafka.ssl).toBe(true)
    expect(
      yaml('kafka:\n  ssl:\n    reject_unauthorized: "${STRICT}"\n', { STRICT: 'false' }).config.kafka.ssl,
    ).toEqual({
      reject_unauthorized: false,
    })
  })

  test('a set variable wins over the default; an empty one takes the default', () => {
    const text = 'default_topic: "${TOPIC:-wildfire}"\nstate_dir: ${DIR:-/var/lib/firefront}\n'
    expect(yaml(text, { TOPIC: 'fires' }).config.default_topic).toBe('fires')
    expect(yaml(text, { TOPIC: '' }).config.default_topic).toBe('wildfire')
    expect(yaml(text).config.state_dir).toBe('/var/lib/firefront')
    expect(yaml('default_topic: "x${EMPTY}y"\n', { EMPTY: '' }).config.default_topic).toBe('xy')
  })

  test('a substituted value is not interpolated again', () => {
    expect(yaml('default_topic: ${A}\n', { A: '${B}', B: 'no' }).config.default_topic).toBe('${B}')
  })

  test('in a plugin block an unquoted ${...} is typed as YAML would type its text; a quoted one stays a string', () => {
    const loaded = yaml(
      'sources:\n  a:\n    source_type: x\n    config:\n      n: ${N}\n      q: "${N}"\n      flag: ${F}\n      api_key: ${N}\n',
      { N: '42', F: 'true' },
    )
    expect(loaded.config.sources.a?.config).toEqual({ n: 42, q: '42', flag: true, api_key: '42' })
  })

  test('every unset variable is reported, each at its own column, with code ERR_CONFIG_ENV', () => {
    const loaded = yaml('kafka:\n  bootstrap_servers: "${HOST}:${PORT}"\n  client_id: ${CLIENT}\n')
    expect(loaded.issues.map((i) => [i.code, i.path, i.line, i.column, i.message])).toEqual([
      [
        'ERR_CONFIG_ENV',
        'kafka.bootstrap_servers',
        2,
        23,
        'environment variable HOST is not set (write ${HOST:-default} to give a default)',
      ],
      [
        'ERR_CONFIG_ENV',
        'kafka.bootstrap_servers',
        2,
        31,
        'environment variable PORT is not set (write ${PORT:-default} to give a default)',
      ],
      [
        'ERR_CONFIG_ENV',
        'kafka.client_id',
        3,
        14,
        'environment variable CLIENT is not set (write ${CLIENT:-default} to give a default)',
      ],
    ])
    expect(loaded.toError()?.code).toBe('ERR_CONFIG_ENV')
  })

  test('an unset variable does not also produce a type error at the same key', () => {
    const loaded = yaml('queue_max_size: ${QUEUE}\nenable_dlq: maybe\n')
    expect(loaded.issues.map((i) => `${i.path}: ${i.code}`)).toEqual([
      'queue_max_size: ERR_CONFIG_ENV',
      'enable_dlq: ERR_CONFIG_INVALID',
    ])
  })

  test('keys are not interpolated, and aliases share the interpolated value', () => {
    const loaded = yaml('x_key: &k "${TOPIC}"\n', { TOPIC: 't' })
    expect(loaded.issues[0]?.message).toMatch(/^unknown key "x_key"; allowed: plugins, kafka, /)
    expect(loaded.raw).toEqual({ x_key: 't' })
    const aliased = yaml('default_topic: &t "${TOPIC}"\ndlq:\n  topic: *t\n', { TOPIC: 'fires' })
    expect(aliased.config.dlq.topic).toBe('fires')
    expect(aliased.isSecret('dlq.topic')).toBe(true)
  })
})

describe('loadConfig: error codes and the thrown error', () => {
  test('a missing file: ERR_CONFIG_NOT_FOUND', async () => {
    const loaded = await loadConfig(fixture('absent.yaml'))
    expect(loaded.ok).toBe(false)
    expect(loaded.document).toBeUndefined()
    expect(loaded.issues).toEqual([
      {
        code: 'ERR_CONFIG_NOT_FOUND',
        file: fixture('absent.yaml'),
        path: '',
        message: 'cannot read the config file: no such file',
      },
    ])
    await expect(loadValidConfig(fixture('absent.yaml'))).rejects.toMatchObject({ code: 'ERR_CONFIG_NOT_FOUND' })
  })

  test('a YAML syntax error: ERR_CONFIG_SYNTAX, with the parser line and column', async () => {
    const loaded = await loadConfig(fixture('bad.yaml-syntax.yaml'))
    expect(loaded.issues.map((i) => [i.code, i.line, i.column])).toEqual([['ERR_CONFIG_SYNTAX', 4, 1]])
    expect(loaded.toError()?.code).toBe('ERR_CONFIG_SYNTAX')
  })

  test('loadValidConfig throws one ConfigValidationError carrying every issue with file, line and column', async () => {
    const file = fixture('bad.several.yaml')
    const err = await loadValidConfig(file, { env: {} }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigValidationError)
    expect(errorCode(err)).toBe('ERR_CONFIG_INVALID')
    const issues = (err as ConfigValidationError).issues
    expect(issues).toHaveLength(8)
    for (const issue of issues)
      expect(issue).toMatchObject({ file, line: expect.any(Number), column: expect.any(Number) })
    expect((err as Error).message).toContain('invalid configuration (8 problems)')
  })
})

describe('loadConfig: ingestion modes', () => {
  const text = 'sources:\n  a:\n    source_type: x\n    ingestion:\n      mode: hourly_digest\n'

  test('a built-in mode, or one a plugin provides (knownModes), is accepted', () => {
    expect(yaml(text, {}, ['hourly-digest']).ok).toBe(true)
    expect(yaml(text.replace('hourly_digest', 'batch')).ok).toBe(true)
  })

  test('an unknown mode names the built-in modes and the plugin ones', () => {
    expect(yaml(text).issues[0]?.message).toBe('expected batch | real_time | continuous_streaming, got "hourly_digest"')
    expect(yaml(text, {}, ['tail']).issues[0]?.message).toBe(
      'expected batch | real_time | continuous_streaming | tail, got "hourly_digest"',
    )
  })

  test('with plugins declared and no knownModes, other modes are left for the registry to check', () => {
    expect(yaml(`plugins: ["./my-modes.js"]\n${text}`).ok).toBe(true)
  })

  test('mode-specific keys under ingestion: are not rejected here', () => {
    const loaded = yaml(
      'sources:\n  a:\n    source_type: x\n    ingestion:\n      mode: batch\n      schedule: "0 * * * *"\n',
    )
    expect(loaded.ok).toBe(true)
    expect(loaded.config.sources.a?.ingestion).toEqual({ mode: 'batch', schedule: '0 * * * *' })
  })
})

describe('loadConfig: locate() and issues added later', () => {
  const text = [
    'plugins:', //                                     1
    '  - "@firefront/connector-nasa-firms"', //        2
    '  - ./plugins/my-sink.js', //                     3
    'sources:', //                                     4
    '  firms.us:', //                                  5
    '    source_type: nasa_firms', //                  6
    '    config:', //                                  7
    '      map_key: "abcdef0123456789"', //            8
    '      area: world', //                            9
    '    ingestion: { mode: batch }', //               10
  ].join('\n')

  test('maps dotted paths to lines and columns; a missing key points at its parent', () => {
    const loaded = yaml(text)
    expect(loaded.ok).toBe(true)
    expect(loaded.locate('plugins[1]')).toEqual({ line: 3, column: 5 })
    expect(loaded.locate('sources.firms.us.source_type')).toEqual({ line: 6, column: 18 })
    expect(loaded.locate('sources["firms.us"].config.area')).toEqual({ line: 9, column: 13 })
    expect(loaded.locate('sources["firms.us"].config.area', { at: 'key' })).toEqual({ line: 9, column: 7 })
    expect(loaded.locate('sources.firms.us.ingestion.mode')).toEqual({ line: 10, column: 24 })
    // a block map points at its key; a flow map at its brace
    expect(loaded.locate('sources.firms.us.config')).toEqual({ line: 7, column: 5 })
    expect(loaded.locate('sources.firms.us.ingestion')).toEqual({ line: 10, column: 16 })
    expect(loaded.locate('sources.firms.us.config.source')).toEqual({ line: 7, column: 5 })
    expect(loaded.locate('sink.config.path')).toEqual({ line: 1, column: 1 })
  })

  test('addIssues places registry issues in the file, hides secrets, keeps file order', () => {
    const loaded = yaml(text)
    const added = loaded.addIssues([
      { path: 'sources.firms.us.config.map_key', message: 'map key "abcdef0123456789" was refused (length 16)' },
      { path: 'plugins[1]', message: './plugins/my-sink.js: module not found' },
    ])
    expect(added).toHaveLength(2)
    expect(loaded.issues.map((i) => [i.line, i.column, i.path, i.message, i.code, i.file])).toEqual([
      [3, 5, 'plugins[1]', './plugins/my-sink.js: module not found', 'ERR_CONFIG_INVALID', 'firefront.yaml'],
      [
        8,
        16,
        'sources.firms.us.config.map_key',
        'map key "***" was refused (length 16)',
        'ERR_CONFIG_INVALID',
        'firefront.yaml',
      ],
    ])
    expect(loaded.ok).toBe(false)
  })

  test('an added issue keeps its own code, and one at a path the loader already reported is dropped', () => {
    const loaded = yaml('sources:\n  a:\n    source_type: x\n    ingestion:\n      mode: realtime\n')
    expect(loaded.issues).toHaveLength(1)
    const added = loaded.addIssues([
      { path: 'sources.a.ingestion.mode', message: 'unknown ingestion mode "realtime"' },
      {
        path: 'sources.a.source_type',
        message: 'no connector serves source_type "x"',
        code: 'ERR_PLUGIN_NOT_FOUND',
      } as never,
    ])
    expect(added.map((i) => [i.path, i.code, i.line])).toEqual([['sources.a.source_type', 'ERR_PLUGIN_NOT_FOUND', 3]])
    expect(loaded.issues).toHaveLength(2)
  })

  test('the parsed document is kept, with a source range on every node', () => {
    const loaded = yaml(text)
    const node = loaded.document?.getIn(['sources', 'firms.us', 'source_type'], true) as { range?: number[] }
    expect(node.range?.[0]).toBe(text.indexOf('nasa_firms'))
  })

  test('YAML merge keys work, and a merged key is located in its anchor', () => {
    const merged = yaml(
      [
        'x-source: &defaults',
        '  source_type: noaa_weather',
        '  rate_limit_per_minute: 30',
        'sources:',
        '  a:',
        '    <<: *defaults',
        '    topic: t',
      ].join('\n'),
    )
    // x-source is not a config key: the anchor must live elsewhere
    expect(merged.issues.map((i) => i.path)).toEqual(['x-source'])
    expect(merged.config.sources.a).toMatchObject({
      source_type: 'noaa_weather',
      rate_limit_per_minute: 30,
      topic: 't',
    })
    expect(merged.locate('sources.a.rate_limit_per_minute')).toEqual({ line: 3, column: 26 })
  })

  test('locate() agrees with the lines of the seed file', async () => {
    const file = fixture('seed-stream-config.yaml')
    const loaded = await loadConfig(file)
    expect(loaded.locate('sources.noaa_weather_ca.ingestion.mode')?.line).toBe(lineOf(file, 'mode:'))
  })
})
