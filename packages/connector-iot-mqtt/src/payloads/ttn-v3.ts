import type { JsonValue } from '@firefront/sdk'
import { rfc3339ToUtc } from './time'
import { type MqttMessage, type NormaliseResult, fail, parseObject } from './types'

type Obj = { [key: string]: JsonValue }
const obj = (v: JsonValue | undefined): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined
const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' ? v : null)

/**
 * A The Things Stack v3 uplink (`v3/{app}/devices/{device}/up`): `end_device_ids.device_id`,
 * `received_at` (RFC 3339, ns) and `uplink_message` with `decoded_payload`, `f_cnt`,
 * `rx_metadata`. The `as.up.data.forward` event wrapper (uplink under `data`) is read too.
 */
export function normaliseTtnV3(message: MqttMessage): NormaliseResult {
  const outer = parseObject(message.payload)
  if (typeof outer === 'string') return fail(outer)
  const inner = obj(outer.data)
  const body = inner?.end_device_ids ? inner : outer
  const ids = obj(body.end_device_ids)
  const deviceId = ids?.device_id
  if (typeof deviceId !== 'string' || deviceId === '') return fail('missing end_device_ids.device_id')
  const up = obj(body.uplink_message)
  if (!up) return fail('not an uplink: no uplink_message')
  const receivedAt = body.received_at ?? up.received_at
  const ts = rfc3339ToUtc(receivedAt)
  if (!ts) return fail(`received_at ${JSON.stringify(receivedAt ?? null)} is not an RFC 3339 date-time`)
  const fCnt = typeof up.f_cnt === 'number' ? up.f_cnt : undefined
  const rx = Array.isArray(up.rx_metadata) ? up.rx_metadata.map(obj).filter((r): r is Obj => r !== undefined) : []
  const best = rx.reduce<Obj | undefined>(
    (a, r) => (a === undefined || (num(r.rssi) ?? -999) > (num(a.rssi) ?? -999) ? r : a),
    undefined,
  )
  const value: Obj = {
    deviceId,
    applicationId: obj(ids?.application_ids)?.application_id ?? null,
    devEui: ids?.dev_eui ?? null,
    ts,
    receivedAt: typeof receivedAt === 'string' ? receivedAt : null,
    fCnt: fCnt ?? null,
    fPort: num(up.f_port),
    decoded: obj(up.decoded_payload) ?? null,
    frmPayload: typeof up.frm_payload === 'string' ? up.frm_payload : null,
    gateways: rx.length,
    rssi: best ? num(best.rssi) : null,
    snr: best ? num(best.snr) : null,
  }
  return { ok: true, data: { deviceId, ts, seq: fCnt, value } }
}
