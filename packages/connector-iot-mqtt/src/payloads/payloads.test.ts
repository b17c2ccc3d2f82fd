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
      data: { deviceId: 'ws-7', kind: 'sensor', ts: '2026-08-01T12:00:00.000Z', seq: 42, value: body },
    })
  })

  it('accepts a payload without ts or seq', () => {
    const r = normaliseJson(msg('t', '{"deviceId":"ws-7","smokePpm":3}'))
    expect(r).toEqual({
      ok: true,
      data: {
        deviceId: 'ws-7',
        kind: 'sensor',
        ts: undefined,
        seq: undefined,
        value: { deviceId: 'ws-7', smokePpm: 3 },
      },
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
    // the key is made of deviceId, ts and seq: one of the wrong type rejects, naming the type found
    ['{"deviceId":7}', /^deviceId is a number \(7\), expected a string$/],
    ['{"deviceId":{"id":"a"}}', /^deviceId is an object/],
    ['{"deviceId":"a","ts":1722513600}', /^ts is a number \(1722513600\), expected an RFC 3339/],
    ['{"deviceId":"a","seq":"5"}', /^seq is a string \("5"\), expected a non-negative integer$/],
    ['{"deviceId":"a","seq":1.5}', /^seq 1.5 is not a non-negative integer$/],
    ['{"deviceId":"a","invalidFields":[]}', /invalidFields is reserved/],
  ])('rejects %s', (payload, reason) => {
    const r = normaliseJson(msg('t', payload))
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toMatch(reason)
  })
})

describe('json: fields of the wrong type', () => {
  it('reads a siteId that is not a string as null and lists it', () => {
    const r = normaliseJson(msg('t', '{"deviceId":"ws-7","siteId":5,"temperatureC":20}'))
    expect(r).toEqual({
      ok: true,
      data: {
        deviceId: 'ws-7',
        kind: 'sensor',
        ts: undefined,
        seq: undefined,
        invalidFields: [{ field: 'siteId', problem: 'a number, expected a string', value: 5 }],
        value: {
          deviceId: 'ws-7',
          siteId: null,
          temperatureC: 20,
          invalidFields: [{ field: 'siteId', problem: 'a number, expected a string', value: 5 }],
        },
      },
    })
  })

  it('reads readings that are not numbers as null, keeps the rest as sent, and lists each', () => {
    const body = {
      deviceId: 'ws-7',
      ts: '2026-08-01T12:00:00Z',
      seq: 3,
      temperatureC: '31.5',
      humidityPct: 12,
      pm25UgM3: null,
      smokePpm: true,
      windSpeedMs: [6.1],
      windDirDeg: { deg: 240 },
    }
    const r = normaliseJson(msg('t', JSON.stringify(body)))
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.data.value).toMatchObject({
      deviceId: 'ws-7',
      ts: '2026-08-01T12:00:00Z',
      seq: 3,
      temperatureC: null,
      humidityPct: 12,
      pm25UgM3: null,
      smokePpm: null,
      windSpeedMs: null,
      windDirDeg: null,
    })
    expect(r.data.invalidFields).toEqual([
      { field: 'temperatureC', problem: 'a string, expected a number', value: '31.5' },
      { field: 'smokePpm', problem: 'a boolean, expected a number', value: true },
      { field: 'windSpeedMs', problem: 'an array, expected a number', value: [6.1] },
      { field: 'windDirDeg', problem: 'an object, expected a number', value: { deg: 240 } },
    ])
    expect(r.data.value.invalidFields).toEqual(r.data.invalidFields)
  })

  it('keeps a __proto__ reading as a field of its own', () => {
    const r = normaliseJson(msg('t', '{"deviceId":"a","__proto__":"x"}'))
    expect(r.ok && Object.getPrototypeOf(r.data.value)).toBe(Object.prototype)
    expect(r.ok && r.data.invalidFields?.map((f) => f.field)).toEqual(['__proto__'])
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
        kind: 'sensor',
        ts: '2023-05-20T23:06:38.000Z',
        invalidFields: undefined,
        value: {
          deviceId: 'node_mcu_terrace',
          kind: 'sensor',
          topicKind: 'SENSOR',
          timezone: 'Europe/Berlin',
          ts: '2023-05-20T23:06:38.000Z',
          localTime: '2023-05-21T01:06:38',
          timeSource: 'payload',
          units: {
            BME280_Temperature: '°C',
            BME280_Humidity: '%',
            BME280_DewPoint: '°C',
            BME280_Pressure: 'hPa',
            SDS0X1_PM2_5: 'µg/m³',
            SDS0X1_PM10: 'µg/m³',
          },
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
      reason: expect.stringMatching(/^no device id: topic "SENSOR" has fewer levels than the template/),
    })
    expect(normaliseTasmota(msg('home/tele/x/SENSOR', '{}'), UTC)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/level "home" is not a prefix/),
    })
    expect(normaliseTasmota(msg('tele/x/SENSOR', '{"Time":"21.05.2023 01:06"}'), UTC)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/Time/),
    })
  })
})

describe('tasmota: fields of the wrong type', () => {
  it('reads numeric readings that are not numbers as null and lists them by their path', () => {
    const payload = JSON.stringify({
      Time: '2023-05-21T01:06:38',
      BME280: { Temperature: '20.5', Humidity: 53.1, DewPoint: null, Pressure: { hPa: 977 } },
      SDS0X1: { 'PM2.5': false, PM10: 5.8 },
      ENERGY: { Power: [0, 12], Voltage: ['230'] },
      PressureUnit: 'hPa',
    })
    const r = normaliseTasmota(msg('tele/terrace/SENSOR', payload), UTC)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.data.value.readings).toEqual({
      BME280_Temperature: null,
      BME280_Humidity: 53.1,
      BME280_DewPoint: null,
      BME280_Pressure_hPa: 977,
      SDS0X1_PM2_5: null,
      SDS0X1_PM10: 5.8,
      ENERGY_Power: [0, 12],
      ENERGY_Voltage: null,
      PressureUnit: 'hPa',
    })
    expect(r.data.invalidFields).toEqual([
      { field: 'BME280.Temperature', problem: 'a string, expected a number', value: '20.5' },
      { field: 'SDS0X1.PM2.5', problem: 'a boolean, expected a number', value: false },
      { field: 'ENERGY.Voltage', problem: 'an array, expected a number', value: ['230'] },
    ])
    expect(r.data.value.invalidFields).toEqual(r.data.invalidFields)
  })

  it('keeps text where Tasmota prints text (units, ids, switch states)', () => {
    const payload =
      '{"Time":"2023-05-21T01:06:38","DS18B20":{"Id":"01144A0CB2AA","Temperature":21.5},"Switch1":"ON","TempUnit":"C"}'
    const r = normaliseTasmota(msg('tele/x/SENSOR', payload), UTC)
    expect(r.ok && r.data.invalidFields).toBeUndefined()
  })

  it.each([
    ['{"Time":1684631198}', 'Time is a number (1684631198), expected a local date-time string'],
    [
      '{"Time":["2023-05-21T01:06:38"]}',
      'Time is an array (["2023-05-21T01:06:38"]), expected a local date-time string',
    ],
  ])('rejects a Time that is not a string: %s', (payload, reason) => {
    expect(normaliseTasmota(msg('tele/x/SENSOR', payload), UTC)).toEqual({ ok: false, reason })
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
        kind: 'sensor',
        ts: '2025-11-07T08:52:14.742Z',
        seq: 25,
        invalidFields: undefined,
        value: expect.objectContaining({
          deviceId: 'rs261-erik-internal',
          applicationId: 'thingsboard-ttn-demo',
          devEui: '0025CA00000017C2',
          receivedAt: '2025-11-07T08:52:14.742127657Z',
          fCnt: 25,
          fPort: 1,
          decoded: expect.objectContaining({ Temperature: 21.83, 'Battery Status': 'Good' }),
          frmPayload: 'AMQAFdQ=',
          gatewayCount: 1,
          gateways: [
            {
              gatewayId: 'eriks-rg186',
              eui: 'C0EE40FFFF293903',
              rssi: -69,
              channelRssi: -69,
              snr: 8.25,
              time: '2025-11-07T08:52:14.405836105Z',
            },
          ],
          rssi: -69,
          snr: 8.25,
          frequency: 868100000,
          spreadingFactor: 7,
          bandwidth: 125000,
          codingRate: '4/5',
          consumedAirtime: '0.051456s',
          normalizedPayload: null,
          versionIds: {
            brandId: 'ezurio',
            modelId: 'rs26x-int-temp-sensor',
            hardwareVersion: 'rev 1',
            firmwareVersion: '1.0.2+1748617279',
            bandId: 'EU_863_870',
          },
          network: {
            netId: '000013',
            nsId: 'EC656E0000000181',
            tenantId: 'ttn',
            clusterId: 'eu1',
            clusterAddress: 'eu1.cloud.thethings.network',
          },
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

describe('ttn-v3: fields of the wrong type', () => {
  type Up = Record<string, unknown> & {
    uplink_message: Record<string, unknown> & { rx_metadata: Record<string, unknown>[] }
  }
  const uplink = (change: (up: Up) => void): ReturnType<typeof msg> => {
    const body = structuredClone(ttnEvent.data) as Up
    change(body)
    return msg('v3/app/devices/dev/up', JSON.stringify(body))
  }
  const read = (change: (up: Up) => void) => {
    const r = normaliseTtnV3(uplink(change))
    if (!r.ok) throw new Error(r.reason)
    return r.data
  }

  it('reads a well-formed uplink with nothing flagged, frequency (a uint64) from its decimal string', () => {
    const d = read(() => {})
    expect(d.invalidFields).toBeUndefined()
    expect(d.value.frequency).toBe(868100000)
  })

  it('takes protobuf JSON numbers given as strings, as the mapping allows', () => {
    const d = read((b) => {
      b.uplink_message.f_port = '2'
      b.uplink_message.f_cnt = '26'
      b.uplink_message.rx_metadata[0]!.rssi = '-70.5'
      ;(b.uplink_message.settings as Record<string, unknown>).frequency = 868300000
    })
    expect(d.invalidFields).toBeUndefined()
    expect(d.value).toMatchObject({ fPort: 2, fCnt: 26, rssi: -70.5, frequency: 868300000 })
    expect(d.seq).toBe(26)
  })

  it('reads an rssi that is not a number as null and lists it', () => {
    const d = read((b) => {
      b.uplink_message.rx_metadata[0]!.rssi = 'strong'
    })
    expect(d.value).toMatchObject({ rssi: null, snr: 8.25, gatewayCount: 1 })
    expect(d.invalidFields).toEqual([
      { field: 'uplink_message.rx_metadata[0].rssi', problem: '"strong", expected a finite number', value: 'strong' },
    ])
  })

  it('reads each field of the wrong type as null and lists them all', () => {
    const d = read((b) => {
      const up = b.uplink_message
      up.f_port = -1
      up.f_cnt = { n: 25 }
      up.frm_payload = 42
      up.decoded_payload = 'Temperature=21.83'
      up.rx_metadata[0]!.snr = 'NaN'
      ;(up.settings as Record<string, unknown>).frequency = '868.1 MHz'
      ;(b.end_device_ids as Record<string, unknown>).dev_eui = 10995116277762
      ;(b.end_device_ids as Record<string, unknown>).application_ids = 'thingsboard-ttn-demo'
    })
    expect(d.seq).toBeUndefined()
    expect(d.value).toMatchObject({
      deviceId: 'rs261-erik-internal',
      applicationId: null,
      devEui: null,
      fPort: null,
      fCnt: null,
      decoded: null,
      frmPayload: null,
      gatewayCount: 1,
      rssi: -69,
      snr: null,
      frequency: null,
    })
    expect(d.invalidFields?.map((f) => [f.field, f.problem])).toEqual([
      ['end_device_ids.application_ids', 'a string, expected an object'],
      ['end_device_ids.dev_eui', 'a number, expected a string'],
      ['uplink_message.f_cnt', 'an object, expected a non-negative integer'],
      ['uplink_message.f_port', 'a number, expected a non-negative integer'],
      ['uplink_message.decoded_payload', 'a string, expected an object'],
      ['uplink_message.frm_payload', 'a number, expected a base64 string'],
      ['uplink_message.rx_metadata[0].snr', '"NaN", expected a finite number'],
      ['uplink_message.settings.frequency', '"868.1 MHz", expected a non-negative integer'],
    ])
    expect(d.value.invalidFields).toEqual(d.invalidFields)
  })

  it('lists rx_metadata that is not an array, and gateways that are not objects', () => {
    const notArray = read((b) => {
      b.uplink_message.rx_metadata = { rssi: -69 } as unknown as Record<string, unknown>[]
    })
    expect(notArray.value).toMatchObject({ gatewayCount: 0, rssi: null, snr: null })
    expect(notArray.invalidFields?.map((f) => f.field)).toEqual(['uplink_message.rx_metadata'])
    const badItem = read((b) => {
      b.uplink_message.rx_metadata = ['eriks-rg186', ...b.uplink_message.rx_metadata] as Record<string, unknown>[]
    })
    expect(badItem.value).toMatchObject({ gatewayCount: 1, rssi: -69 })
    expect(badItem.invalidFields?.map((f) => f.field)).toEqual(['uplink_message.rx_metadata[0]'])
  })

  it('picks the best gateway among those with a readable RSSI', () => {
    const d = read((b) => {
      const g = b.uplink_message.rx_metadata[0]!
      b.uplink_message.rx_metadata = [{ ...g, rssi: 'best', snr: 1 }, g, { ...g, rssi: -100, snr: -3 }]
    })
    expect(d.value).toMatchObject({ gatewayCount: 3, rssi: -69, snr: 8.25 })
    expect(d.invalidFields?.map((f) => f.field)).toEqual(['uplink_message.rx_metadata[0].rssi'])
  })

  it.each<[string, (b: Up) => void, string]>([
    [
      'a device id that is not a string',
      (b) => {
        ;(b.end_device_ids as Record<string, unknown>).device_id = 42
      },
      'end_device_ids.device_id is a number (42), expected a string',
    ],
    [
      'end_device_ids that is not an object',
      (b) => {
        b.end_device_ids = 'rs261-erik-internal'
      },
      'end_device_ids is a string ("rs261-erik-internal"), expected an object',
    ],
    [
      'an uplink_message that is not an object',
      (b) => {
        b.uplink_message = [] as unknown as Up['uplink_message']
      },
      'not an uplink: uplink_message is an array ([]), expected an object',
    ],
    [
      'a received_at that is not a string',
      (b) => {
        b.received_at = 1762505534
      },
      'received_at is a number (1762505534), expected an RFC 3339 date-time string',
    ],
    [
      'an uplink received_at that is not a string, without a top-level one',
      (b) => {
        b.received_at = undefined
        b.uplink_message.received_at = true
      },
      'uplink_message.received_at is a boolean (true), expected an RFC 3339 date-time string',
    ],
  ])('rejects %s, naming the field and the type found', (_name, change, reason) => {
    expect(normaliseTtnV3(uplink(change))).toEqual({ ok: false, reason })
  })
})

describe('raw', () => {
  it('keeps text as UTF-8 and binary as base64, with the topic', () => {
    expect(normaliseRaw(msg('a/b', 'héllo'))).toEqual({
      ok: true,
      data: { deviceId: 'a/b', kind: 'other', value: { topic: 'a/b', encoding: 'utf8', payload: 'héllo' } },
    })
    expect(normalise('raw', msg('a/b', Buffer.from([0xff, 0x00, 0x81])), UTC)).toEqual({
      ok: true,
      data: { deviceId: 'a/b', kind: 'other', value: { topic: 'a/b', encoding: 'base64', payload: '/wCB' } },
    })
  })

  it('has no typed fields, so flags nothing', () => {
    for (const payload of ['{"deviceId":7,"rssi":"strong"}', Buffer.from([0xff])]) {
      const r = normaliseRaw(msg('a/b', payload))
      expect(r.ok && r.data.invalidFields).toBeUndefined()
      expect(r.ok && r.data.value).not.toHaveProperty('invalidFields')
    }
  })
})
