import { alteredHeaderValue, HEADERS as FIREFRONT_HEADERS, type JsonValue, type SourceRecord } from '@firefront/sdk'
import type { InvalidField, Normalised } from './payloads'

/** What the record needs from the MQTT packet. */
export interface PacketInfo {
  readonly topic: string
  readonly qos: number
  readonly retain: boolean
}

/** Record header names. */
export const HEADERS = {
  topic: 'mqtt-topic',
  qos: 'mqtt-qos',
  retain: 'mqtt-retain',
  timeSource: 'event-time-source',
  kind: 'mqtt-kind',
} as const

/**
 * The `firefront.altered` header value of a record with fields of the wrong type, or undefined:
 * `type:<field>` per field (array indices folded, `type:uplink_message.rx_metadata[].rssi`),
 * comma-separated; `%` and `,` in a field name are percent-encoded so the list stays readable.
 */
export function alteredHeader(invalidFields: readonly InvalidField[] | undefined): string | undefined {
  return alteredHeaderValue(invalidFields)
}

/**
 * The record of one message, under `key` (see `recordKey`: device, kind, the payload's time and
 * a digest of its bytes; `raw` records are keyed by topic). Without a time in the payload the
 * arrival time is the event time, and the `event-time-source` header says `arrival`. The
 * `mqtt-kind` header says what kind of message it is. A payload with fields of the wrong type gets
 * the `firefront.altered` header (see {@link alteredHeader}).
 */
export function toRecord(
  data: Normalised,
  packet: PacketInfo,
  arrivedAt: number,
  key: string,
): SourceRecord<{ readonly [key: string]: JsonValue }> {
  const eventTime = data.ts ?? new Date(arrivedAt).toISOString()
  const altered = alteredHeader(data.invalidFields)
  return {
    key,
    value: data.value,
    eventTime,
    headers: {
      [HEADERS.topic]: packet.topic,
      [HEADERS.qos]: String(packet.qos),
      [HEADERS.retain]: String(packet.retain),
      [HEADERS.timeSource]: data.ts === undefined ? 'arrival' : 'payload',
      [HEADERS.kind]: data.kind,
      ...(altered === undefined ? {} : { [FIREFRONT_HEADERS.altered]: altered }),
    },
  }
}
