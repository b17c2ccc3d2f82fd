import { type JsonValue, decodeUtf8 } from '@firefront/sdk'
import { TASMOTA_FULL_TOPIC, parseTopicTemplate } from '../topic-template'
import { FieldReader, type InvalidField, type Obj, described, invalidFieldsJson, isObj, jsonType } from './fields'
import {
  LOCALISED_NAMES,
  PRESSURE_READINGS,
  READING_UNITS,
  TEMPERATURE_READINGS,
  TEMP_UNIT_SYMBOL,
  TIME_KEYS,
  toMetric,
} from './tasmota-names'
import { localToUtc } from './time'
import {
  type MessageKind,
  type MqttMessage,
  type NormaliseOptions,
  type NormaliseResult,
  type Normalised,
  fail,
  parseObject,
} from './types'

/**
 * The device id of a Tasmota topic under its default FullTopic (`%prefix%/%topic%/`): the levels
 * between the prefix and the last level (`SENSOR`, `STATE`), so `tele/sonoff/13DC54/SENSOR`
 * gives `sonoff/13DC54`. Undefined when the topic does not fit.
 */
export function tasmotaDevice(topic: string): string | undefined {
  const match = DEFAULT_TEMPLATE.match(topic)
  return typeof match === 'string' ? undefined : match.device
}

const DEFAULT_TEMPLATE = parseTopicTemplate(TASMOTA_FULL_TOPIC)

/**
 * The kind of a Tasmota message, from its prefix and last topic level: `SENSOR` (and v5's
 * `ENERGY`) readings, `STATE`/`POWER<n>`/`UPTIME` state, `INFO1`–`INFO3`, `RESULT`, `STATUS<n>`,
 * `LWT` (last will), anything under the command prefix, and `other` (`MARGINS`...).
 */
export function tasmotaKind(kindLevel: string, prefix?: string): MessageKind {
  if (prefix === 'cmnd') return 'command'
  const k = kindLevel.toUpperCase()
  if (k === 'SENSOR' || k === 'ENERGY') return 'sensor'
  if (k === 'STATE' || k === 'UPTIME' || /^POWER\d*$/.test(k)) return 'state'
  if (/^INFO\d$/.test(k)) return 'info'
  if (k === 'RESULT') return 'result'
  if (/^STATUS\d*$/.test(k)) return 'status'
  if (k === 'LWT') return 'lwt'
  return 'other'
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

/** The payload's own time: a top-level time key, or one inside a `Status…` answer (`StatusSNS.Time`). */
function findTime(body: Obj): { key: string; value: JsonValue } | undefined {
  for (const key of TIME_KEYS) if (body[key] !== undefined && body[key] !== null) return { key, value: body[key] }
  for (const [outer, inner] of Object.entries(body)) {
    if (!outer.startsWith('Status') || !isObj(inner)) continue
    for (const key of TIME_KEYS) {
      if (inner[key] !== undefined && inner[key] !== null) return { key: `${outer}.${key}`, value: inner[key] }
    }
  }
  return undefined
}

/**
 * The body without its time; a `StatusSNS` answer (STATUS8, STATUS10) unwrapped to its readings,
 * so they are named as in a SENSOR message.
 */
function withoutTime(body: Obj, timeKey: string | undefined): Obj {
  const [outer, inner] = timeKey?.includes('.') ? (timeKey.split('.') as [string, string]) : [undefined, timeKey]
  const drop = (o: Obj, key: string | undefined): Obj =>
    Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))
  if (outer === undefined) return drop(body, inner)
  const nested = drop(body[outer] as Obj, inner)
  if (outer === 'StatusSNS' && Object.keys(body).length === 1) return nested
  return { ...body, [outer]: nested }
}

/** English names for localised keys, noting each one renamed (flat name → original flat name). */
function english(body: Obj, renamed: Record<string, string>, path: string[] = []): Obj {
  const out: Obj = {}
  for (const [k, v] of Object.entries(body)) {
    const name = LOCALISED_NAMES[k] ?? k
    if (name !== k && !isObj(v)) renamed[fieldName(...path, name)] = fieldName(...path, k)
    out[name] = isObj(v) ? english(v, renamed, [...path, name]) : v
  }
  return out
}

/** Units of the flat readings, from the reading names and the payload's `TempUnit`/`PressureUnit`. */
function unitsOf(
  body: Obj,
  path: string[],
  tempUnit: string | undefined,
  pressureUnit: string | undefined,
  out: Record<string, string>,
): void {
  for (const [k, v] of Object.entries(body)) {
    if (isObj(v)) {
      unitsOf(v, [...path, k], tempUnit, pressureUnit, out)
      continue
    }
    if (!numeric(v)) continue
    // STATE's Wifi block: RSSI is Tasmota's signal quality in %, Signal the dBm.
    const wifi = path[path.length - 1] === 'Wifi'
    const unit = wifi
      ? ({ RSSI: '%', Signal: 'dBm' } as Record<string, string>)[k]
      : TEMPERATURE_READINGS.has(k)
        ? tempUnit
        : PRESSURE_READINGS.has(k)
          ? pressureUnit
          : READING_UNITS[k]
    if (unit !== undefined) out[fieldName(...path, k)] = unit
  }
}

/**
 * A Tasmota payload, of any kind its topic names (see {@link tasmotaKind}). The device id comes
 * from the topic through the configured template (Tasmota's FullTopic by default). The payload's
 * own time (`Time`, v5's localised `Zeit`/`Tijd`/`Czas` with `YYYY.MM.DD HH:MM:SS`, or nested as
 * `StatusSNS.Time`) is local time without an offset, read in `timezone`. Readings are nested by
 * sensor model and keys may hold dots (`PM2.5`): they become flat fields (`BME280_Temperature`,
 * `SDS0X1_PM2_5`), localised names are given their English name (the original kept in
 * `originalNames`), and each numeric reading gets its unit in `units`; with `normaliseUnits`, °F
 * and mmHg/inHg readings are converted to °C and hPa, the originals kept in `originalReadings`.
 * `LWT` payloads are plain text (`Online`/`Offline`) and become device-status records.
 * A reading of {@link TASMOTA_NUMERIC_READINGS} that is not a number reads as null and is listed
 * in `invalidFields`; a time that is not a date-time string rejects the payload.
 */
export function normaliseTasmota(message: MqttMessage, options: NormaliseOptions): NormaliseResult {
  const template = options.topicTemplate ?? DEFAULT_TEMPLATE
  const where = template.match(message.topic)
  if (typeof where === 'string') return fail(`no device id: ${where}`)
  const deviceId = where.device
  const kind = tasmotaKind(where.kind, where.prefix)
  const timezone = options.deviceTimezones?.[deviceId] ?? options.timezone
  const base = { deviceId, kind, topicKind: where.kind, timezone }
  if (kind === 'lwt' || (kind === 'state' && /^POWER\d*$/i.test(where.kind))) {
    const text = plainText(message.payload)
    if (text !== undefined) return { ok: true, data: statusRecord(base, text) }
  }
  const body = parseObject(message.payload)
  if (typeof body === 'string') return fail(`${where.kind}: ${body}`)
  const time = findTime(body)
  let ts: string | undefined
  if (time) {
    // The event time and the record key come from the time: one that cannot be read rejects the payload.
    if (typeof time.value !== 'string') {
      return fail(`${time.key} is ${described(time.value)}, expected a local date-time string`)
    }
    ts = localToUtc(time.value, timezone)
    if (!ts) return fail(`${time.key} ${JSON.stringify(time.value)} is not a date-time`)
  }
  const renamed: Record<string, string> = {}
  const rest = english(withoutTime(body, time?.key), renamed)
  const reader = new FieldReader()
  const readings: Record<string, JsonValue> = {}
  for (const [k, v] of Object.entries(rest)) flatten([k], v, readings, reader)
  // Without TempUnit/PressureUnit (v5 builds had no PressureUnit), Tasmota's defaults apply: °C and hPa.
  const tempUnit = typeof rest.TempUnit === 'string' ? (TEMP_UNIT_SYMBOL[rest.TempUnit] ?? rest.TempUnit) : '°C'
  const pressureUnit = typeof rest.PressureUnit === 'string' ? rest.PressureUnit : 'hPa'
  const units: Record<string, string> = {}
  unitsOf(rest, [], tempUnit, pressureUnit, units)
  const originalReadings: Record<string, JsonValue> = {}
  if (options.normaliseUnits) {
    for (const [name, unit] of Object.entries(units)) {
      const v = readings[name]
      const metric = typeof v === 'number' ? toMetric(v, unit) : undefined
      if (!metric) continue
      originalReadings[name] = { value: v as number, unit }
      readings[name] = metric.value
      units[name] = metric.unit
    }
  }
  const invalidFields: readonly InvalidField[] | undefined = reader.result()
  const value: Record<string, JsonValue> = {
    ...base,
    ts: ts ?? null,
    localTime: typeof time?.value === 'string' ? time.value : null,
    timeSource: ts ? 'payload' : 'arrival',
  }
  if (time && time.key !== 'Time') value.timeKey = time.key
  value.readings = readings
  value.units = units
  if (Object.keys(renamed).length > 0) value.originalNames = renamed
  if (Object.keys(originalReadings).length > 0) value.originalReadings = originalReadings
  if (invalidFields) value.invalidFields = invalidFieldsJson(invalidFields)
  return { ok: true, data: { deviceId, kind, ts, invalidFields, value } }
}

/** A plain-text payload (not JSON), trimmed; undefined for JSON or bytes that are not UTF-8. */
function plainText(payload: Buffer): string | undefined {
  const { text, invalid } = decodeUtf8(payload)
  const t = text.trim()
  if (invalid || t.startsWith('{') || t.startsWith('[')) return undefined
  return t
}

/** A last-will (`Online`/`Offline`) or `POWER` (`ON`/`OFF`) text as a device-status record; no time of its own. */
function statusRecord(
  base: { deviceId: string; kind: MessageKind; topicKind: string; timezone: string },
  text: string,
): Normalised {
  const lower = text.toLowerCase()
  const status =
    base.kind === 'lwt'
      ? lower === 'online' || lower === 'offline'
        ? lower
        : null
      : lower === 'on' || lower === 'off'
        ? lower
        : null
  const value: Obj = { ...base, ts: null, timeSource: 'arrival', status, payload: text }
  return { deviceId: base.deviceId, kind: base.kind, value }
}
