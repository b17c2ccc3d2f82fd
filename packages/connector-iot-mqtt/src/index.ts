/**
 * `@firefront/connector-iot-mqtt`: IoT field sensors over MQTT for Firefront.
 * @packageDocumentation
 */
export { iotMqttConnector as default, iotMqttConnector, createMqttSubscriber } from './connector'
export {
  MqttConfig,
  type MqttSettings,
  type PayloadFormat,
  type TopicSubscription,
  PAYLOAD_FORMATS,
  defaultClientId,
  resolveSettings,
} from './config'
export {
  normalise,
  normaliseJson,
  normaliseRaw,
  normaliseTasmota,
  normaliseTtnV3,
  ttnTopicEvent,
  tasmotaDevice,
  tasmotaKind,
  MESSAGE_KINDS,
  type MessageKind,
  TASMOTA_NUMERIC_READINGS,
  foldField,
  localToUtc,
  rfc3339ToUtc,
  type MqttMessage,
  type Normalised,
  type NormaliseOptions,
  type NormaliseResult,
  type InvalidField,
} from './payloads'
export { HEADERS, alteredHeader, toRecord, type PacketInfo } from './record'
export { RecentKeys, Redeliveries, payloadDigest, recordKey } from './dedupe'
export {
  TASMOTA_FULL_TOPIC,
  TASMOTA_PREFIXES,
  parseTopicTemplate,
  type TopicMatch,
  type TopicTemplate,
} from './topic-template'
export { checkGrants, type Grant, type GrantCheck } from './grants'
export { redactUrl } from './client'
