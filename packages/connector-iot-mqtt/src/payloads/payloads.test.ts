import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { normalise, normaliseJson, normaliseRaw, normaliseTasmota, normaliseTtnV3, tasmotaDevice } from './index'
import { localToUtc, rfc3339ToUtc } from './time'

const msg = (topic: string, payload: string | Buffer) => ({
  topic,
  payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
})
const UTC = { timezone: 'UTC' }
const TERRACE =
  '{"Time":"2023-05-21T01:06:38","BME280":{"Temperature":20.5,"Humidity":53.1,"DewPoint":10.6,"Pressure":977.0},"SDS0X1":{"PM2.5":11.8,"PM10":5.8},"PressureUnit":"hPa","TempUnit":"C"}'
const ATC =
  '{"Time":"2022-10-28T13:44:23","ATC04b555":{"mac":"a4c13804b555","Temperature":25.1,"Humidity":56.3,"DewPoint":15.8,"Btn":1,"Battery":54,"RSSI":-43}}'
const ttnEvent = JSON.parse(
  readFileSync(
    new URL('../../test/fixtures/ttn_v3_as_up_data_forward_ezurio_rs26x_temperature.json', import.meta.url),
    'utf8',
  ),
) as { data: Record<string, unknown> }

describe('time', () => {
  it('reads RFC 3339 with Z, offsets and nanoseconds as UTC', () => {
    expect(rfc3339ToUtc('2026-08-01T12:00:00Z')).toBe('2026-08-01T12:00:00.000Z')
    expect(rfc3339ToUtc('2026-08-01T14:00:00+02:00')).toBe('2026-08-01T12:00:00.000Z')
    expect(rfc3339ToUtc('2025-11-07T08:52:14.742127657Z')).toBe('2025-11-07T08:52:14.742Z')
    expect(rfc3339ToUtc('2026-08-01T12:00:00')).toBeUndefined()
    expect(rfc3339ToUtc('yesterday')).toBeUndefined()
    expect(rfc3339ToUtc(1722513600)).toBeUndefined()
  })

  it('reads local time in a time zone, across daylight saving time', () => {
    expect(localToUtc('2023-05-21T01:06:38', 'UTC')).toBe('2023-05-21T01:06:38.000Z')
    expect(localToUtc('2023-05-21T01:06:38', 'Europe/Berlin')).toBe('2023-05-20T23:06:38.000Z')
    expect(localToUtc('2023-01-21T01:06:38', 'Europe/Berlin')).toBe('2023-01-21T00:06:38.000Z')
    expect(localToUtc('2026-08-01T05:00:00', 'America/Los_Angeles')).toBe('2026-08-01T12:00:00.000Z')
    expect(localToUtc('2026-08-01T05:00:00+02:00', 'America/Los_Angeles')).toBe('2026-08-01T03:00:00.000Z')
    expect(localToUtc('2023-02-30T01:00:00', 'UTC')).toBeUndefined()
    expect(localToUtc('2023-05-21 01:06', 'UTC')).toBeUndefined()
  })
})

describe('json (Firefront sensor schema)', () => {
  it('keeps the object and reads deviceId, ts and seq', () => {
    const body = {
      deviceId: 'ws-7',
      siteId: 'ridge-3',
      ts: '2026-08-01T12:00:00Z',
      seq: 42,
      temperatureC: 31.5,
      pm25UgM3: null,
    }
    expect(normaliseJson(msg('sensors/ridge-3/ws-7/telemetry', JSON.stringify(body)))).toEqual({
      ok: true,
      data: { deviceId: 'ws-7', ts: '2026-08-01T12:00:00.000Z', seq: 42, value: body },
    })
  })

  it('accepts a payload without ts or seq', () => {
    const r = normaliseJson(msg('t', '{"deviceId":"ws-7","smokePpm":3}'))
    expect(r).toEqual({
      ok: true,
      data: { deviceId: 'ws-7', ts: undefined, seq: undefined, value: { deviceId: 'ws-7', smokePpm: 3 } },
    })
  })

  it.each([
    ['{"deviceId":', /invalid JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"temperatureC":20}', /missing deviceId/],
    ['{"deviceId":""}', /missing deviceId/],
    ['{"deviceId":"a","ts":"2026-08-01 noon"}', /ts .* not an RFC 3339/],
    ['{"deviceId":"a","ts":"2026-08-01T12:00:00"}', /ts .* not an RFC 3339/],
    ['{"deviceId":"a","seq":-1}', /seq/],
    ['{"deviceId":"a","siteId":5}', /siteId/],
  ])('rejects %s', (payload, reason) => {
    const r = normaliseJson(msg('t', payload))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toMatch(reason)
  })
})

describe('tasmota', () => {
  it('takes the device id from the topic', () => {
    expect(tasmotaDevice('tele/node_mcu_terrace/SENSOR')).toBe('node_mcu_terrace')
    expect(tasmotaDevice('tele/sonoff/13DC54/SENSOR')).toBe('sonoff/13DC54')
    expect(tasmotaDevice('tele/SENSOR')).toBeUndefined()
  })

  it('flattens nested sensors, keys with dots included, and reads Time in the time zone', () => {
    const r = normaliseTasmota(msg('tele/node_mcu_terrace/SENSOR', TERRACE), { timezone: 'Europe/Berlin' })
    expect(r).toEqual({
      ok: true,
      data: {
        deviceId: 'node_mcu_terrace',
        ts: '2023-05-20T23:06:38.000Z',
        value: {
          deviceId: 'node_mcu_terrace',
          ts: '2023-05-20T23:06:38.000Z',
          localTime: '2023-05-21T01:06:38',
          timezone: 'Europe/Berlin',
          readings: {
            BME280_Temperature: 20.5,
            BME280_Humidity: 53.1,
            BME280_DewPoint: 10.6,
            BME280_Pressure: 977,
            SDS0X1_PM2_5: 11.8,
            SDS0X1_PM10: 5.8,
            PressureUnit: 'hPa',
            TempUnit: 'C',
          },
        },
      },
    })
  })

  it('reads a BLE sensor relayed by a device under a group topic', () => {
    const r = normaliseTasmota(msg('tele/sonoff/13DC54/SENSOR', ATC), UTC)
    expect(r.ok && r.data.deviceId).toBe('sonoff/13DC54')
    expect(r.ok && r.data.ts).toBe('2022-10-28T13:44:23.000Z')
    expect(r.ok && r.data.value.readings).toMatchObject({
      ATC04b555_mac: 'a4c13804b555',
      ATC04b555_Battery: 54,
      ATC04b555_RSSI: -43,
    })
  })

  it('rejects bad JSON, a topic without device and a bad Time', () => {
    expect(normaliseTasmota(msg('tele/x/SENSOR', '{'), UTC)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/invalid JSON/),
    })
    expect(normaliseTasmota(msg('SENSOR', '{"Time":"2023-05-21T01:06:38"}'), UTC)).toMatchObject({
      ok: false,
      reason: 'no device id in the topic',
    })
    expect(normaliseTasmota(msg('tele/x/SENSOR', '{"Time":"21.05.2023 01:06"}'), UTC)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Time/),
    })
  })
})

describe('ttn-v3', () => {
  it('reads a real uplink (the ApplicationUp message published on v3/…/up)', () => {
    const r = normaliseTtnV3(
      msg('v3/thingsboard-ttn-demo/devices/rs261-erik-internal/up', JSON.stringify(ttnEvent.data)),
    )
    expect(r).toEqual({
      ok: true,
      data: {
        deviceId: 'rs261-erik-internal',
        ts: '2025-11-07T08:52:14.742Z',
        seq: 25,
        value: expect.objectContaining({
          deviceId: 'rs261-erik-internal',
          applicationId: 'thingsboard-ttn-demo',
          devEui: '0025CA00000017C2',
          receivedAt: '2025-11-07T08:52:14.742127657Z',
          fCnt: 25,
          fPort: 1,
          decoded: expect.objectContaining({ Temperature: 21.83, 'Battery Status': 'Good' }),
          frmPayload: 'AMQAFdQ=',
          gateways: 1,
          rssi: -69,
          snr: 8.25,
        }),
      },
    })
  })

  it('reads the as.up.data.forward event wrapper too', () => {
    const r = normaliseTtnV3(msg('t', JSON.stringify(ttnEvent)))
    expect(r.ok && r.data.deviceId).toBe('rs261-erik-internal')
  })

  it('rejects messages that are not valid uplinks', () => {
    const { end_device_ids: _ids, ...noIds } = ttnEvent.data
    const { uplink_message: _up, ...noUplink } = ttnEvent.data
    expect(normaliseTtnV3(msg('t', JSON.stringify(noIds)))).toMatchObject({
      ok: false,
      reason: 'missing end_device_ids.device_id',
    })
    expect(normaliseTtnV3(msg('t', JSON.stringify(noUplink)))).toMatchObject({
      ok: false,
      reason: 'not an uplink: no uplink_message',
    })
    expect(normaliseTtnV3(msg('t', JSON.stringify({ ...ttnEvent.data, received_at: 'soon' })))).toMatchObject({
      ok: false,
    })
  })
})

describe('raw', () => {
  it('keeps text as UTF-8 and binary as base64, with the topic', () => {
    expect(normaliseRaw(msg('a/b', 'héllo'))).toEqual({
      ok: true,
      data: { deviceId: 'a/b', value: { topic: 'a/b', encoding: 'utf8', payload: 'héllo' } },
    })
    expect(normalise('raw', msg('a/b', Buffer.from([0xff, 0x00, 0x81])), UTC)).toEqual({
      ok: true,
      data: { deviceId: 'a/b', value: { topic: 'a/b', encoding: 'base64', payload: '/wCB' } },
    })
  })
})
