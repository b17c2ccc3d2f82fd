import type { JsonValue } from '@firefront/sdk'
import { FieldReader, type Obj, described, invalidFieldsJson, isObj, jsonType } from './fields'
import { rfc3339ToUtc } from './time'
import { type MqttMessage, type NormaliseResult, fail, parseObject } from './types'

const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const UNSIGNED = /^\d+$/
// Protobuf `bytes` in JSON: standard or URL-safe base64, padded or not.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/

/**
 * Readers of the protobuf JSON mapping The Things Stack publishes with: 32-bit integers and floats
 * are JSON numbers (parsers must accept their decimal strings too), 64-bit integers are decimal
 * strings (`"frequency": "868100000"`), `bytes` are base64 strings. Anything else is noted.
 */
class ProtoReader extends FieldReader {
  /** A uint32 or uint64: a non-negative integer, as a number or a decimal string. */
  unsigned(field: string, value: JsonValue | undefined): number | null {
    if (value === undefined || value === null) return null
    const n = typeof value === 'string' && UNSIGNED.test(value) ? Number(value) : value
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n
    this.note(field, this.problem(value, 'a non-negative integer'), value)
    return null
  }

  /** A float or double: a finite number, as a number or a decimal string. */
  float(field: string, value: JsonValue | undefined): number | null {
    if (value === undefined || value === null) return null
    const n = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value
    if (typeof n === 'number' && Number.isFinite(n)) return n
    this.note(field, this.problem(value, 'a finite number'), value)
    return null
  }

  /** A `bytes` field: a base64 string. */
  bytes(field: string, value: JsonValue | undefined): string | null {
    if (value === undefined || value === null) return null
    if (typeof value === 'string' && BASE64.test(value)) return value
    this.note(field, this.problem(value, 'a base64 string'), value)
    return null
  }

  private problem(value: JsonValue, expected: string): string {
    return typeof value === 'string'
      ? `${JSON.stringify(value)}, expected ${expected}`
      : `${jsonType(value)}, expected ${expected}`
  }
}

/**
 * The event a The Things Stack topic names after `devices/{device}/`: `up`, `join`, `down/queued`,
 * `down/sent`, `down/ack`, `service/data`, `location/solved`...; undefined for a topic of another
 * shape (then the payload alone decides).
 */
export function ttnTopicEvent(topic: string): string | undefined {
  const m = /(?:^|\/)v3\/[^/]+\/devices\/[^/]+\/(.+)$/.exec(topic)
  return m?.[1]
}

/**
 * A The Things Stack v3 uplink (`v3/{app}/devices/{device}/up`): `end_device_ids.device_id`,
 * `received_at` (RFC 3339, ns) and `uplink_message` with `decoded_payload`, `f_cnt`, `f_port`,
 * `rx_metadata` and `settings`. The `as.up.data.forward` event wrapper (uplink under `data`) is
 * read too. No device id, no `uplink_message` or no readable `received_at` rejects the message
 * (the record key is made of them); any other field of the wrong type reads as null and is listed
 * in `invalidFields`.
 */
export function normaliseTtnV3(message: MqttMessage): NormaliseResult {
  const outer = parseObject(message.payload)
  if (typeof outer === 'string') return fail(outer)
  const wrapped = isObj(outer.data) ? outer.data : undefined
  const body = wrapped?.end_device_ids !== undefined ? wrapped : outer
  const rawIds = body.end_device_ids
  if (rawIds !== undefined && rawIds !== null && !isObj(rawIds)) {
    return fail(`end_device_ids is ${described(rawIds)}, expected an object`)
  }
  const ids = isObj(rawIds) ? rawIds : undefined
  const deviceId = ids?.device_id
  if (deviceId === undefined || deviceId === null || deviceId === '') return fail('missing end_device_ids.device_id')
  if (typeof deviceId !== 'string') return fail(`end_device_ids.device_id is ${described(deviceId)}, expected a string`)
  const rawUp = body.uplink_message
  if (rawUp === undefined || rawUp === null) return fail('not an uplink: no uplink_message')
  if (!isObj(rawUp)) return fail(`not an uplink: uplink_message is ${described(rawUp)}, expected an object`)
  const up = rawUp
  // The top-level received_at is when the Application Server got it; the uplink's own is the fallback.
  const [timeField, receivedAt] =
    body.received_at !== undefined && body.received_at !== null
      ? ['received_at', body.received_at]
      : ['uplink_message.received_at', up.received_at ?? null]
  if (typeof receivedAt !== 'string' && receivedAt !== null) {
    return fail(`${timeField} is ${described(receivedAt)}, expected an RFC 3339 date-time string`)
  }
  const ts = rfc3339ToUtc(receivedAt)
  if (!ts) return fail(`received_at ${JSON.stringify(receivedAt)} is not an RFC 3339 date-time`)

  const r = new ProtoReader()
  const appIds = r.object('end_device_ids.application_ids', ids?.application_ids)
  const applicationId = r.string('end_device_ids.application_ids.application_id', appIds?.application_id)
  const devEui = r.string('end_device_ids.dev_eui', ids?.dev_eui)
  const fCnt = r.unsigned('uplink_message.f_cnt', up.f_cnt)
  const fPort = r.unsigned('uplink_message.f_port', up.f_port)
  const decoded = r.object('uplink_message.decoded_payload', up.decoded_payload) ?? null
  const frmPayload = r.bytes('uplink_message.frm_payload', up.frm_payload)
  const gateways = readGateways(r, up.rx_metadata)
  // The gateway that heard it best; one without a readable RSSI only when none has one.
  const best = gateways.reduce<Obj | undefined>(
    (a, g) =>
      a === undefined ||
      ((g.rssi as number | null) ?? Number.NEGATIVE_INFINITY) > ((a.rssi as number | null) ?? Number.NEGATIVE_INFINITY)
        ? g
        : a,
    undefined,
  )
  const settings = r.object('uplink_message.settings', up.settings)
  const frequency = r.unsigned('uplink_message.settings.frequency', settings?.frequency)
  const dataRate = r.object('uplink_message.settings.data_rate', settings?.data_rate)
  const lora = r.object('uplink_message.settings.data_rate.lora', dataRate?.lora)
  const at = 'uplink_message.settings.data_rate.lora'
  const versionIds = r.object('uplink_message.version_ids', up.version_ids)
  const networkIds = r.object('uplink_message.network_ids', up.network_ids)
  const normalized = up.normalized_payload
  let normalizedPayload: JsonValue = null
  if (normalized !== undefined && normalized !== null) {
    if (Array.isArray(normalized)) normalizedPayload = normalized
    else r.note('uplink_message.normalized_payload', `${jsonType(normalized)}, expected an array`, normalized)
  }
  const v = 'uplink_message.version_ids'
  const n = 'uplink_message.network_ids'
  const value: Obj = {
    deviceId,
    kind: 'sensor',
    applicationId,
    devEui,
    ts,
    receivedAt,
    fCnt,
    fPort,
    decoded,
    normalizedPayload,
    frmPayload,
    gatewayCount: gateways.length,
    gateways,
    rssi: best ? (best.rssi as number | null) : null,
    snr: best ? (best.snr as number | null) : null,
    frequency,
    spreadingFactor: r.unsigned(`${at}.spreading_factor`, lora?.spreading_factor),
    bandwidth: r.unsigned(`${at}.bandwidth`, lora?.bandwidth),
    codingRate: r.string(`${at}.coding_rate`, lora?.coding_rate),
    consumedAirtime: r.string('uplink_message.consumed_airtime', up.consumed_airtime),
    versionIds: versionIds
      ? {
          brandId: r.string(`${v}.brand_id`, versionIds.brand_id),
          modelId: r.string(`${v}.model_id`, versionIds.model_id),
          hardwareVersion: r.string(`${v}.hardware_version`, versionIds.hardware_version),
          firmwareVersion: r.string(`${v}.firmware_version`, versionIds.firmware_version),
          bandId: r.string(`${v}.band_id`, versionIds.band_id),
        }
      : null,
    network: networkIds
      ? {
          netId: r.string(`${n}.net_id`, networkIds.net_id),
          nsId: r.string(`${n}.ns_id`, networkIds.ns_id),
          tenantId: r.string(`${n}.tenant_id`, networkIds.tenant_id),
          clusterId: r.string(`${n}.cluster_id`, networkIds.cluster_id),
          clusterAddress: r.string(`${n}.cluster_address`, networkIds.cluster_address),
        }
      : null,
  }
  // Read after the value: fields noted above are listed too.
  const allInvalid = r.result()
  if (allInvalid) value.invalidFields = invalidFieldsJson(allInvalid)
  return { ok: true, data: { deviceId, kind: 'sensor', ts, seq: fCnt ?? undefined, invalidFields: allInvalid, value } }
}

/** Each gateway that heard the uplink (`rx_metadata[]`): its ids, RSSI, channel RSSI, SNR and time. */
function readGateways(r: ProtoReader, raw: JsonValue | undefined): Obj[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    r.note('uplink_message.rx_metadata', `${jsonType(raw)}, expected an array`, raw)
    return []
  }
  const out: Obj[] = []
  for (const [i, item] of raw.entries()) {
    const at = `uplink_message.rx_metadata[${i}]`
    const g = r.object(at, item)
    if (!g) continue
    const ids = r.object(`${at}.gateway_ids`, g.gateway_ids)
    out.push({
      gatewayId: r.string(`${at}.gateway_ids.gateway_id`, ids?.gateway_id),
      eui: r.string(`${at}.gateway_ids.eui`, ids?.eui),
      rssi: r.float(`${at}.rssi`, g.rssi),
      channelRssi: r.float(`${at}.channel_rssi`, g.channel_rssi),
      snr: r.float(`${at}.snr`, g.snr),
      time: r.string(`${at}.time`, g.time),
    })
  }
  return out
}
