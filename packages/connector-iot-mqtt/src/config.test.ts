import { validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { MqttConfig, defaultClientId, filterProblem, resolveSettings } from './config'
import { RecentKeys } from './dedupe'
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

describe('toRecord', () => {
  const packet = { topic: 'sensors/s/d/telemetry', qos: 1, retain: true }
  it('keys by device, time and seq, with MQTT headers', () => {
    const r = toRecord(
      'json',
      { deviceId: 'd', ts: '2026-08-01T12:00:00.000Z', seq: 7, value: { deviceId: 'd' } },
      packet,
      0,
    )
    expect(r).toEqual({
      key: 'd:2026-08-01T12:00:00.000Z:7',
      eventTime: '2026-08-01T12:00:00.000Z',
      value: { deviceId: 'd' },
      headers: { 'mqtt-topic': packet.topic, 'mqtt-qos': '1', 'mqtt-retain': 'true', 'event-time-source': 'payload' },
    })
  })

  it('uses the arrival time when the payload has none, and says so', () => {
    const r = toRecord('json', { deviceId: 'd', value: {} }, packet, Date.parse('2026-08-01T12:00:01Z'))
    expect(r.key).toBe('d:2026-08-01T12:00:01.000Z')
    expect(r.headers?.['event-time-source']).toBe('arrival')
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
