/**
 * The MQTT push connector: subscribes to sensor topics, reads each payload in its format and
 * emits it, acknowledging a QoS 1/2 message once `emit` accepted its record (the runtime's intake
 * journal on disk, then the mode's buffer).
 */
import {
  BODY_PREVIEW_BYTES,
  ConnectorConfigError,
  type Emit,
  type PluginContext,
  type PushConnector,
  RetryableError,
  decodeUtf8,
  defineConnector,
} from '@firefront/sdk'
import type { IPublishPacket, MqttClient } from 'mqtt'
import pkg from '../package.json'
import { classifyError, connectOnce, endClient, redactUrl } from './client'
import { MqttConfig, type MqttSettings, resolveSettings } from './config'
import { Redeliveries, payloadDigest, recordKey } from './dedupe'
import { checkGrants } from './grants'
import { foldField, normalise, ttnTopicEvent } from './payloads'
import { toRecord } from './record'

/** The IoT MQTT connector (`source_type: iot_mqtt`). */
export const iotMqttConnector = defineConnector({
  name: 'iot-mqtt',
  version: pkg.version,
  description: 'IoT field sensors over MQTT (own JSON schema, Tasmota, The Things Stack v3, raw)',
  sourceTypes: ['iot_mqtt', 'iot_sensors', 'mqtt'],
  defaultTopic: 'wildfire-iot-sensors',
  configSchema: MqttConfig,
  create: (config, ctx) => createMqttSubscriber(resolveSettings(config, ctx.source?.sourceId ?? ctx.id), ctx),
})

/** Builds the push connector instance for resolved settings. */
export function createMqttSubscriber(settings: MqttSettings, ctx: PluginContext): PushConnector {
  const log = ctx.logger
  const url = redactUrl(settings.url)
  const m = {
    messages: ctx.metrics.counter('mqtt_messages_total', 'MQTT messages received'),
    emitted: ctx.metrics.counter('mqtt_records_emitted_total', 'records emitted, by message kind', ['kind']),
    rejected: ctx.metrics.counter('mqtt_payloads_rejected_total', 'payloads not valid for their format'),
    invalidFields: ctx.metrics.counter(
      'mqtt_fields_invalid_total',
      'fields of the wrong type, emitted as null and flagged (firefront.altered)',
      ['format', 'field'],
    ),
    oversize: ctx.metrics.counter('mqtt_payloads_oversize_total', 'payloads over max_payload_bytes, dead-lettered'),
    duplicates: ctx.metrics.counter(
      'mqtt_duplicates_total',
      'redelivered messages dropped as duplicates (same device, kind, time and bytes), by kind',
      ['kind'],
    ),
    skipped: ctx.metrics.counter(
      'mqtt_messages_skipped_total',
      'messages left out on purpose (duplicate, lwt with lwt: skip, ttn_join and other non-uplink events), by reason',
      ['reason'],
    ),
    retained: ctx.metrics.counter('mqtt_retained_ignored_total', 'retained messages dropped (ignore_retained)'),
    reconnects: ctx.metrics.counter('mqtt_reconnects_total', 'reconnect attempts'),
    connected: ctx.metrics.gauge('mqtt_connected', '1 while connected to the broker'),
  }
  const redeliveries = new Redeliveries(settings.dedupeCacheSize)
  let current: MqttClient | undefined

  const handle = async (packet: IPublishPacket, emit: Emit): Promise<void> => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
    const info = { topic: packet.topic, qos: packet.qos, retain: packet.retain }
    m.messages.inc()
    if (packet.retain && settings.ignoreRetained) {
      m.retained.inc()
      return
    }
    if (payload.length > settings.maxPayloadBytes) {
      // Never decoded or parsed: the dead letter carries the size and a preview, not the payload.
      m.oversize.inc()
      const preview = new TextDecoder().decode(payload.subarray(0, BODY_PREVIEW_BYTES), { stream: true })
      ctx.reject({
        reason: `payload of ${payload.length} bytes is over max_payload_bytes (${settings.maxPayloadBytes})`,
        input: { size: payload.length, max_payload_bytes: settings.maxPayloadBytes, preview },
        location: packet.topic,
      })
      return
    }
    // Joins, downlink and service events share the uplinks' topic tree: not readings, counted.
    const ttnEvent = settings.payloadFormat === 'ttn-v3' ? ttnTopicEvent(packet.topic) : undefined
    if (ttnEvent !== undefined && ttnEvent !== 'up') {
      const reason = `ttn_${ttnEvent.replace(/\//g, '_')}`
      m.skipped.inc(1, { reason })
      ctx.skip?.(reason)
      return
    }
    const read = normalise(
      settings.payloadFormat,
      { topic: packet.topic, payload },
      {
        timezone: settings.timezone,
        deviceTimezones: settings.deviceTimezones,
        topicTemplate: settings.topicTemplate,
        normaliseUnits: settings.normaliseUnits,
      },
    )
    if (!read.ok) {
      m.rejected.inc()
      const { text, invalid } = decodeUtf8(payload)
      // Bytes that are not UTF-8 are kept as received (base64), beside the text with U+FFFD.
      const input = invalid ? { base64: payload.toString('base64'), text } : text
      ctx.reject({ reason: read.reason, input, location: packet.topic })
      return
    }
    const data = read.data
    if (data.kind === 'lwt' && settings.lwt === 'skip') {
      m.skipped.inc(1, { reason: 'lwt' })
      ctx.skip?.('lwt')
      return
    }
    const raw = settings.payloadFormat === 'raw'
    const key = raw ? packet.topic : recordKey(data, payloadDigest(payload))
    const timed = data.ts !== undefined
    if (!raw && redeliveries.seen(packet.topic, key, timed)) {
      m.duplicates.inc(1, { kind: data.kind })
      m.skipped.inc(1, { reason: 'duplicate' })
      ctx.skip?.('duplicate')
      log.debug({ key, topic: packet.topic }, 'redelivered message dropped as a duplicate')
      return
    }
    const record = toRecord(data, info, ctx.clock.now(), key)
    await emit(record)
    // Remembered only once emitted: a message whose emit failed is redelivered and must get through.
    if (!raw) redeliveries.remember(packet.topic, key, timed)
    m.emitted.inc(1, { kind: data.kind })
    // Counted once handed over, like the records: a redelivered copy is not counted twice.
    for (const f of data.invalidFields ?? []) {
      m.invalidFields.inc(1, { format: settings.payloadFormat, field: foldField(f.field) })
    }
  }

  const subscribe = async (emit: Emit, signal: AbortSignal): Promise<void> => {
    if (signal.aborted) return
    let fail: (err: Error) => void = () => {}
    const failure = new Promise<never>((_, reject) => {
      fail = reject
    })
    failure.catch(() => {})
    let client: MqttClient
    let sessionPresent: boolean
    try {
      ;({ client, sessionPresent } = await connectOnce(
        settings,
        (c) => {
          // PUBACK goes out only after this callback: emit accepts the record first (journal, mode's buffer).
          c.handleMessage = (packet, done) => {
            handle(packet, emit).then(
              () => done(),
              (err: unknown) => {
                log.warn(
                  { topic: packet.topic, error: (err as Error).message },
                  'message not handed over; not acknowledged',
                )
                done(err as Error)
                // Unacknowledged, the message comes back only on a new connection: resubscribe.
                if (!signal.aborted) {
                  fail(new RetryableError(`record not handed over: ${(err as Error).message}`, { cause: err }))
                }
              },
            )
          }
        },
        signal,
      ))
    } catch (err) {
      if (signal.aborted) return
      throw err
    }
    current = client
    m.connected.set(1)
    log.info({ url, clientId: settings.clientId, sessionPresent }, 'connected to the MQTT broker')
    try {
      await waitUntilEnd(client, signal, failure, fail)
    } finally {
      m.connected.set(0)
      await endClient(client)
      if (current === client) current = undefined
    }
  }

  /** Resolves when `signal` aborts; rejects on a refusal or a record that could not be handed over. */
  const waitUntilEnd = async (
    client: MqttClient,
    signal: AbortSignal,
    failure: Promise<never>,
    fail: (err: Error) => void,
  ): Promise<void> => {
    client.on('error', (err) => {
      log.warn({ url, error: err.message }, 'MQTT client error')
      // A CONNACK refusal on reconnect stops mqtt.js reconnecting: end the subscription with it.
      // (Other reason-coded errors arrive while connected and are only logged.)
      if (typeof (err as { code?: unknown }).code === 'number' && !client.connected) {
        fail(classifyError(err, settings.url))
      }
    })
    client.on('reconnect', () => {
      m.reconnects.inc()
      log.info({ url }, 'reconnecting to the MQTT broker')
    })
    client.on('offline', () => {
      m.connected.set(0)
      log.warn({ url }, 'MQTT connection lost')
    })
    client.on('connect', (connack) => {
      m.connected.set(1)
      log.info({ url, sessionPresent: connack.sessionPresent }, 'reconnected to the MQTT broker')
    })
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve()
      else signal.addEventListener('abort', () => resolve(), { once: true })
    })
    const subscribed = subscribeAll(client)
    await Promise.race([subscribed.then(() => Promise.race([aborted, failure])), aborted, failure])
  }

  const subscribeAll = async (client: MqttClient): Promise<void> => {
    const request = Object.fromEntries(settings.subscriptions.map((s) => [s.filter, { qos: s.qos }]))
    let granted: Awaited<ReturnType<MqttClient['subscribeAsync']>>
    try {
      granted = await client.subscribeAsync(request)
    } catch (err) {
      throw new RetryableError(`MQTT ${url}: subscribe failed: ${(err as Error).message}`, { cause: err })
    }
    const check = checkGrants(settings.subscriptions, granted)
    for (const d of check.downgraded) log.warn(d, 'the broker downgraded the subscription QoS')
    if (check.refused.length > 0) {
      const names = check.refused.map((g) => `"${g.topic}" (code ${g.qos})`).join(', ')
      throw new ConnectorConfigError(`MQTT ${url}: the broker refused the subscription to ${names}`)
    }
    log.info({ filters: settings.subscriptions.map((s) => s.filter) }, 'subscribed')
  }

  return {
    mode: 'push',
    subscribe,
    // a recorded publish goes through the very handler a received one does (firefront test)
    replay: (message, emit) =>
      handle(
        {
          cmd: 'publish',
          topic: message.topic,
          payload: Buffer.from(message.payload),
          qos: message.qos ?? 0,
          retain: message.retain ?? false,
          dup: false,
        } as IPublishPacket,
        emit,
      ),
    close: async () => {
      const client = current
      current = undefined
      if (client) await endClient(client)
    },
  }
}
