import { readFileSync, readdirSync } from 'node:fs'
import { HEADERS } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { type PayloadFormat, normalise, toRecord } from '../src/index'

const dir = new URL('./fixtures/', import.meta.url)
const read = (name: string) => readFileSync(new URL(name, dir))

/** Each fixture with the format and topic it is published in; a fixture not listed here fails the test. */
const FIXTURES: Record<string, { format: PayloadFormat; topic: string; payload?: (text: Buffer) => Buffer }[]> = {
  'ttn_v3_as_up_data_forward_ezurio_rs26x_temperature.json': [
    // the whole as.up.data.forward event, and its ApplicationUp message as published on …/up
    { format: 'ttn-v3', topic: 'v3/thingsboard-ttn-demo/devices/rs261-erik-internal/up' },
    {
      format: 'ttn-v3',
      topic: 'v3/thingsboard-ttn-demo/devices/rs261-erik-internal/up',
      payload: (text) => Buffer.from(JSON.stringify((JSON.parse(text.toString('utf8')) as { data: unknown }).data)),
    },
  ],
  'ttn_v3_uplink_normalized_two_gateways.json': [
    { format: 'ttn-v3', topic: 'v3/thingsboard-ttn-demo@ttn/devices/rs261-erik-internal/up' },
  ],
  'tasmota_bme280_sds011_SENSOR.json': [{ format: 'tasmota', topic: 'tele/ridge_station/SENSOR' }],
  'tasmota_ble_atc_SENSOR.json': [{ format: 'tasmota', topic: 'tele/ble_gw/SENSOR' }],
  'firefront_json_readme_ws-7.json': [{ format: 'json', topic: 'sensors/ridge-3/ws-7/telemetry' }],
}

const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
const FORMATS: PayloadFormat[] = ['json', 'tasmota', 'ttn-v3', 'raw']

describe('real, well-formed payloads are not flagged', () => {
  it('every fixture is listed with its format', () => {
    expect(files.sort()).toEqual(Object.keys(FIXTURES).sort())
  })

  it.each(
    files.flatMap((file) =>
      (FIXTURES[file] ?? []).map((c, i) => [`${file} #${i + 1} (${c.format})`, file, c] as const),
    ),
  )('%s', (_name, file, c) => {
    const payload = c.payload ? c.payload(read(file)) : read(file)
    for (const format of [c.format, 'raw' as const]) {
      const r = normalise(format, { topic: c.topic, payload }, { timezone: 'Europe/Berlin' })
      expect(r.ok, r.ok ? '' : r.reason).toBe(true)
      if (!r.ok) return
      expect(r.data.invalidFields).toBeUndefined()
      expect(r.data.value).not.toHaveProperty('invalidFields')
      const record = toRecord(r.data, { topic: c.topic, qos: 1, retain: false }, 0, 'k')
      expect(record.headers).not.toHaveProperty(HEADERS.altered)
    }
  })

  it('covers every payload format', () => {
    const covered = new Set(Object.values(FIXTURES).flatMap((cs) => cs.map((c) => c.format)))
    // raw reads every fixture above too
    expect([...covered, 'raw'].sort()).toEqual([...FORMATS].sort())
  })
})
