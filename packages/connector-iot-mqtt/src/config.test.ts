import { validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { MqttConfig, defaultClientId, filterProblem, resolveSettings } from './config'
import { RecentKeys, Redeliveries, payloadDigest, recordKey } from './dedupe'
import { checkGrants } from './grants'
import { toRecord } from './record'

const valid = (extra: Record<string, unknown> = {}) => {
  const r = validateConfig(MqttConfig, { url: 'mqtt://127.0.0.1:1883', topics: ['sensors/+/+/telemetry'], ...extra })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.value
}

describe('config', () => {
  it('applies the defaults and a stable client id from the source id', () => {
    const s = resolveSettings(valid(), 'ridge sensors')
    expect(s).toMatchObject({
      clientId: 'firefront-ridge-sensors',
      clean: false,
      protocolVersion: 4,
      payloadFormat: 'json',
      timezone: 'UTC',
      subscriptions: [{ filter: 'sensors/+/+/telemetry', qos: 1 }],
      keepaliveSeconds: 60,
      connectTimeoutMs: 30_000,
      ignoreRetained: false,
    })
    expect(defaultClientId('a/b')).toBe('firefront-a-b')
  })

  it('takes {filter, qos} topics', () => {
    const s = resolveSettings(valid({ qos: 0, topics: ['a/#', { filter: 'b/+', qos: 2 }] }), 'x')
    expect(s.subscriptions).toEqual([
      { filter: 'a/#', qos: 0 },
      { filter: 'b/+', qos: 2 },
    ])
  })

  it('rejects bad URLs, QoS and unknown keys in the schema', () => {
    for (const bad of [
      { url: 'http://x', topics: ['a'] },
      { url: 'mqtt://x', topics: [] },
      { url: 'mqtt://x', topics: ['a'], qos: 3 },
      { url: 'mqtt://x', topics: ['a'], payload_format: 'xml' },
      { url: 'mqtt://x', topics: ['a'], clientId: 'x' },
    ]) {
      expect(validateConfig(MqttConfig, bad).ok).toBe(false)
    }
  })

  it('reports wrong filters, time zones and half a client certificate together', () => {
    expect(() =>
      resolveSettings(valid({ topics: ['a/#/b', 'a+/c'], timezone: 'Mars/Olympus', cert_path: '/c.pem' }), 'x'),
    ).toThrow(/4 problems[\s\S]*topics\.0[\s\S]*topics\.1[\s\S]*timezone[\s\S]*cert_path/)
    expect(filterProblem('sensors/+/x/#')).toBeUndefined()
    expect(() => resolveSettings(valid({ device_timezones: { a: 'Europe/Berlin', b: 'Nowhere/Land' } }), 'x')).toThrow(
      /device_timezones\.b/,
    )
    expect(() => resolveSettings(valid({ topic_template: 'tele/{kind}' }), 'x')).toThrow(/topic_template/)
  })
})

describe('RecentKeys', () => {
  it('forgets the least recently seen key beyond its capacity', () => {
    const keys = new RecentKeys(2)
    keys.add('a')
    keys.add('b')
    expect(keys.has('a')).toBe(true)
    keys.add('c')
    expect(keys.has('b')).toBe(false)
    expect(keys.has('a')).toBe(true)
    expect(keys.has('c')).toBe(true)
    expect(keys.size).toBe(2)
  })

  it('remembers nothing with capacity 0', () => {
    const keys = new RecentKeys(0)
    keys.add('a')
    expect(keys.has('a')).toBe(false)
  })
})

describe('record identity', () => {
  const packet = { topic: 'sensors/s/d/telemetry', qos: 1, retain: true }
  const digest = payloadDigest(Buffer.from('{"deviceId":"d"}'))
  it('keys by device, kind, time, seq and payload digest, with MQTT headers', () => {
    const data = {
      deviceId: 'd',
      kind: 'sensor' as const,
      ts: '2026-08-01T12:00:00.000Z',
      seq: 7,
      value: { deviceId: 'd' },
    }
    const r = toRecord(data, packet, 0, recordKey(data, digest))
    expect(digest).toMatch(/^[0-9a-f]{16}$/)
    expect(r).toEqual({
      key: `d:sensor:2026-08-01T12:00:00.000Z:7:${digest}`,
      eventTime: '2026-08-01T12:00:00.000Z',
      value: { deviceId: 'd' },
      headers: {
        'mqtt-topic': packet.topic,
        'mqtt-qos': '1',
        'mqtt-retain': 'true',
        'event-time-source': 'payload',
        'mqtt-kind': 'sensor',
      },
    })
  })

  it('uses the arrival time when the payload has none, says so, and keys by the digest alone', () => {
    const data = { deviceId: 'd', kind: 'info' as const, value: {} }
    const r = toRecord(data, packet, Date.parse('2026-08-01T12:00:01Z'), recordKey(data, digest))
    expect(r.key).toBe(`d:info:${digest}`)
    expect(r.eventTime).toBe('2026-08-01T12:00:01.000Z')
    expect(r.headers?.['event-time-source']).toBe('arrival')
  })

  it('two kinds with one time are two messages; a byte-identical copy is a redelivery', () => {
    const seen = new Redeliveries(10)
    const ts = '2026-08-01T12:00:00.000Z'
    const state = recordKey({ deviceId: 'd', kind: 'state', ts }, payloadDigest(Buffer.from('{"a":1}')))
    const sensor = recordKey({ deviceId: 'd', kind: 'sensor', ts }, payloadDigest(Buffer.from('{"b":1}')))
    seen.remember('tele/d/STATE', state, true)
    expect(seen.seen('tele/d/SENSOR', sensor, true)).toBe(false)
    expect(seen.seen('tele/d/STATE', state, true)).toBe(true)
  })

  it('a timeless message is a duplicate only of the last one on its topic', () => {
    const seen = new Redeliveries(10)
    const on = recordKey({ deviceId: 'd', kind: 'result' }, payloadDigest(Buffer.from('{"POWER":"ON"}')))
    const off = recordKey({ deviceId: 'd', kind: 'result' }, payloadDigest(Buffer.from('{"POWER":"OFF"}')))
    seen.remember('stat/d/RESULT', on, false)
    expect(seen.seen('stat/d/RESULT', on, false)).toBe(true)
    seen.remember('stat/d/RESULT', off, false)
    expect(seen.seen('stat/d/RESULT', on, false)).toBe(false)
  })
})

describe('checkGrants', () => {
  const asked = [
    { filter: 'a/#', qos: 1 as const },
    { filter: 'b/#', qos: 2 as const },
    { filter: 'c/#', qos: 1 as const },
  ]
  it('finds refused filters (128, MQTT 5 reason codes) and downgraded QoS', () => {
    expect(
      checkGrants(asked, [
        { topic: 'a/#', qos: 1 },
        { topic: 'b/#', qos: 0 },
        { topic: 'c/#', qos: 128 },
      ]),
    ).toEqual({ refused: [{ topic: 'c/#', qos: 128 }], downgraded: [{ filter: 'b/#', requested: 2, granted: 0 }] })
    expect(checkGrants(asked, [{ topic: 'a/#', qos: 0x87 }]).refused).toEqual([{ topic: 'a/#', qos: 0x87 }])
  })
})
