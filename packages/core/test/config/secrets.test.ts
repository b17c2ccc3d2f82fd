// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` written literally is what these tests are about
import { Type } from '@sinclair/typebox'
import { describe, expect, test } from 'vitest'
import { createValidateCommand } from '../../src/cli/commands/validate'
import { loadConfig, loadConfigText } from '../../src/config/load'
import { isSecretKey, isSecretPath, redactConfig, scrubMessage } from '../../src/config/secrets'
import { validateConfig } from '@firefront/sdk'
import { fixture, run } from './run-command'

const validateFile = createValidateCommand({ checkPlugins: async () => [] })

describe('secret keys', () => {
  test.each([
    'map_key',
    'api_key',
    'apiKey',
    'MAP_KEY',
    'mapkey',
    'password',
    'client_secret',
    'access_token',
    'refreshToken',
    'credentials',
    'sasl_passwd',
    'key',
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true)
  })

  test.each(['monkey', 'keyboard', 'topic', 'source_type', 'username', 'bootstrap_servers', 'tokenizer'])(
    '%s is not',
    (key) => {
      expect(isSecretKey(key)).toBe(false)
    },
  )

  test('a path is secret when a key on it is, or when it (or a parent) came from the environment', () => {
    expect(isSecretPath('kafka.sasl.password')).toBe(true)
    expect(isSecretPath('sources.firms.config.credentials.user')).toBe(true)
    expect(isSecretPath('kafka.client_id')).toBe(false)
    expect(isSecretPath('kafka.client_id', new Set(['kafka.client_id']))).toBe(true)
    expect(isSecretPath('sources.a.config.list[0]', new Set(['sources.a.config.list']))).toBe(true)
  })
})

describe('redactConfig', () => {
  test('returns a copy with every secret replaced by ***, the input untouched', async () => {
    const loaded = await loadConfig(fixture('env.yaml'), {
      env: { KAFKA_HOST: 'broker.internal', KAFKA_PASSWORD: 'pw-from-env', FIRMS_MAP_KEY: 'abc123' },
    })
    const redacted = redactConfig(loaded.config, loaded.secrets)
    expect(redacted.kafka.bootstrap_servers).toBe('***')
    expect(redacted.kafka.sasl).toEqual({ mechanism: 'plain', username: 'firefront', password: '***' })
    expect(redacted.sources.firms?.config).toEqual({ map_key: '***', area: '-125,32,-114,42' })
    expect(redacted.kafka.client_id).toBe('firefront-ca')
    expect(JSON.stringify(redacted)).not.toMatch(/pw-from-env|broker\.internal|abc123/)
    expect(loaded.config.kafka.sasl?.password).toBe('pw-from-env')
  })

  test('a whole block under a secret-named key is hidden; lists are walked', () => {
    const redacted = redactConfig({ a: { credentials: { user: 'u', pass: 'p' } }, list: [{ token: 't' }, { x: 1 }] })
    expect(redacted).toEqual({ a: { credentials: '***' }, list: [{ token: '***' }, { x: 1 }] })
  })
})

describe('no secret in a message', () => {
  test('a wrong-typed sasl.password is not quoted, nor in the thrown error', async () => {
    const loaded = await loadConfig(fixture('bad.secret-wrong-type.yaml'), { env: {} })
    expect(loaded.issues[0]?.message).toBe('expected string, got number ***')
    expect(loaded.toError()?.message).not.toContain('12345')
  })

  test('a value from the environment in a bad position is not quoted', () => {
    const loaded = loadConfigText('queue_overflow_strategy: ${STRATEGY}\nkafka:\n  batch_size: ${BATCH}\n', {
      file: 'f.yaml',
      env: { STRATEGY: 'drop_oldes', BATCH: '-7' },
    })
    expect(loaded.issues.map((i) => i.message)).toEqual([
      'expected drop_oldest | drop_newest | block, got ***',
      'must be >= 1, got ***',
    ])
    expect(JSON.stringify(loaded.issues)).not.toMatch(/drop_oldes\b|-7/)
  })

  test("a plugin block's secret is hidden by validateConfig, by key name or as an environment value", () => {
    const schema = Type.Object({ map_key: Type.String({ minLength: 32 }), area: Type.String() })
    const byName = validateConfig(schema, { map_key: 12345, area: 'world' }, 'sources.firms.config')
    expect(byName).toEqual({
      ok: false,
      issues: [{ path: 'sources.firms.config.map_key', message: 'expected string, got number ***' }],
    })
    const loaded = loadConfigText('sources:\n  f:\n    source_type: x\n    config:\n      area: ${AREA}\n', {
      file: 'f.yaml',
      env: { AREA: '7' },
    })
    const fromEnv = validateConfig(schema, loaded.config.sources.f?.config, {
      path: 'sources.f.config',
      isSecret: loaded.isSecret,
    })
    expect(fromEnv).toEqual({
      ok: false,
      issues: [
        { path: 'sources.f.config.map_key', message: 'missing required key "map_key"' },
        { path: 'sources.f.config.area', message: 'expected string, got number ***' },
      ],
    })
  })

  test('validate never prints a secret, whichever way it is wrong', async () => {
    for (const [name, env, secret] of [
      ['bad.secret-wrong-type.yaml', {}, '12345'],
      ['bad.env-secret-wrong-type.yaml', { METRICS_PORT: 'sekrit-port' }, 'sekrit-port'],
    ] as const) {
      const result = await run(validateFile, [fixture(name)], env)
      expect(result.code).toBe(2)
      expect(result.stderr + result.stdout).not.toContain(secret)
    }
  })

  test('scrubMessage replaces whole words only', () => {
    expect(scrubMessage('key "abc" refused; abcd kept', ['abc'])).toBe('key "***" refused; abcd kept')
    expect(scrubMessage('nothing', ['', undefined, { a: 1 }])).toBe('nothing')
  })
})
