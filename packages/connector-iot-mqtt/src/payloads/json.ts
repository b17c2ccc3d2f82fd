import { rfc3339ToUtc } from './time'
import { type MqttMessage, type NormaliseResult, fail, parseObject } from './types'

/**
 * Firefront's own sensor schema: `deviceId`, optional `siteId`, `ts` (RFC 3339), optional `seq`,
 * unit-suffixed numeric readings, `null` for missing ones. The object is kept as it is.
 */
export function normaliseJson(message: MqttMessage): NormaliseResult {
  const body = parseObject(message.payload)
  if (typeof body === 'string') return fail(body)
  const { deviceId, siteId, ts, seq } = body
  if (typeof deviceId !== 'string' || deviceId.trim() === '') return fail('missing deviceId')
  if (siteId !== undefined && siteId !== null && typeof siteId !== 'string') return fail('siteId is not a string')
  let utc: string | undefined
  if (ts !== undefined && ts !== null) {
    utc = rfc3339ToUtc(ts)
    if (!utc) return fail(`ts ${JSON.stringify(ts)} is not an RFC 3339 date-time`)
  }
  if (seq !== undefined && seq !== null && !(typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0)) {
    return fail(`seq ${JSON.stringify(seq)} is not a non-negative integer`)
  }
  return { ok: true, data: { deviceId, ts: utc, seq: typeof seq === 'number' ? seq : undefined, value: body } }
}
