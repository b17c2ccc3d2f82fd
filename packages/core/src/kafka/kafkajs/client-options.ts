/**
 * Maps the `kafka:` config block onto kafkajs client options: brokers, timeouts, kafkajs' own
 * (short) retry, SASL, TLS with PEM files read at start, and a log creator that routes kafkajs'
 * warnings into the plugin's logger with secrets redacted.
 */
import { readFile as fsReadFile } from 'node:fs/promises'
import type { Logger } from '@firefront/sdk'
import { FirefrontError } from '@firefront/sdk'
import { type KafkaConfig as KafkaJsConfig, type LogEntry, logLevel, type SASLOptions } from 'kafkajs'
import type { ConnectionOptions } from 'node:tls'
import { brokerList, type KafkaSinkConfig } from '../config'
import type { Redactor } from '../redact'
import { redactorFor } from '../safe-config'

export { configSecrets, describeKafkaConfig, redactorFor } from '../safe-config'

type KafkaBlock = KafkaSinkConfig['kafka']

/**
 * kafkajs' own retry, kept short on purpose: the sink's retry controller does the backoff
 * (1, 2, 4 s...) and the spool takes over after it, so a failing request must surface within
 * about a second instead of kafkajs' default of minutes (or forever, for an idempotent producer).
 */
export const KAFKAJS_RETRY = { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 } as const

/** kafkajs messages that are expected with this configuration and need no warning. */
const EXPECTED = [/Limiting retries for the idempotent producer/]

/** Options of {@link kafkajsClientConfig}. */
export interface ClientConfigOptions {
  /** Where kafkajs' warnings and errors go (redacted, repeated lines throttled). */
  readonly logger?: Logger
  /** Appended to `client_id` (e.g. `-admin`). */
  readonly clientIdSuffix?: string
  /** Reads the TLS files; tests pass a fake. */
  readonly readFile?: (path: string) => Promise<string>
  /** Milliseconds since the epoch, for throttling repeated log lines. */
  readonly now?: () => number
}

async function readPem(path: string, what: string, read: (p: string) => Promise<string>): Promise<string> {
  try {
    return await read(path)
  } catch (err) {
    throw new FirefrontError(
      'ERR_CONFIG_NOT_FOUND',
      `kafka.ssl.${what}: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
}

/** The kafkajs `ssl` option: `true`, or PEM contents read from the configured files. */
export async function tlsOptions(
  ssl: KafkaBlock['ssl'],
  read: (path: string) => Promise<string> = (p) => fsReadFile(p, 'utf8'),
): Promise<ConnectionOptions | boolean | undefined> {
  if (ssl === undefined || ssl === false) return undefined
  if (ssl === true) return true
  const out: ConnectionOptions = { rejectUnauthorized: ssl.reject_unauthorized }
  if (ssl.ca) out.ca = [await readPem(ssl.ca, 'ca', read)]
  if (ssl.cert) out.cert = await readPem(ssl.cert, 'cert', read)
  if (ssl.key) out.key = await readPem(ssl.key, 'key', read)
  return out
}

/** The kafkajs `sasl` option. */
export function saslOptions(sasl: KafkaBlock['sasl']): SASLOptions | undefined {
  if (!sasl) return undefined
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions
}

/** The full kafkajs client config and the redactor that knows all its secrets. */
export interface ClientConfig {
  readonly kafkajs: KafkaJsConfig
  readonly redactor: Redactor
}

/**
 * Builds the kafkajs client config from the `kafka:` block. TLS files are read here (at start),
 * so a missing file fails the start with `ERR_CONFIG_NOT_FOUND` naming the key and path.
 */
export async function kafkajsClientConfig(
  config: KafkaBlock,
  options: ClientConfigOptions = {},
): Promise<ClientConfig> {
  const ssl = await tlsOptions(config.ssl, options.readFile)
  const key = typeof ssl === 'object' && typeof ssl.key === 'string' ? [ssl.key] : []
  const redactor = redactorFor(config, key)
  return {
    redactor,
    kafkajs: {
      brokers: brokerList(config),
      clientId: `${config.client_id}${options.clientIdSuffix ?? ''}`,
      connectionTimeout: config.connection_timeout_ms,
      requestTimeout: config.request_timeout_ms,
      enforceRequestTimeout: true,
      retry: { ...KAFKAJS_RETRY },
      ssl,
      sasl: saslOptions(config.sasl),
      logLevel: logLevel.WARN,
      logCreator: options.logger ? kafkajsLogCreator(options.logger, redactor, options.now) : () => () => {},
    },
  }
}

/**
 * A kafkajs `logCreator` writing to `logger` at warn level (kafkajs' errors included: the sink
 * itself reports what failed). Secrets are redacted; a line repeated within 10 s is counted
 * instead of written again, so a broker outage does not flood the log.
 */
export function kafkajsLogCreator(
  logger: Logger,
  redactor: Redactor,
  now: () => number = Date.now,
): NonNullable<KafkaJsConfig['logCreator']> {
  const lastWritten = new Map<string, { at: number; suppressed: number }>()
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log as LogEntry['log'] & { logger?: string }
      const text = redactor.text(String(message))
      if (EXPECTED.some((re) => re.test(text))) {
        logger.debug({ kafkajs: namespace }, text)
        return
      }
      const seen = lastWritten.get(text)
      const t = now()
      if (seen && t - seen.at < 10_000) {
        seen.suppressed++
        return
      }
      if (lastWritten.size > 500) lastWritten.clear()
      lastWritten.set(text, { at: t, suppressed: 0 })
      const fields = redactor.fields({ kafkajs: namespace, ...extra, repeated: seen?.suppressed || undefined })
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(fields, `kafkajs: ${text}`)
      else logger.debug(fields, `kafkajs: ${text}`)
    }
}
