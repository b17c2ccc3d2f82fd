import type { JsonValue, SourceRecord } from '@firefront/sdk'
import type { PayloadFormat } from './config'
import type { Normalised } from './payloads'

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
} as const

/**
 * The record of one message: keyed by device id and event time (and `seq` when there is one),
 * so redeliveries share a key; `raw` records are keyed by topic. Without a time in the payload the
 * arrival time is the event time, and the `event-time-source` header says `arrival`.
 */
export function toRecord(
  format: PayloadFormat,
  data: Normalised,
  packet: PacketInfo,
  arrivedAt: number,
): SourceRecord<{ readonly [key: string]: JsonValue }> {
  const eventTime = data.ts ?? new Date(arrivedAt).toISOString()
  const key =
    format === 'raw' ? packet.topic : `${data.deviceId}:${eventTime}${data.seq === undefined ? '' : `:${data.seq}`}`
  return {
    key,
    value: data.value,
    eventTime,
    headers: {
      [HEADERS.topic]: packet.topic,
      [HEADERS.qos]: String(packet.qos),
      [HEADERS.retain]: String(packet.retain),
      [HEADERS.timeSource]: data.ts === undefined ? 'arrival' : 'payload',
    },
  }
}
