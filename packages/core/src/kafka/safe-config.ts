/**
 * The `kafka:` block's secrets and a summary of it that is safe to log. No client library here:
 * every backend and the sink use these.
 */
import { brokerList, type KafkaSinkConfig } from './config'
import { createRedactor, REDACTED, type Redactor } from './redact'

type KafkaBlock = KafkaSinkConfig['kafka']

/** The secrets of a `kafka:` block: the SASL password (the TLS key is read when a backend opens its client). */
export function configSecrets(config: KafkaBlock): string[] {
  return config.sasl?.password ? [config.sasl.password] : []
}

/** A redactor for the block's secrets. */
export function redactorFor(config: KafkaBlock, extra: readonly string[] = []): Redactor {
  return createRedactor([...configSecrets(config), ...extra])
}

/** A summary of the `kafka:` block that is safe to log: no password, no key. */
export function describeKafkaConfig(config: KafkaBlock): Record<string, unknown> {
  return {
    brokers: brokerList(config),
    client_id: config.client_id,
    compression: config.compression,
    ssl:
      config.ssl === undefined
        ? false
        : typeof config.ssl === 'boolean'
          ? config.ssl
          : { ...config.ssl, key: config.ssl.key ? REDACTED : undefined },
    // not under a `sasl` key: the logger censors that key whole, which read as SASL being set when it was not
    authentication: config.sasl ? `sasl ${config.sasl.mechanism} as ${config.sasl.username}` : 'none',
  }
}
