import type { JsonValue } from '@firefront/sdk'
import { localToUtc } from './time'
import { type MqttMessage, type NormaliseOptions, type NormaliseResult, fail, parseObject } from './types'

/**
 * The device id of a Tasmota topic: the levels between the `tele` prefix and the last level
 * (`SENSOR`, `STATE`), so `tele/sonoff/13DC54/SENSOR` gives `sonoff/13DC54`.
 */
export function tasmotaDevice(topic: string): string | undefined {
  const levels = topic.split('/')
  levels.pop()
  if (levels[0] === 'tele' || levels[0] === 'stat') levels.shift()
  const device = levels.join('/')
  return device === '' ? undefined : device
}

/** A flat field name: sensor and reading joined by `_`, other characters (`.`, spaces) as `_`. */
export const fieldName = (...parts: string[]): string => parts.map((p) => p.replace(/[^A-Za-z0-9]+/g, '_')).join('_')

function flatten(prefix: string[], value: JsonValue, out: Record<string, JsonValue>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten([...prefix, k], v, out)
  } else {
    out[fieldName(...prefix)] = value
  }
}

/**
 * A Tasmota `tele/<device>/SENSOR` payload: `Time` is local time without an offset (read in
 * `timezone`), readings are nested by sensor model and keys may hold dots (`PM2.5`). Readings
 * become flat fields (`BME280_Temperature`, `SDS0X1_PM2_5`); the device id comes from the topic.
 */
export function normaliseTasmota(message: MqttMessage, options: NormaliseOptions): NormaliseResult {
  const body = parseObject(message.payload)
  if (typeof body === 'string') return fail(body)
  const deviceId = tasmotaDevice(message.topic)
  if (!deviceId) return fail('no device id in the topic')
  const { Time, ...rest } = body
  let ts: string | undefined
  if (Time !== undefined) {
    ts = localToUtc(Time, options.timezone)
    if (!ts) return fail(`Time ${JSON.stringify(Time)} is not a date-time`)
  }
  const readings: Record<string, JsonValue> = {}
  for (const [k, v] of Object.entries(rest)) flatten([k], v, readings)
  const value: Record<string, JsonValue> = {
    deviceId,
    ts: ts ?? null,
    localTime: typeof Time === 'string' ? Time : null,
  }
  value.timezone = options.timezone
  value.readings = readings
  return { ok: true, data: { deviceId, ts, value } }
}
