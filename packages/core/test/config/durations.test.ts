import { KindGuard, type TSchema } from '@sinclair/typebox'
import { MAX_TIMER_MS, MAX_TIMER_SECONDS } from '@firefront/sdk'
import { describe, expect, test } from 'vitest'
import firmsConnector from '@firefront/connector-nasa-firms'
import iotMqttConnector from '@firefront/connector-iot-mqtt'
import noaaConnector from '@firefront/connector-noaa'
import { kafkaSink } from '../../src/sinks/kafka'
import { loadConfigText } from '../../src/config/load'
import { FirefrontConfig } from '../../src/config/schema'
import { builtinModes } from '../../src/modes'
import { planSource } from '../../src/registry/plan'
import { createBuiltinRegistry } from '../../src/runtime/builtins'

// Keys that end up in a timer: named in seconds or milliseconds, or the retry backoff.
const isDurationKey = (key: string): boolean => /(_seconds|_ms)$/.test(key) || /^retry_backoff_/.test(key)

/** Every duration key of a schema, with its `maximum`. */
function durationKeys(schema: TSchema, path = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = []
  if (KindGuard.IsUnion(schema)) for (const v of schema.anyOf) out.push(...durationKeys(v, path))
  else if (KindGuard.IsObject(schema)) {
    for (const [key, property] of Object.entries(schema.properties)) {
      const at = path ? `${path}.${key}` : key
      if (isDurationKey(key)) out.push([at, (property as { maximum?: unknown }).maximum])
      out.push(...durationKeys(property, at))
    }
  } else if (KindGuard.IsRecord(schema)) {
    for (const item of Object.values(schema.patternProperties)) out.push(...durationKeys(item as TSchema, `${path}.*`))
  } else if (KindGuard.IsArray(schema)) out.push(...durationKeys(schema.items, `${path}[]`))
  return out
}

describe('durations are bounded to what Node timers can honour', () => {
  test("every duration key of the config schema and of the built-in modes' schemas", () => {
    const keys = [
      ...durationKeys(FirefrontConfig),
      ...builtinModes.flatMap((mode) => durationKeys(mode.configSchema, `ingestion(${mode.name})`)),
      ...durationKeys(kafkaSink.configSchema, 'sink(kafka)'),
      // the first-party connectors use the SDK's Duration too
      ...[firmsConnector, noaaConnector, iotMqttConnector].flatMap((c) => durationKeys(c.configSchema, c.name)),
    ]
    expect(keys.length).toBeGreaterThanOrEqual(21)
    // MQTT's session expiry is a protocol value the broker keeps (up to 2^32-1 s), never a timer here
    const protocolValues = new Set(['iot-mqtt.session_expiry_seconds'])
    const unbounded = keys.filter(([key, max]) =>
      protocolValues.has(key)
        ? false
        : key.endsWith('_ms')
          ? !(Number(max) <= MAX_TIMER_MS)
          : !(Number(max) <= MAX_TIMER_SECONDS),
    )
    expect(unbounded).toEqual([])
  })

  test('timeout_seconds: 1e308 is refused with its place and the reason', () => {
    const loaded = loadConfigText('sources:\n  a:\n    source_type: x\n    timeout_seconds: 1e308\n', {
      file: 'f.yaml',
    })
    expect(loaded.issues.map((i) => [i.line, i.column, i.path, i.message])).toEqual([
      [
        4,
        22,
        'sources.a.timeout_seconds',
        'must be at most 2147483.647 seconds (about 24.8 days: the longest wait Node timers can hold), got 1e+308',
      ],
    ])
  })

  test("batch_interval_seconds: 3000000 is refused by the batch mode's schema", () => {
    const loaded = loadConfigText(
      'sources:\n  a:\n    source_type: x\n    ingestion:\n      mode: batch\n      batch_interval_seconds: 3000000\n',
      { file: 'f.yaml' },
    )
    expect(loaded.ok).toBe(true)
    const { issues } = planSource(loaded.config, createBuiltinRegistry(), 'a', { connectorProvided: true })
    expect(issues).toEqual([
      {
        path: 'sources.a.ingestion.batch_interval_seconds',
        message:
          'must be at most 2147483.647 seconds (about 24.8 days: the longest wait Node timers can hold), got 3000000 (ingestion-mode:batch)',
      },
    ])
  })
})
