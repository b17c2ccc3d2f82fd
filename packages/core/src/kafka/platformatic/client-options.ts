/**
 * Maps the library-neutral {@link ClientSettings} onto @platformatic/kafka's client options:
 * brokers, timeouts, the library's own (short) retry, TLS and SASL.
 */
import type { BaseOptions, SASLOptions } from '@platformatic/kafka'
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls'
import type { ClientSettings, SaslSettings, TlsSettings } from '../client-settings'

/**
 * The library's own retry of one request, kept short on purpose (as kafkajs' is): delivery does
 * the backoff and the spool takes over after it, so a failing request must surface within about
 * a second. The delay doubles from 100 ms up to 1 s.
 */
export const PLATFORMATIC_RETRY = { initialDelayMs: 100, maxDelayMs: 1000 } as const

/**
 * The records one produce request carries at most. The library builds a request out of many
 * small buffers, and its time per record grows with the request past a few hundred records:
 * measured here, 3,000 records as one request went at about a third of the rate of the same
 * records as six requests of 500.
 */
export const MAX_RECORDS_PER_SEND = 500

/** The delay before retry number `attempt` (1-based), capped at `maxDelayMs`. */
export function retryDelay(attempt: number, maxDelayMs: number = PLATFORMATIC_RETRY.maxDelayMs): number {
  return Math.min(maxDelayMs, PLATFORMATIC_RETRY.initialDelayMs * 2 ** Math.max(0, attempt - 1))
}

const MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const satisfies Record<SaslSettings['mechanism'], SASLOptions['mechanism']>

/** The library's `sasl` option. */
export function saslOptions(sasl: SaslSettings | undefined): SASLOptions | undefined {
  if (!sasl) return undefined
  return { mechanism: MECHANISMS[sasl.mechanism], username: sasl.username, password: sasl.password }
}

/** The library's `tls` option: Node's TLS options with the PEM contents. */
export function tlsOptions(tls: TlsSettings | undefined): TlsConnectionOptions | undefined {
  if (!tls) return undefined
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca !== undefined ? { ca: [tls.ca] } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
  }
}

/** The client options every client of one transport (producer, admin, readers) shares. */
export function baseOptions(settings: ClientSettings): BaseOptions {
  const tls = tlsOptions(settings.tls)
  const sasl = saslOptions(settings.sasl)
  return {
    clientId: settings.clientId,
    bootstrapBrokers: [...settings.brokers],
    connectTimeout: settings.connectionTimeoutMs,
    // The client gives up on an unanswered request after this, and the broker is given as long.
    requestTimeout: settings.requestTimeoutMs,
    timeout: settings.requestTimeoutMs,
    retries: settings.retries,
    retryDelay: (_client, _operation, attempt) => retryDelay(attempt),
    // Per-call option validation (ajv) is off: the options are built here, not by users.
    strict: false,
    autocreateTopics: settings.autoCreateTopics,
    ...(tls ? { tls, tlsServerName: true } : {}),
    ...(sasl ? { sasl } : {}),
  }
}
