/**
 * Picks the client backend. kafkajs is the one there is; a second backend (a native client)
 * goes in a folder beside `kafkajs/` and is chosen here.
 */
import { openKafkajsTransport } from './kafkajs'
import type { KafkaTransport, KafkaTransportOptions } from './transport'

/**
 * Opens a {@link KafkaTransport} on the default backend. TLS files are read now (a missing one
 * fails with `ERR_CONFIG_NOT_FOUND`); connections are made on first use.
 *
 * @example
 * ```ts
 * const transport = await openKafkaTransport({ kafka: config.kafka, clientIdSuffix: '-lag' })
 * const lag = await transport.readLag(['fires-consumers'])
 * await transport.disconnect()
 * ```
 */
export function openKafkaTransport(options: KafkaTransportOptions): Promise<KafkaTransport> {
  return openKafkajsTransport(options)
}
