import { Type } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { Duration, FilePath, MAX_TIMER_MS, MAX_TIMER_SECONDS, validateConfig } from '../src'

describe('validateConfig: one validator with the loader messages', () => {
  const Schema = Type.Object(
    {
      mode: Type.Union([Type.Literal('drop_oldest'), Type.Literal('drop_newest')], { default: 'drop_oldest' }),
      api_key: Type.String({ minLength: 8 }),
      area: Type.Optional(Type.String({ pattern: '^\\d+,\\d+$', errorMessage: 'must be "x,y"' })),
      limit: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 9, errorMessage: { maximum: 'must be a single digit' } }),
      ),
    },
    { additionalProperties: false },
  )

  it('words every problem for a person: did-you-mean, no secret quoted, paths into the file', () => {
    const r = validateConfig(Schema, { mode: 'drop_old', api_key: 'short', colour: 1 }, 'sources.a.config')
    expect(r).toEqual({
      ok: false,
      issues: [
        { path: 'sources.a.config.colour', message: 'unknown key "colour"; allowed: mode, api_key, area, limit' },
        {
          path: 'sources.a.config.mode',
          message: 'expected drop_oldest | drop_newest, got "drop_old" (did you mean drop_oldest?)',
        },
        { path: 'sources.a.config.api_key', message: 'must be at least 8 characters long' },
      ],
    })
  })

  it("a schema's errorMessage replaces a regular expression, or one keyword's text", () => {
    const r = validateConfig(Schema, { api_key: 'long-enough', area: 'north', limit: 12 })
    expect(r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'area: must be "x,y", got string "north"',
      'limit: must be a single digit, got 12',
    ])
    const low = validateConfig(Schema, { api_key: 'long-enough', limit: 0 })
    expect(low.ok ? [] : low.issues.map((i) => i.message)).toEqual(['must be >= 1, got 0'])
  })

  it('places each issue through the locator and hides values the caller calls secret', () => {
    const r = validateConfig(
      Schema,
      { api_key: 'long-enough', limit: 'lots' },
      {
        path: 'sink.config',
        isSecret: (path) => path === 'sink.config.limit',
        locate: (segments, at) => ({ line: segments.length, column: at === 'key' ? 1 : 5 }),
      },
    )
    expect(r).toEqual({
      ok: false,
      issues: [{ path: 'sink.config.limit', message: 'expected integer, got string ***', line: 3, column: 5 }],
    })
  })
})

describe('Duration: bounded to what Node timers honour', () => {
  const Schema = Type.Object({
    timeout_seconds: Duration.seconds({ default: 30, exclusiveMinimum: 0 }),
    linger_ms: Duration.milliseconds({ default: 5 }),
  })

  it('refuses a duration a timer cannot hold (it would fire after 1 ms), saying why', () => {
    const r = validateConfig(Schema, { timeout_seconds: 1e308, linger_ms: 2 ** 31 })
    expect(r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'timeout_seconds: must be at most 2147483.647 seconds (about 24.8 days: the longest wait Node timers can hold), got 1e+308',
      'linger_ms: must be at most 2147483647 milliseconds (about 24.8 days: the longest wait Node timers can hold), got 2147483648',
    ])
  })

  it('takes the longest wait a timer can hold, and keeps the plain minimum message', () => {
    expect(validateConfig(Schema, { timeout_seconds: MAX_TIMER_SECONDS, linger_ms: MAX_TIMER_MS }).ok).toBe(true)
    const r = validateConfig(Schema, { timeout_seconds: 0 })
    expect(r.ok ? [] : r.issues.map((i) => i.message)).toEqual(['must be > 0, got 0'])
  })
})

describe('FilePath: relative to the config file', () => {
  const Schema = Type.Object({
    directory: FilePath({ default: 'out' }),
    ca: Type.Optional(FilePath()),
    name: Type.String({ default: 'x' }),
  })

  it('resolves written and default paths through resolvePath, and nothing else', () => {
    const r = validateConfig(Schema, { ca: '../certs/ca.pem' }, { resolvePath: (p) => `/etc/ff/${p}` })
    expect(r).toEqual({ ok: true, value: { directory: '/etc/ff/out', ca: '/etc/ff/../certs/ca.pem', name: 'x' } })
  })

  it('leaves paths as written without resolvePath', () => {
    expect(validateConfig(Schema, {})).toEqual({ ok: true, value: { directory: 'out', name: 'x' } })
  })
})
