/**
 * The `kafka:` block as every client backend needs it, library-neutral: brokers, client id,
 * timeouts, TLS with the PEM files already read, SASL, compression, and the redactor that knows
 * every secret. Each backend maps this onto its own library's options; files are read once, here.
 */
import type { Logger } from '@firefront/sdk'
import type { KafkaConfig } from '../config/schema'
import { brokerList } from './config'
import { tlsOptions } from './kafkajs/client-options'
import type { Redactor } from './redact'
import { createRedactor } from './redact'
import { redactorFor } from './safe-config'
import type { KafkaTransportOptions } from './transport'

/** TLS to the brokers, with PEM contents (not paths). */
export interface TlsSettings {
  readonly ca?: string
  readonly cert?: string
  readonly key?: string
  readonly rejectUnauthorized: boolean
}

/** SASL credentials. */
export interface SaslSettings {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'
  readonly username: string
  readonly password: string
}

/** Everything a backend needs to open its clients, library-neutral. */
export interface ClientSettings {
  readonly brokers: readonly string[]
  readonly clientId: string
  readonly connectionTimeoutMs: number
  readonly requestTimeoutMs: number
  /** Omitted: plaintext. */
  readonly tls?: TlsSettings
  readonly sasl?: SaslSettings
  readonly compression: 'none' | 'gzip'
  /** Idempotent producer (acks all, one request in flight). */
  readonly idempotent: boolean
  /** The client's own quick retries of one request. */
  readonly retries: number
  /** Create a missing topic when producing to it. */
  readonly autoCreateTopics: boolean
  readonly partitions: number
  readonly replicationFactor: number
  readonly redactor: Redactor
  readonly logger?: Logger
}

/**
 * Reads the TLS files and gathers the settings a backend opens its clients with. A missing TLS
 * file fails with `ERR_CONFIG_NOT_FOUND` naming the key and path.
 */
export async function resolveClientSettings(
  options: KafkaTransportOptions,
  readFile?: (path: string) => Promise<string>,
): Promise<ClientSettings> {
  const k: KafkaConfig | undefined = options.kafka
  const tls = k ? await tlsOptions(k.ssl, readFile) : undefined
  const tlsSettings: TlsSettings | undefined =
    tls === undefined || tls === false
      ? undefined
      : tls === true
        ? { rejectUnauthorized: true }
        : {
            ...(typeof tls.ca === 'object' && Array.isArray(tls.ca) ? { ca: String(tls.ca[0]) } : {}),
            ...(typeof tls.cert === 'string' ? { cert: tls.cert } : {}),
            ...(typeof tls.key === 'string' ? { key: tls.key } : {}),
            rejectUnauthorized: tls.rejectUnauthorized !== false,
          }
  const redactor = k ? redactorFor(k, tlsSettings?.key ? [tlsSettings.key] : []) : createRedactor([])
  return {
    brokers: options.brokers ? [...options.brokers] : k ? brokerList(k) : [],
    clientId: `${k?.client_id ?? 'firefront'}${options.clientIdSuffix ?? ''}`,
    connectionTimeoutMs: k?.connection_timeout_ms ?? 3000,
    requestTimeoutMs: options.requestTimeoutMs ?? k?.request_timeout_ms ?? 30_000,
    ...(tlsSettings ? { tls: tlsSettings } : {}),
    ...(k?.sasl ? { sasl: { ...k.sasl } } : {}),
    compression: k?.compression ?? 'none',
    idempotent: options.idempotent ?? true,
    retries: options.retries ?? 1,
    autoCreateTopics: k?.topics.auto_create ?? true,
    partitions: k?.topics.partitions ?? 1,
    replicationFactor: k?.topics.replication_factor ?? 1,
    redactor,
    ...(options.logger ? { logger: options.logger } : {}),
  }
}
