import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { type AddressInfo, type Socket, createServer } from 'node:net'
import { checkConnectorContract } from '@firefront/sdk/testing'
import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import connector from '../src/index'
import { type OwnMosquitto, mosquittoPub, startConnector, startMosquitto, withoutDigest } from './mqtt-harness'

const url = inject('mqttUrl')
const prefix = () => `firefront-test/${randomUUID()}`
const TERRACE =
  '{"Time":"2023-05-21T01:06:38","BME280":{"Temperature":20.5,"Humidity":53.1,"DewPoint":10.6,"Pressure":977.0},"SDS0X1":{"PM2.5":11.8,"PM10":5.8},"PressureUnit":"hPa","TempUnit":"C"}'
const ATC =
  '{"Time":"2022-10-28T13:44:23","ATC04b555":{"mac":"a4c13804b555","Temperature":25.1,"Humidity":56.3,"DewPoint":15.8,"Btn":1,"Battery":54,"RSSI":-43}}'
const ttnUp = JSON.stringify(
  (
    JSON.parse(
      readFileSync(
        new URL('./fixtures/ttn_v3_as_up_data_forward_ezurio_rs26x_temperature.json', import.meta.url),
        'utf8',
      ),
    ) as { data: unknown }
  ).data,
)
const reading = (deviceId: string, seq: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    deviceId,
    siteId: 'ridge-3',
    ts: `2026-08-01T12:00:0${seq}Z`,
    seq,
    temperatureC: 30 + seq,
    pm25UgM3: null,
    ...extra,
  })

describe('SDK contract', () => {
  it('keeps the connector contract against the real broker', async () => {
    await checkConnectorContract(connector, {
      validConfig: { url, topics: [`${prefix()}/#`], clean_session: true },
      invalidConfigs: [
        { url: 'http://127.0.0.1', topics: ['a'] },
        { url, topics: [] },
        { url, topics: ['a'], qos: 3 },
        { url, topics: ['a'], payload_format: 'xml' },
        { url, topics: ['a'], clientId: 'x' },
      ],
    })
  })

  it('declares its manifest', () => {
    expect(connector).toMatchObject({
      kind: 'connector',
      name: 'iot-mqtt',
      sourceTypes: ['iot_mqtt', 'iot_sensors', 'mqtt'],
      defaultTopic: 'wildfire-iot-sensors',
    })
  })
})

describe('payload formats', () => {
  it('json: records keyed by device, time and seq, with event time and MQTT headers', async () => {
    const p = prefix()
    const run = await startConnector({ url, topics: [`${p}/+/+/telemetry`], clean_session: true })
    await run.waitForLog('subscribed')
    await mosquittoPub(url, `${p}/ridge-3/ws-7/telemetry`, reading('ws-7', 1))
    await mosquittoPub(url, `${p}/ridge-3/ws-7/telemetry`, JSON.stringify({ deviceId: 'ws-7', smokePpm: 2 }), {
      qos: 0,
    })
    await run.waitFor(2)
    await run.stop()
    expect(run.error).toBeUndefined()
    expect(run.records[0]).toEqual({
      key: expect.stringMatching(/^ws-7:sensor:2026-08-01T12:00:01\.000Z:1:[0-9a-f]{16}$/),
      eventTime: '2026-08-01T12:00:01.000Z',
      value: JSON.parse(reading('ws-7', 1)),
      headers: {
        'mqtt-topic': `${p}/ridge-3/ws-7/telemetry`,
        'mqtt-qos': '1',
        'mqtt-retain': 'false',
        'event-time-source': 'payload',
        'mqtt-kind': 'sensor',
      },
    })
    expect(run.records[1]?.headers).toMatchObject({ 'mqtt-qos': '0', 'event-time-source': 'arrival' })
    expect(run.records[1]?.key).toMatch(/^ws-7:sensor:[0-9a-f]{16}$/)
    expect(run.records[1]?.eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T/)
  })

  it('tasmota: device from the topic, local Time in the configured zone, flat readings', async () => {
    const p = randomUUID()
    const run = await startConnector({
      url,
      topics: [`tele/${p}/#`],
      payload_format: 'tasmota',
      timezone: 'Europe/Berlin',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    await mosquittoPub(url, `tele/${p}/node_mcu_terrace/SENSOR`, TERRACE)
    await mosquittoPub(url, `tele/${p}/sonoff/13DC54/SENSOR`, ATC)
    await run.waitFor(2)
    await run.stop()
    expect(run.records[0]).toMatchObject({
      key: expect.stringMatching(new RegExp(`^${p}/node_mcu_terrace:sensor:2023-05-20T23:06:38\\.000Z:[0-9a-f]{16}$`)),
      eventTime: '2023-05-20T23:06:38.000Z',
      value: {
        deviceId: `${p}/node_mcu_terrace`,
        localTime: '2023-05-21T01:06:38',
        readings: { BME280_Temperature: 20.5, SDS0X1_PM2_5: 11.8, SDS0X1_PM10: 5.8, PressureUnit: 'hPa' },
      },
      headers: { 'mqtt-topic': `tele/${p}/node_mcu_terrace/SENSOR`, 'event-time-source': 'payload' },
    })
    expect(run.records[1]).toMatchObject({
      key: expect.stringMatching(new RegExp(`^${p}/sonoff/13DC54:sensor:2022-10-28T11:44:23\\.000Z:`)),
      value: { readings: { ATC04b555_Temperature: 25.1, ATC04b555_Battery: 54 } },
    })
  })

  it('ttn-v3: a real uplink published with mqtt.js', async () => {
    const p = prefix()
    const run = await startConnector({
      url,
      topics: [`${p}/v3/+/devices/+/up`],
      payload_format: 'ttn-v3',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    const publisher = await connectAsync(url)
    await publisher.publishAsync(`${p}/v3/thingsboard-ttn-demo/devices/rs261-erik-internal/up`, ttnUp, { qos: 1 })
    await publisher.endAsync()
    await run.waitFor(1)
    await run.stop()
    expect(run.records[0]).toMatchObject({
      key: expect.stringMatching(/^rs261-erik-internal:sensor:2025-11-07T08:52:14\.742Z:25:[0-9a-f]{16}$/),
      eventTime: '2025-11-07T08:52:14.742Z',
      value: { deviceId: 'rs261-erik-internal', fCnt: 25, decoded: { Temperature: 21.83 }, rssi: -69 },
      headers: { 'mqtt-qos': '1', 'mqtt-retain': 'false' },
    })
  })

  it('ttn-v3: an uplink with "rssi": "strong" is emitted with rssi null, flagged and counted', async () => {
    const p = prefix()
    const run = await startConnector({
      url,
      topics: [`${p}/v3/+/devices/+/up`],
      payload_format: 'ttn-v3',
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    const up = JSON.parse(ttnUp) as { uplink_message: { rx_metadata: Record<string, unknown>[] } }
    up.uplink_message.rx_metadata[0]!.rssi = 'strong'
    await mosquittoPub(url, `${p}/v3/thingsboard-ttn-demo/devices/rs261-erik-internal/up`, JSON.stringify(up))
    await mosquittoPub(
      url,
      `${p}/v3/thingsboard-ttn-demo/devices/rs261-erik-internal/up`,
      ttnUp.replace('"f_cnt":25', '"f_cnt":26'),
    )
    await run.waitFor(2)
    await run.stop()
    expect(run.error).toBeUndefined()
    expect(run.records[0]).toMatchObject({
      key: expect.stringMatching(/^rs261-erik-internal:sensor:2025-11-07T08:52:14\.742Z:25:[0-9a-f]{16}$/),
      value: {
        rssi: null,
        snr: 8.25,
        invalidFields: [
          {
            field: 'uplink_message.rx_metadata[0].rssi',
            problem: '"strong", expected a finite number',
            value: 'strong',
          },
        ],
      },
      headers: { 'firefront.altered': 'type:uplink_message.rx_metadata[].rssi', 'mqtt-topic': expect.any(String) },
    })
    // the well-formed one next to it: no flag
    expect(run.records[1]?.value).toMatchObject({ fCnt: 26, rssi: -69 })
    expect(run.records[1]?.value).not.toHaveProperty('invalidFields')
    expect(run.records[1]?.headers).not.toHaveProperty('firefront.altered')
    expect(run.fake.samples.filter((s) => s.name === 'mqtt_fields_invalid_total')).toEqual([
      {
        kind: 'counter',
        name: 'mqtt_fields_invalid_total',
        value: 1,
        labels: { format: 'ttn-v3', field: 'uplink_message.rx_metadata[].rssi' },
      },
    ])
    expect(run.fake.metrics.get('mqtt_records_emitted_total')).toBe(2)
    expect(run.fake.rejected).toEqual([])
  })

  it('raw: text and binary payloads with their topic', async () => {
    const p = prefix()
    const run = await startConnector({ url, topics: [`${p}/#`], payload_format: 'raw', clean_session: true })
    await run.waitForLog('subscribed')
    const publisher = await connectAsync(url)
    await publisher.publishAsync(`${p}/a`, 'plain text', { qos: 1 })
    await publisher.publishAsync(`${p}/b`, Buffer.from([0xff, 0x00, 0x81]), { qos: 1 })
    await publisher.endAsync()
    await run.waitFor(2)
    await run.stop()
    expect(run.records.map((r) => [withoutDigest(r.key), r.value])).toEqual([
      [`${p}/a`, { topic: `${p}/a`, encoding: 'utf8', payload: 'plain text' }],
      [`${p}/b`, { topic: `${p}/b`, encoding: 'base64', payload: '/wCB' }],
    ])
  })
})

describe('delivery', () => {
  it('rejects a malformed payload through ctx.reject and delivers the next one', async () => {
    const p = prefix()
    const run = await startConnector({ url, topics: [`${p}/#`], clean_session: true })
    await run.waitForLog('subscribed')
    await mosquittoPub(url, `${p}/ws-1`, '{"deviceId": "ws-1", "ts": ')
    await mosquittoPub(url, `${p}/ws-1`, '{"temperatureC": 20}')
    await mosquittoPub(url, `${p}/ws-1`, '{"deviceId": "ws-1", "ts": "noon"}')
    await mosquittoPub(url, `${p}/ws-1`, reading('ws-1', 2))
    await run.waitFor(1)
    await run.stop()
    expect(run.records.map((r) => withoutDigest(r.key))).toEqual(['ws-1:sensor:2026-08-01T12:00:02.000Z:2'])
    expect(run.fake.rejected).toEqual([
      { reason: expect.stringMatching(/^invalid JSON/), input: '{"deviceId": "ws-1", "ts": ', location: `${p}/ws-1` },
      { reason: 'missing deviceId', input: '{"temperatureC": 20}', location: `${p}/ws-1` },
      {
        reason: expect.stringMatching(/^ts "noon"/),
        input: '{"deviceId": "ws-1", "ts": "noon"}',
        location: `${p}/ws-1`,
      },
    ])
    expect(run.fake.metrics.get('mqtt_payloads_rejected_total')).toBe(3)
  })

  it('dead-letters a payload over max_payload_bytes with its size and a preview, and delivers the next', async () => {
    const p = prefix()
    const run = await startConnector({ url, topics: [`${p}/#`], clean_session: true, max_payload_bytes: 64 * 1024 })
    await run.waitForLog('subscribed')
    const publisher = await connectAsync(url)
    try {
      const big = Buffer.alloc(2 * 1024 * 1024, 'x')
      big.write('{"deviceId":"ws-1","blob":"')
      await publisher.publishAsync(`${p}/ws-1`, big, { qos: 1 })
      await publisher.publishAsync(`${p}/ws-1`, reading('ws-1', 3), { qos: 1 })
    } finally {
      await publisher.endAsync()
    }
    await run.waitFor(1)
    await run.stop()
    expect(run.records.map((r) => withoutDigest(r.key))).toEqual(['ws-1:sensor:2026-08-01T12:00:03.000Z:3'])
    expect(run.fake.rejected).toEqual([
      {
        reason: `payload of ${2 * 1024 * 1024} bytes is over max_payload_bytes (65536)`,
        input: {
          size: 2 * 1024 * 1024,
          max_payload_bytes: 65536,
          preview: `{"deviceId":"ws-1","blob":"${'x'.repeat(229)}`,
        },
        location: `${p}/ws-1`,
      },
    ])
    expect(run.fake.metrics.get('mqtt_payloads_oversize_total')).toBe(1)
    expect(run.fake.metrics.get('mqtt_payloads_rejected_total')).toBeUndefined()
  })

  it('rejects a JSON payload holding bytes that are not UTF-8, keeping its bytes', async () => {
    const p = prefix()
    const run = await startConnector({ url, topics: [`${p}/#`], clean_session: true })
    await run.waitForLog('subscribed')
    const bad = Buffer.concat([Buffer.from('{"deviceId":"ws-'), Buffer.from([0xff]), Buffer.from('1","smokePpm":2}')])
    const publisher = await connectAsync(url)
    try {
      await publisher.publishAsync(`${p}/ws-1`, bad, { qos: 1 })
      await publisher.publishAsync(`${p}/ws-1`, reading('ws-1', 4), { qos: 1 })
    } finally {
      await publisher.endAsync()
    }
    await run.waitFor(1)
    await run.stop()
    expect(run.records).toHaveLength(1)
    expect(run.fake.rejected).toEqual([
      {
        reason: 'the payload is not valid UTF-8 (1 bad byte sequence(s), the first at byte 16)',
        input: { base64: bad.toString('base64'), text: '{"deviceId":"ws-\uFFFD1","smokePpm":2}' },
        location: `${p}/ws-1`,
      },
    ])
  })

  it('drops a duplicate of a record already emitted', async () => {
    const p = prefix()
    const run = await startConnector({ url, topics: [`${p}/#`], clean_session: true })
    await run.waitForLog('subscribed')
    await mosquittoPub(url, `${p}/ws-1`, reading('ws-1', 1))
    await mosquittoPub(url, `${p}/ws-1`, reading('ws-1', 1))
    await mosquittoPub(url, `${p}/ws-1`, reading('ws-1', 2))
    await run.waitFor(2)
    await run.stop()
    expect(run.records.map((r) => withoutDigest(r.key))).toEqual([
      'ws-1:sensor:2026-08-01T12:00:01.000Z:1',
      'ws-1:sensor:2026-08-01T12:00:02.000Z:2',
    ])
    expect(run.fake.metrics.get('mqtt_duplicates_total')).toBe(1)
  })

  it.each([4, 5] as const)(
    'persistent session (MQTT %i): QoS 1 messages published while stopped arrive on restart',
    async (protocol_version) => {
      const p = prefix()
      const config = { url, topics: [`${p}/#`], protocol_version, client_id: `firefront-test-${randomUUID()}` }
      const first = await startConnector(config)
      await first.waitForLog('subscribed')
      await first.stop()
      for (const seq of [1, 2, 3]) await mosquittoPub(url, `${p}/ws-9`, reading('ws-9', seq))
      const second = await startConnector(config)
      await second.waitFor(3)
      await second.stop()
      expect(second.records.map((r) => withoutDigest(r.key))).toEqual(
        [1, 2, 3].map((s) => `ws-9:sensor:2026-08-01T12:00:0${s}.000Z:${s}`),
      )
      expect(second.fake.logs.find((l) => l.msg === 'connected to the MQTT broker')?.fields.sessionPresent).toBe(true)
      // Clean up the session on the broker.
      const cleaner = await connectAsync(url, { clientId: config.client_id, clean: true })
      await cleaner.endAsync()
    },
  )

  it('acknowledges only what was handed over: a message whose emit never finished is delivered again', async () => {
    const p = prefix()
    const config = { url, topics: [`${p}/#`], client_id: `firefront-test-${randomUUID()}` }
    let stuck = 0
    const first = await startConnector(config, {
      emit: () => {
        stuck++
        return new Promise<void>(() => {})
      },
    })
    await first.waitForLog('subscribed')
    await mosquittoPub(url, `${p}/ws-5`, reading('ws-5', 1))
    for (let i = 0; i < 500 && stuck === 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(stuck).toBe(1)
    await first.stop()
    expect(first.records).toEqual([])
    const second = await startConnector(config)
    await second.waitFor(1)
    await second.stop()
    expect(second.records.map((r) => withoutDigest(r.key))).toEqual(['ws-5:sensor:2026-08-01T12:00:01.000Z:1'])
    const cleaner = await connectAsync(url, { clientId: config.client_id, clean: true })
    await cleaner.endAsync()
  })

  it('ends the subscription as retryable when a record cannot be handed over; it comes back on resubscribe', async () => {
    const p = prefix()
    const config = { url, topics: [`${p}/#`], client_id: `firefront-test-${randomUUID()}` }
    const first = await startConnector(config, {
      emit: async () => {
        throw new Error('queue full')
      },
    })
    await first.waitForLog('subscribed')
    await mosquittoPub(url, `${p}/ws-6`, reading('ws-6', 1))
    await first.done
    expect(first.error).toMatchObject({ code: 'ERR_RETRYABLE', message: expect.stringContaining('queue full') })
    await first.instance.close?.()
    const second = await startConnector(config)
    await second.waitFor(1)
    await second.stop()
    expect(second.records.map((r) => withoutDigest(r.key))).toEqual(['ws-6:sensor:2026-08-01T12:00:01.000Z:1'])
    const cleaner = await connectAsync(url, { clientId: config.client_id, clean: true })
    await cleaner.endAsync()
  })

  it('keeps retained messages with the retain header, or drops them with ignore_retained', async () => {
    const p = prefix()
    await mosquittoPub(url, `${p}/status/ws-1`, reading('ws-1', 1), { retain: true })
    try {
      const kept = await startConnector({ url, topics: [`${p}/#`], clean_session: true })
      await kept.waitFor(1)
      await kept.stop()
      expect(kept.records[0]?.headers).toMatchObject({ 'mqtt-retain': 'true' })

      const ignored = await startConnector({ url, topics: [`${p}/#`], clean_session: true, ignore_retained: true })
      await ignored.waitForLog('subscribed')
      await mosquittoPub(url, `${p}/live/ws-1`, reading('ws-1', 2))
      await ignored.waitFor(1)
      await ignored.stop()
      expect(ignored.records.map((r) => [withoutDigest(r.key), r.headers?.['mqtt-retain']])).toEqual([
        ['ws-1:sensor:2026-08-01T12:00:02.000Z:2', 'false'],
      ])
      expect(ignored.fake.metrics.get('mqtt_retained_ignored_total')).toBe(1)
    } finally {
      await mosquittoPub(url, `${p}/status/ws-1`, null, { retain: true })
    }
  })
})

describe('connection errors', () => {
  let secured: OwnMosquitto
  beforeAll(async () => {
    secured = await startMosquitto({ password: 'right-password' })
  })
  afterAll(() => secured.stop())

  it('warns when the broker grants a lower QoS than asked, naming the filter', async () => {
    const broker = await startMosquitto({ extra: 'max_qos 1\n' })
    try {
      const run = await startConnector({ url: broker.url, topics: [{ filter: 'sensors/#', qos: 2 }, 'other/#'] })
      await run.waitForLog('subscribed')
      await run.stop()
      expect(run.error).toBeUndefined()
      expect(run.fake.logs.filter((l) => l.msg === 'the broker downgraded the subscription QoS')).toEqual([
        expect.objectContaining({
          level: 40,
          fields: expect.objectContaining({ filter: 'sensors/#', requested: 2, granted: 1 }),
        }),
      ])
    } finally {
      broker.stop()
    }
  })

  it('a refused connection (nothing listening) is retryable', async () => {
    const run = await startConnector({ url: 'mqtt://127.0.0.1:1', topics: ['a/#'], clean_session: true })
    await run.done
    expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', message: expect.stringContaining('ECONNREFUSED') })
  })

  it('a broker that never answers CONNACK is retryable after connect_timeout_seconds', async () => {
    const sockets: Socket[] = []
    const silent = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as AddressInfo
    try {
      const run = await startConnector({
        url: `mqtt://127.0.0.1:${port}`,
        topics: ['a/#'],
        connect_timeout_seconds: 0.3,
        clean_session: true,
      })
      await run.done
      expect(run.error).toMatchObject({ code: 'ERR_RETRYABLE', message: expect.stringContaining('connack timeout') })
    } finally {
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  })

  it('refused credentials are a configuration error, and the password is never logged', async () => {
    const run = await startConnector({
      url: secured.url,
      topics: ['allowed/#'],
      username: 'sensor',
      password: 'wrong-password',
      clean_session: true,
    })
    await run.done
    expect(run.error).toMatchObject({ code: 'ERR_CONNECTOR_CONFIG', message: expect.stringMatching(/CONNACK code 5/) })
    expect(JSON.stringify(run.fake.logs)).not.toContain('wrong-password')
    expect((run.error as Error).message).not.toContain('wrong-password')
  })

  it('reconnects after the broker restarts, resubscribes and counts the reconnects', async () => {
    const broker = await startMosquitto()
    try {
      const run = await startConnector({ url: broker.url, topics: ['sensors/#'] })
      await run.waitForLog('subscribed')
      await broker.restart()
      await run.waitForLog('reconnected to the MQTT broker')
      // The resubscription is not observable from outside: publish until it is in place; the
      // copies that arrive are deduplicated.
      for (let i = 0; i < 50 && run.records.length === 0; i++) {
        await mosquittoPub(broker.url, 'sensors/ws-1', reading('ws-1', 1))
        await new Promise((r) => setTimeout(r, 100))
      }
      await run.waitFor(1)
      await run.stop()
      expect(run.error).toBeUndefined()
      expect(run.records.map((r) => withoutDigest(r.key))).toEqual(['ws-1:sensor:2026-08-01T12:00:01.000Z:1'])
      expect(run.fake.metrics.get('mqtt_reconnects_total')).toBeGreaterThanOrEqual(1)
      expect(run.fake.logs.some((l) => l.msg === 'MQTT connection lost')).toBe(true)
    } finally {
      broker.stop()
    }
  })

  it('ends as a configuration error when the broker refuses the credentials on a reconnect', async () => {
    const broker = await startMosquitto({ password: 'first-password' })
    try {
      const run = await startConnector({
        url: broker.url,
        topics: ['sensors/#'],
        username: 'sensor',
        password: 'first-password',
      })
      await run.waitForLog('subscribed')
      await broker.restart('rotated-password')
      await run.done
      expect(run.error).toMatchObject({
        code: 'ERR_CONNECTOR_CONFIG',
        message: expect.stringMatching(/CONNACK code 5/),
      })
      await run.instance.close?.()
      expect(JSON.stringify(run.fake.logs)).not.toContain('first-password')
    } finally {
      broker.stop()
    }
  })
})
