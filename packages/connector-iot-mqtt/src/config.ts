/**
 * The connector's `config:` block (snake_case) and the checks the schema cannot express
 * (topic filters, the time zone, the default client id).
 */
import { TASMOTA_FULL_TOPIC, TASMOTA_PREFIXES, type TopicTemplate, parseTopicTemplate } from './topic-template'
import { type ConfigIssue, ConfigValidationError, Duration, type Static, Type } from '@firefront/sdk'

/** Payload formats the connector reads. */
export const PAYLOAD_FORMATS = ['json', 'tasmota', 'ttn-v3', 'raw'] as const

/** One of {@link PAYLOAD_FORMATS}. */
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number]

/**
 * Default cap of one payload: 256 KiB. Sensor readings are well under 1 kB and a The Things Stack
 * uplink with its metadata a few kB; Mosquitto's own `message_size_limit` is unlimited by default.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024

/** The largest payload MQTT itself allows (a PUBLISH's remaining length is at most 268,435,455 bytes). */
export const MQTT_MAX_PAYLOAD_BYTES = 268_435_455

const Qos = Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)])

/** Schema of the connector's `config:` block. */
export const MqttConfig = Type.Object(
  {
    url: Type.String({ pattern: '^(mqtts?|wss?)://', description: 'broker URL: mqtt://, mqtts://, ws:// or wss://' }),
    topics: Type.Array(
      Type.Union([
        Type.String({ minLength: 1 }),
        Type.Object(
          { filter: Type.String({ minLength: 1 }), qos: Type.Optional(Qos) },
          { additionalProperties: false },
        ),
      ]),
      { minItems: 1, description: 'topic filters (with + and # wildcards), or {filter, qos}' },
    ),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], {
      default: 1,
      description: 'subscription QoS of filters that give none',
    }),
    client_id: Type.Optional(
      Type.String({ minLength: 1, description: 'MQTT client id; default stable from the source id' }),
    ),
    clean_session: Type.Boolean({ default: false, description: 'false keeps a persistent session (offline queueing)' }),
    session_expiry_seconds: Type.Integer({
      minimum: 0,
      maximum: 4294967295,
      default: 86400,
      description: 'MQTT 5 session expiry interval',
    }),
    protocol_version: Type.Union([Type.Literal(4), Type.Literal(5)], {
      default: 4,
      description: 'MQTT 3.1.1 (4) or 5',
    }),
    username: Type.Optional(Type.String({ description: 'user name (secret: never logged)' })),
    password: Type.Optional(Type.String({ description: 'password (secret: never logged)' })),
    ca_path: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the CA to trust (mqtts, wss)' })),
    cert_path: Type.Optional(Type.String({ minLength: 1, description: 'PEM client certificate' })),
    key_path: Type.Optional(Type.String({ minLength: 1, description: 'PEM client key' })),
    reject_unauthorized: Type.Boolean({ default: true, description: 'verify the broker certificate' }),
    keepalive_seconds: Type.Integer({ minimum: 0, maximum: 65535, default: 60, description: 'MQTT keepalive' }),
    connect_timeout_seconds: Duration.seconds({ exclusiveMinimum: 0, default: 30, description: 'wait for CONNACK' }),
    payload_format: Type.Union(
      PAYLOAD_FORMATS.map((f) => Type.Literal(f)),
      { default: 'json', description: 'json | tasmota | ttn-v3 | raw' },
    ),
    timezone: Type.String({
      minLength: 1,
      default: 'UTC',
      description: 'IANA time zone of the devices (Tasmota sends local time without an offset)',
    }),
    device_timezones: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), {
        description: 'tasmota: device id → IANA time zone, for devices not in `timezone`',
      }),
    ),
    topic_template: Type.String({
      minLength: 1,
      default: TASMOTA_FULL_TOPIC,
      description:
        'tasmota: which topic levels name the device and the kind: {prefix}, {device}, {kind}, + (or Tasmota FullTopic tokens %prefix%, %topic%, %hostname%, %id%); the kind defaults to the level after it',
    }),
    topic_prefixes: Type.Array(Type.String({ minLength: 1, pattern: '^[^/+#]+$' }), {
      minItems: 1,
      default: [...TASMOTA_PREFIXES],
      description: "tasmota: the values {prefix} may take (Tasmota's Prefix1-3)",
    }),
    lwt: Type.Union([Type.Literal('record'), Type.Literal('skip')], {
      default: 'record',
      description:
        'tasmota: last-will (LWT Online/Offline) messages become device-status records, or are skipped and counted',
    }),
    normalise_units: Type.Boolean({
      default: false,
      description: 'tasmota: convert readings to SI/metric (°F → °C, mmHg → hPa), keeping the originals',
    }),
    ignore_retained: Type.Boolean({ default: false, description: 'drop retained messages' }),
    max_payload_bytes: Type.Integer({
      minimum: 1,
      maximum: MQTT_MAX_PAYLOAD_BYTES,
      default: DEFAULT_MAX_PAYLOAD_BYTES,
      description:
        'largest payload read (bytes); a larger one is dead-lettered with its size and a preview, and acknowledged',
    }),
    dedupe_cache_size: Type.Integer({
      minimum: 0,
      default: 10000,
      description: 'record keys remembered to drop redelivered duplicates (0 disables)',
    }),
  },
  { additionalProperties: false },
)

/** The connector's config, as validated (defaults applied). */
export type MqttConfig = Static<typeof MqttConfig>

/** One subscription. */
export interface TopicSubscription {
  readonly filter: string
  readonly qos: 0 | 1 | 2
}

/** The config, checked and resolved. */
export interface MqttSettings {
  readonly url: string
  readonly subscriptions: readonly TopicSubscription[]
  readonly clientId: string
  readonly clean: boolean
  readonly sessionExpirySeconds: number
  readonly protocolVersion: 4 | 5
  readonly username?: string
  readonly password?: string
  readonly caPath?: string
  readonly certPath?: string
  readonly keyPath?: string
  readonly rejectUnauthorized: boolean
  readonly keepaliveSeconds: number
  readonly connectTimeoutMs: number
  readonly payloadFormat: PayloadFormat
  readonly timezone: string
  readonly deviceTimezones: Readonly<Record<string, string>>
  readonly topicTemplate: TopicTemplate
  readonly lwt: 'record' | 'skip'
  readonly normaliseUnits: boolean
  readonly ignoreRetained: boolean
  readonly maxPayloadBytes: number
  readonly dedupeCacheSize: number
}

/** Lists what is wrong with a topic filter (undefined when it is valid). */
export function filterProblem(filter: string): string | undefined {
  const levels = filter.split('/')
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '"#" must be a whole last level'
    if (level.includes('+') && level !== '+') return '"+" must be a whole level'
  }
  if (filter.includes('\u0000')) return 'contains a NUL character'
  return undefined
}

/** True when `tz` is an IANA time zone this Node.js knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** A stable client id from the source id, so a restart resumes the persistent session. */
export function defaultClientId(sourceId: string): string {
  return `firefront-${sourceId.replace(/[^A-Za-z0-9_-]/g, '-')}`
}

/** Checks what the schema cannot; throws a {@link ConfigValidationError} (`ERR_PLUGIN_CONFIG`). */
export function resolveSettings(config: MqttConfig, sourceId: string): MqttSettings {
  const issues: ConfigIssue[] = []
  const subscriptions = config.topics.map((t, i) => {
    const sub = typeof t === 'string' ? { filter: t, qos: config.qos } : { filter: t.filter, qos: t.qos ?? config.qos }
    const problem = filterProblem(sub.filter)
    if (problem) issues.push({ path: `topics.${i}`, message: `${JSON.stringify(sub.filter)}: ${problem}` })
    return sub
  })
  if (!isTimeZone(config.timezone)) {
    issues.push({ path: 'timezone', message: `${JSON.stringify(config.timezone)} is not an IANA time zone` })
  }
  for (const [device, zone] of Object.entries(config.device_timezones ?? {})) {
    if (!isTimeZone(zone)) {
      issues.push({ path: `device_timezones.${device}`, message: `${JSON.stringify(zone)} is not an IANA time zone` })
    }
  }
  let topicTemplate: TopicTemplate | undefined
  try {
    topicTemplate = parseTopicTemplate(config.topic_template, config.topic_prefixes)
  } catch (err) {
    issues.push({
      path: 'topic_template',
      message: `${JSON.stringify(config.topic_template)}: ${(err as Error).message}`,
    })
  }
  if ((config.cert_path === undefined) !== (config.key_path === undefined)) {
    issues.push({ path: 'cert_path', message: 'give cert_path and key_path together' })
  }
  if (issues.length > 0) throw new ConfigValidationError(issues, 'ERR_PLUGIN_CONFIG')
  return {
    url: config.url,
    subscriptions,
    clientId: config.client_id ?? defaultClientId(sourceId),
    clean: config.clean_session,
    sessionExpirySeconds: config.session_expiry_seconds,
    protocolVersion: config.protocol_version,
    username: config.username,
    password: config.password,
    caPath: config.ca_path,
    certPath: config.cert_path,
    keyPath: config.key_path,
    rejectUnauthorized: config.reject_unauthorized,
    keepaliveSeconds: config.keepalive_seconds,
    connectTimeoutMs: config.connect_timeout_seconds * 1000,
    payloadFormat: config.payload_format,
    timezone: config.timezone,
    deviceTimezones: { ...config.device_timezones },
    topicTemplate: topicTemplate as TopicTemplate,
    lwt: config.lwt,
    normaliseUnits: config.normalise_units,
    ignoreRetained: config.ignore_retained,
    maxPayloadBytes: config.max_payload_bytes,
    dedupeCacheSize: config.dedupe_cache_size,
  }
}
