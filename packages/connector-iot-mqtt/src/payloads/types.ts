import { type JsonValue, decodeUtf8 } from '@firefront/sdk'
import type { TopicTemplate } from '../topic-template'
import type { InvalidField } from './fields'

/** A message as it came off the broker. */
export interface MqttMessage {
  readonly topic: string
  readonly payload: Buffer
}

/**
 * What kind of message a record holds, from its topic (per payload format): a sensor reading, the
 * device's state, its info or status answers, a command's result, its last will (online/offline),
 * a command sent to it, or something else.
 */
export type MessageKind = 'sensor' | 'state' | 'info' | 'result' | 'status' | 'lwt' | 'command' | 'other'

/** Every {@link MessageKind}. */
export const MESSAGE_KINDS: readonly MessageKind[] = [
  'sensor',
  'state',
  'info',
  'result',
  'status',
  'lwt',
  'command',
  'other',
]

/** A payload read into a record's parts. */
export interface Normalised {
  /** The device the reading came from; part of the record key. */
  readonly deviceId: string
  /** The kind of message; part of the record key. */
  readonly kind: MessageKind
  /** Event time from the payload, ISO-8601 UTC; undefined when the payload has none. */
  readonly ts?: string
  /** A per-device sequence number, when the payload has one; part of the key. */
  readonly seq?: number
  /**
   * Fields of the wrong type, read as null (or left out) and kept here as sent; the value holds
   * the same list as `invalidFields`. Undefined when every field was of its type.
   */
  readonly invalidFields?: readonly InvalidField[]
  readonly value: { readonly [key: string]: JsonValue }
}

/** Either a normalised payload or why it is not valid for its format. */
export type NormaliseResult =
  | { readonly ok: true; readonly data: Normalised }
  | { readonly ok: false; readonly reason: string }

/** Options the normalisers share. */
export interface NormaliseOptions {
  /** IANA time zone of local times without an offset (Tasmota). */
  readonly timezone: string
  /** Time zones of devices that are not in `timezone`, by device id (Tasmota). */
  readonly deviceTimezones?: Readonly<Record<string, string>>
  /** Which topic levels name the device and the kind (Tasmota); Tasmota's FullTopic by default. */
  readonly topicTemplate?: TopicTemplate
  /** Convert readings to SI/metric units (°F → °C, mmHg → hPa), keeping the originals. */
  readonly normaliseUnits?: boolean
}

/** A payload refused for `reason`. */
export const fail = (reason: string): NormaliseResult => ({ ok: false, reason })

/**
 * Parses a payload as a JSON object. Bytes that are not UTF-8 refuse the payload: read leniently,
 * they would become U+FFFD inside its strings without notice.
 */
export function parseObject(payload: Buffer): { [key: string]: JsonValue } | string {
  const { text, invalid } = decodeUtf8(payload)
  if (invalid) {
    return `the payload is not valid UTF-8 (${invalid.sequences} bad byte sequence(s), the first at byte ${invalid.firstOffset})`
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'the payload is not a JSON object'
  return parsed as { [key: string]: JsonValue }
}
