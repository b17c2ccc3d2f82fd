/**
 * Everything a device publishes, through the real Mosquitto: a Tasmota device's whole `tele/#`
 * and `stat/#` traffic (payloads in the shapes Tasmota's documentation and sources give), localised
 * v5 firmware, and a The Things Stack v3 uplink heard by two gateways.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, inject, it } from 'vitest'
import { mosquittoPub, startConnector, withoutDigest } from './mqtt-harness'

const url = inject('mqttUrl')
const device = () => `ff-${randomUUID().slice(0, 8)}`

// One Tasmota device (BME280 + SDS011), two TelePeriods: STATE and SENSOR share each period's Time.
const state = (time: string) =>
  `{"Time":"${time}","Uptime":"0T00:10:00","UptimeSec":600,"Heap":27,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER":"OFF","Wifi":{"AP":1,"SSId":"ridge-iot","BSSId":"30:B5:C2:5D:70:72","Channel":11,"Mode":"11n","RSSI":82,"Signal":-59,"LinkCount":1,"Downtime":"0T00:00:03"}}`
const sensor = (time: string, pm25: number) =>
  `{"Time":"${time}","BME280":{"Temperature":31.4,"Humidity":18.2,"DewPoint":4.3,"Pressure":1002.6},"SDS0X1":{"PM2.5":${pm25},"PM10":61.9},"PressureUnit":"hPa","TempUnit":"C"}`
const INFO1 =
  '{"Info1":{"Module":"Generic","Version":"13.4.0(release-tasmota)","FallbackTopic":"cmnd/DVES_4B7A3C_fb/","GroupTopic":"cmnd/tasmotas/"}}'
const INFO2 = '{"Info2":{"WebServerMode":"Admin","Hostname":"ridge-4B7A3C-6716","IPAddress":"192.168.4.31"}}'
const INFO3 = '{"Info3":{"RestartReason":"Software/System restart","BootCount":12}}'

describe('a Tasmota device seen whole through tele/#', () => {
  it('emits every message of two TelePeriods once; only a byte-identical redelivery is dropped, counted', async () => {
    const d = device()
    const run = await startConnector({
      url,
      topics: [`tele/${d}/#`],
      payload_format: 'tasmota',
      timezone: 'Europe/Berlin',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    const publish = [
      ['LWT', 'Online'],
      ['INFO1', INFO1],
      ['INFO2', INFO2],
      ['INFO3', INFO3],
      ['STATE', state('2026-08-14T15:20:05')],
      ['SENSOR', sensor('2026-08-14T15:20:05', 48.3)],
      ['STATE', state('2026-08-14T15:25:05')],
      ['SENSOR', sensor('2026-08-14T15:25:05', 51.0)],
      ['SENSOR', sensor('2026-08-14T15:25:05', 51.0)], // the same message again
    ]
    for (const [level, payload] of publish) await mosquittoPub(url, `tele/${d}/${level}`, payload as string)
    await run.waitFor(8)
    await run.waitForLog('redelivered message dropped as a duplicate')
    await run.stop()
    expect(run.error).toBeUndefined()
    expect(run.fake.rejected).toEqual([])
    expect(run.records.map((r) => [r.headers?.['mqtt-kind'], r.eventTime, r.headers?.['event-time-source']])).toEqual([
      ['lwt', expect.any(String), 'arrival'],
      ['info', expect.any(String), 'arrival'],
      ['info', expect.any(String), 'arrival'],
      ['info', expect.any(String), 'arrival'],
      ['state', '2026-08-14T13:20:05.000Z', 'payload'],
      ['sensor', '2026-08-14T13:20:05.000Z', 'payload'],
      ['state', '2026-08-14T13:25:05.000Z', 'payload'],
      ['sensor', '2026-08-14T13:25:05.000Z', 'payload'],
    ])
    expect(run.records.every((r) => (r.value as { deviceId: string }).deviceId === d)).toBe(true)
    expect(run.records[0]?.value).toMatchObject({ kind: 'lwt', status: 'online', payload: 'Online' })
    expect(run.records.filter((r) => r.headers?.['mqtt-kind'] === 'sensor').map((r) => r.value)).toMatchObject([
      { readings: { SDS0X1_PM2_5: 48.3 }, units: { SDS0X1_PM2_5: 'µg/m³', BME280_Pressure: 'hPa' } },
      { readings: { SDS0X1_PM2_5: 51 } },
    ])
    expect(new Set(run.records.map((r) => r.key)).size).toBe(8)
    expect(withoutDigest(run.records[5]?.key)).toBe(`${d}:sensor:2026-08-14T13:20:05.000Z`)
    expect(run.fake.metrics.get('mqtt_duplicates_total')).toBe(1)
    expect(run.fake.skipped.get('duplicate')).toBe(1)
  })

  it('with lwt: skip, last wills are counted as skipped, not dead-lettered', async () => {
    const d = device()
    const run = await startConnector({
      url,
      topics: [`tele/${d}/#`],
      payload_format: 'tasmota',
      lwt: 'skip',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    await mosquittoPub(url, `tele/${d}/LWT`, 'Offline')
    await mosquittoPub(url, `tele/${d}/SENSOR`, sensor('2026-08-14T15:20:05', 48.3))
    await run.waitFor(1)
    await run.stop()
    expect(run.records.map((r) => r.headers?.['mqtt-kind'])).toEqual(['sensor'])
    expect(run.fake.rejected).toEqual([])
    expect(run.fake.skipped.get('lwt')).toBe(1)
  })

  it('stat/#: STATUS8 and STATUS10 answers read StatusSNS.Time; RESULT ON, OFF, ON are three messages', async () => {
    const d = device()
    const run = await startConnector({
      url,
      topics: [`stat/${d}/#`],
      payload_format: 'tasmota',
      timezone: 'America/Los_Angeles',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    const sns = (time: string) => `{"StatusSNS":${sensor(time, 12.5)}}`
    for (const [level, payload] of [
      ['STATUS8', sns('2026-08-14T06:00:00')],
      ['STATUS10', sns('2026-08-14T06:00:30')],
      ['RESULT', '{"POWER":"ON"}'],
      ['RESULT', '{"POWER":"OFF"}'],
      ['RESULT', '{"POWER":"ON"}'],
      ['RESULT', '{"POWER":"ON"}'], // repeated at once: a redelivery
      ['POWER', 'ON'],
    ]) {
      await mosquittoPub(url, `stat/${d}/${level}`, payload as string)
    }
    await run.waitFor(6)
    await run.waitForLog('redelivered message dropped as a duplicate')
    await run.stop()
    expect(run.fake.rejected).toEqual([])
    expect(run.records.map((r) => [r.headers?.['mqtt-kind'], (r.value as { topicKind: string }).topicKind])).toEqual([
      ['status', 'STATUS8'],
      ['status', 'STATUS10'],
      ['result', 'RESULT'],
      ['result', 'RESULT'],
      ['result', 'RESULT'],
      ['state', 'POWER'],
    ])
    expect(run.records[0]).toMatchObject({
      eventTime: '2026-08-14T13:00:00.000Z',
      value: { timeKey: 'StatusSNS.Time', readings: { BME280_Temperature: 31.4, SDS0X1_PM2_5: 12.5 } },
    })
    expect(run.records[1]?.eventTime).toBe('2026-08-14T13:00:30.000Z')
    expect(run.fake.skipped.get('duplicate')).toBe(1)
  })

  it('a German v5 build (Zeit, YYYY.MM.DD, Temperatur) under a custom FullTopic, °F normalised', async () => {
    const p = `ff-${randomUUID().slice(0, 8)}`
    const run = await startConnector({
      url,
      topics: [`${p}/home/tele/#`],
      payload_format: 'tasmota',
      topic_template: `${p}/home/%prefix%/%topic%/`,
      timezone: 'Europe/Berlin',
      normalise_units: true,
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    await mosquittoPub(
      url,
      `${p}/home/tele/keller/SENSOR`,
      '{"Zeit":"2017.11.04 10:05:12","AM2301":{"Temperatur":70.3,"Feuchtigkeit":45.2},"TempUnit":"F"}',
    )
    await run.waitFor(1)
    await run.stop()
    expect(run.records[0]).toMatchObject({
      eventTime: '2017-11-04T09:05:12.000Z',
      value: {
        deviceId: 'keller',
        timeKey: 'Zeit',
        readings: { AM2301_Temperature: 21.277778, AM2301_Humidity: 45.2 },
        units: { AM2301_Temperature: '°C', AM2301_Humidity: '%' },
        originalReadings: { AM2301_Temperature: { value: 70.3, unit: '°F' } },
        originalNames: { AM2301_Temperature: 'AM2301_Temperatur', AM2301_Humidity: 'AM2301_Feuchtigkeit' },
      },
    })
  })
})

describe('The Things Stack v3', () => {
  it('under v3/+/devices/+/#, joins and downlink events are counted as skipped, uplinks emitted', async () => {
    const p = `ff-${randomUUID().slice(0, 8)}`
    const up = readFileSync(new URL('./fixtures/ttn_v3_uplink_normalized_two_gateways.json', import.meta.url), 'utf8')
    const ids = (JSON.parse(up) as { end_device_ids: unknown }).end_device_ids
    // The join-accept and downlink-sent messages in the shape TTS's Data Formats page documents.
    const join = JSON.stringify({
      end_device_ids: ids,
      correlation_ids: ['as:up:01K9ER5Y3N1Q6Z0W7V8X9Y0Z1A'],
      received_at: '2025-11-07T08:50:01.112Z',
      join_accept: { session_key_id: 'AZpdcJdm3ixYYWExQAIgUg==', received_at: '2025-11-07T08:50:01.050Z' },
    })
    const sent = JSON.stringify({
      end_device_ids: ids,
      correlation_ids: ['as:downlink:01K9ER9A0B1C2D3E4F5G6H7J8K'],
      received_at: '2025-11-07T08:52:15.300Z',
      downlink_sent: { f_port: 15, f_cnt: 3, frm_payload: 'vu8=', priority: 'NORMAL', correlation_ids: [] },
    })
    const run = await startConnector({
      url,
      topics: [`${p}/v3/+/devices/+/#`],
      payload_format: 'ttn-v3',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    const base = `${p}/v3/thingsboard-ttn-demo@ttn/devices/rs261-erik-internal`
    await mosquittoPub(url, `${base}/join`, join)
    await mosquittoPub(url, `${base}/down/sent`, sent)
    await mosquittoPub(url, `${base}/up`, up)
    await run.waitFor(1)
    await run.stop()
    expect(run.records).toHaveLength(1)
    expect(run.fake.rejected).toEqual([])
    expect(Object.fromEntries(run.fake.skipped)).toEqual({ ttn_join: 1, ttn_down_sent: 1 })
  })

  it('keeps version_ids, normalized_payload, each gateway with RSSI/SNR, tenant/cluster, frequency and SF', async () => {
    const p = `ff-${randomUUID().slice(0, 8)}`
    const up = readFileSync(new URL('./fixtures/ttn_v3_uplink_normalized_two_gateways.json', import.meta.url), 'utf8')
    const run = await startConnector({
      url,
      topics: [`${p}/v3/+/devices/+/up`],
      payload_format: 'ttn-v3',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    await mosquittoPub(url, `${p}/v3/thingsboard-ttn-demo@ttn/devices/rs261-erik-internal/up`, up)
    await run.waitFor(1)
    await run.stop()
    expect(run.records[0]?.headers?.['mqtt-kind']).toBe('sensor')
    expect(run.records[0]?.value).toMatchObject({
      deviceId: 'rs261-erik-internal',
      normalizedPayload: [{ air: { temperature: 21.83 } }],
      versionIds: { brandId: 'ezurio', modelId: 'rs26x-int-temp-sensor', firmwareVersion: '1.0.2+1748617279' },
      network: { tenantId: 'ttn', clusterId: 'eu1', netId: '000013' },
      gatewayCount: 2,
      gateways: [
        { gatewayId: 'eriks-rg186', rssi: -69, snr: 8.25 },
        { gatewayId: 'ridge-lookout-gw', eui: '58A0CBFFFE8041C2', rssi: -112, snr: -7.5 },
      ],
      rssi: -69,
      snr: 8.25,
      frequency: 868100000,
      spreadingFactor: 7,
      bandwidth: 125000,
    })
  })
})
