/**
 * The mqtt.js client: options from the settings, the first connection (its failure classified as
 * a refused configuration or a transient error) and a graceful end.
 */
import { readFileSync } from 'node:fs'
import { ConnectorConfigError, RetryableError } from '@firefront/sdk'
import { type IClientOptions, type MqttClient, connect } from 'mqtt'
import type { MqttSettings } from './config'

/** CONNACK codes that say "try again later" rather than "this configuration is refused". */
const TRANSIENT_CONNACK = new Set([
  3, // 3.1.1: server unavailable
  0x88, // server unavailable
  0x89, // server busy
  0x97, // quota exceeded
  0x9f, // connection rate exceeded
])

/** Node's TLS verification failures: the broker's certificate is not trusted as configured. */
const TLS_REFUSALS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/** The URL without its user info, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1***@')
}

/** mqtt.js options for the settings. Reconnects are mqtt.js's own; a CONNACK refusal is not retried. */
export function clientOptions(settings: MqttSettings): IClientOptions {
  const read = (path: string | undefined, what: string): Buffer | undefined => {
    if (path === undefined) return undefined
    try {
      return readFileSync(path)
    } catch (err) {
      throw new ConnectorConfigError(`cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err })
    }
  }
  const options: IClientOptions = {
    clientId: settings.clientId,
    clean: settings.clean,
    protocolVersion: settings.protocolVersion,
    keepalive: settings.keepaliveSeconds,
    connectTimeout: settings.connectTimeoutMs,
    reconnectPeriod: 1000,
    reconnectOnConnackError: false,
    resubscribe: true,
    username: settings.username,
    password: settings.password,
    rejectUnauthorized: settings.rejectUnauthorized,
    ca: read(settings.caPath, 'ca_path'),
    cert: read(settings.certPath, 'cert_path'),
    key: read(settings.keyPath, 'key_path'),
  }
  // Without a session expiry an MQTT 5 session ends at disconnect, and offline queueing does nothing.
  if (settings.protocolVersion === 5 && !settings.clean) {
    options.properties = { sessionExpiryInterval: settings.sessionExpirySeconds }
  }
  return options
}

/** A connection error as the runtime understands it: a refused configuration, or transient. */
export function classifyError(err: unknown, url: string): Error {
  const code = (err as { code?: unknown }).code
  const message = `MQTT ${redactUrl(url)}: ${(err as Error).message}`
  if (typeof code === 'number' && !TRANSIENT_CONNACK.has(code)) {
    return new ConnectorConfigError(`${message} (CONNACK code ${code})`, { cause: err })
  }
  if (typeof code === 'string' && TLS_REFUSALS.has(code)) {
    return new ConnectorConfigError(`${message} (TLS: set ca_path, or reject_unauthorized: false)`, { cause: err })
  }
  return new RetryableError(message, { cause: err })
}

/**
 * Connects and waits for the first CONNACK. Rejects with {@link ConnectorConfigError} when the
 * broker refused the connection (bad credentials, client id) and with {@link RetryableError} for
 * network errors and timeouts; the client is ended either way.
 */
export function connectOnce(
  settings: MqttSettings,
  setup: (client: MqttClient) => void,
  signal: AbortSignal,
): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  let client: MqttClient
  try {
    client = connect(settings.url, clientOptions(settings))
  } catch (err) {
    if (err instanceof ConnectorConfigError) throw err
    throw new ConnectorConfigError(`MQTT ${redactUrl(settings.url)}: ${(err as Error).message}`, { cause: err })
  }
  setup(client)
  return new Promise((resolve, reject) => {
    const done = (): void => {
      client.off('connect', onConnect)
      client.off('error', onError)
      client.off('close', onClose)
      signal.removeEventListener('abort', onAbort)
    }
    const fail = (err: Error): void => {
      done()
      client.end(true)
      reject(err)
    }
    const onConnect = (connack: { sessionPresent: boolean }): void => {
      done()
      resolve({ client, sessionPresent: connack.sessionPresent })
    }
    const onError = (err: Error): void => fail(classifyError(err, settings.url))
    const onClose = (): void =>
      fail(new RetryableError(`MQTT ${redactUrl(settings.url)}: connection closed before CONNACK`))
    const onAbort = (): void => fail(new RetryableError('aborted while connecting'))
    client.on('connect', onConnect)
    client.on('error', onError)
    client.on('close', onClose)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Ends the client: gracefully (DISCONNECT once in-flight packets are done). After `graceMs` the
 * socket is destroyed instead: mqtt.js's own forced end is a no-op once a graceful one started.
 * Safe to call again: mqtt.js calls back at once when it is already ending.
 */
export function endClient(client: MqttClient, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.stream?.destroy()
      resolve()
    }, graceMs)
    client.end(false, () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
