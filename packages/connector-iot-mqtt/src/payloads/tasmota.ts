import type { JsonValue } from '@firefront/sdk'
import { FieldReader, type InvalidField, described, invalidFieldsJson, jsonType } from './fields'
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

/**
 * Readings Tasmota always prints as JSON numbers (its `D_JSON_*` names for measured quantities):
 * `null` when the sensor gave no value (NaN), an array for multi-channel meters (`"Power":[0,12]`).
 * Other fields may be text (`TempUnit`, `Id`, `mac`, switch states) and are kept as sent.
 */
export const TASMOTA_NUMERIC_READINGS: ReadonlySet<string> = new Set([
  'Temperature',
  'Humidity',
  'DewPoint',
  'Pressure',
  'SeaPressure',
  'Gas',
  'CarbonDioxide',
  'eCO2',
  'TVOC',
  'Illuminance',
  'Light',
  'Noise',
  'UvIndex',
  'PM1',
  'PM2.5',
  'PM10',
  'Voltage',
  'Current',
  'Power',
  'ApparentPower',
  'ReactivePower',
  'Factor',
  'Frequency',
  'Total',
  'Yesterday',
  'Today',
  'Distance',
  'Moisture',
  'Battery',
  'RSSI',
  'Speed',
  'Direction',
])

const numeric = (v: JsonValue): boolean =>
  v === null || typeof v === 'number' || (Array.isArray(v) && v.every((x) => x === null || typeof x === 'number'))

function flatten(path: string[], value: JsonValue, out: Record<string, JsonValue>, reader: FieldReader): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten([...path, k], v, out, reader)
    return
  }
  const key = path[path.length - 1] as string
  if (TASMOTA_NUMERIC_READINGS.has(key) && !numeric(value)) {
    reader.note(path.join('.'), `${jsonType(value)}, expected a number`, value)
    out[fieldName(...path)] = null
  } else {
    out[fieldName(...path)] = value
  }
}

/**
 * A Tasmota `tele/<device>/SENSOR` payload: `Time` is local time without an offset (read in
 * `timezone`), readings are nested by sensor model and keys may hold dots (`PM2.5`). Readings
 * become flat fields (`BME280_Temperature`, `SDS0X1_PM2_5`); the device id comes from the topic.
 * A reading of {@link TASMOTA_NUMERIC_READINGS} that is not a number reads as null and is listed in
 * `invalidFields`; a `Time` that is not a date-time string rejects the payload.
 */
export function normaliseTasmota(message: MqttMessage, options: NormaliseOptions): NormaliseResult {
  const body = parseObject(message.payload)
  if (typeof body === 'string') return fail(body)
  const deviceId = tasmotaDevice(message.topic)
  if (!deviceId) return fail('no device id in the topic')
  const { Time, ...rest } = body
  let ts: string | undefined
  if (Time !== undefined && Time !== null) {
    // The event time and the record key come from Time: one that cannot be read rejects the payload.
    if (typeof Time !== 'string') return fail(`Time is ${described(Time)}, expected a local date-time string`)
    ts = localToUtc(Time, options.timezone)
    if (!ts) return fail(`Time ${JSON.stringify(Time)} is not a date-time`)
  }
  const reader = new FieldReader()
  const readings: Record<string, JsonValue> = {}
  for (const [k, v] of Object.entries(rest)) flatten([k], v, readings, reader)
  const invalidFields: readonly InvalidField[] | undefined = reader.result()
  const value: Record<string, JsonValue> = {
    deviceId,
    ts: ts ?? null,
    localTime: typeof Time === 'string' ? Time : null,
  }
  value.timezone = options.timezone
  value.readings = readings
  if (invalidFields) value.invalidFields = invalidFieldsJson(invalidFields)
  return { ok: true, data: { deviceId, ts, invalidFields, value } }
}
