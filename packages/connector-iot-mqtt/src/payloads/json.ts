import type { JsonValue } from '@firefront/sdk'
import { FieldReader, described, invalidFieldsJson } from './fields'
import { rfc3339ToUtc } from './time'
import { type MqttMessage, type NormaliseResult, fail, parseObject } from './types'

/** Fields of the schema that are not readings. */
const SCHEMA_FIELDS = new Set(['deviceId', 'siteId', 'ts', 'seq'])

/**
 * Firefront's own sensor schema: `deviceId`, optional `siteId`, `ts` (RFC 3339), optional `seq`,
 * and readings named with their unit: a number, or `null` when missing. The object is kept as it
 * is, except that a field of the wrong type (a `siteId` that is not a string, a reading that is not
 * a number) reads as null and is listed in `invalidFields`. A `deviceId`, `ts` or `seq` that
 * cannot be read rejects the payload: the record key is made of them.
 */
export function normaliseJson(message: MqttMessage): NormaliseResult {
  const body = parseObject(message.payload)
  if (typeof body === 'string') return fail(body)
  const { deviceId, siteId, ts, seq } = body
  if (deviceId === undefined || deviceId === null || (typeof deviceId === 'string' && deviceId.trim() === '')) {
    return fail('missing deviceId')
  }
  if (typeof deviceId !== 'string') return fail(`deviceId is ${described(deviceId)}, expected a string`)
  // Firefront lists altered fields under this name; a payload's own would be mistaken for (or lost among) them.
  if ('invalidFields' in body) return fail('invalidFields is reserved: Firefront lists fields of the wrong type there')
  let utc: string | undefined
  if (ts !== undefined && ts !== null) {
    if (typeof ts !== 'string') return fail(`ts is ${described(ts)}, expected an RFC 3339 date-time string`)
    utc = rfc3339ToUtc(ts)
    if (!utc) return fail(`ts ${JSON.stringify(ts)} is not an RFC 3339 date-time`)
  }
  if (seq !== undefined && seq !== null) {
    if (typeof seq !== 'number') return fail(`seq is ${described(seq)}, expected a non-negative integer`)
    if (!Number.isSafeInteger(seq) || seq < 0) return fail(`seq ${seq} is not a non-negative integer`)
  }
  const reader = new FieldReader()
  // fromEntries, not assignment: a `__proto__` key stays an own field.
  const value: { [key: string]: JsonValue } = Object.fromEntries(
    Object.entries(body).map(([k, v]): [string, JsonValue] => [
      k,
      k === 'siteId' ? reader.string(k, siteId) : SCHEMA_FIELDS.has(k) ? v : reader.number(k, v),
    ]),
  )
  const invalidFields = reader.result()
  if (invalidFields) value.invalidFields = invalidFieldsJson(invalidFields)
  return {
    ok: true,
    data: { deviceId, kind: 'sensor', ts: utc, seq: typeof seq === 'number' ? seq : undefined, invalidFields, value },
  }
}
