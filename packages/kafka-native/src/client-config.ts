/**
 * Maps Firefront's library-neutral {@link ClientSettings} onto librdkafka properties: brokers,
 * client id, timeouts, TLS (PEM contents, not paths), SASL, and the producer's and consumers' own
 * settings. Pure functions, so the mapping is unit-tested without librdkafka.
 */
import type { ClientSettings } from '@firefront/core'
import type { RdConfig } from './rdkafka-api'

const SASL_MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const satisfies Record<NonNullable<ClientSettings['sasl']>['mechanism'], string>

/**
 * How the producer batches. `send()` hands librdkafka a whole batch (~500 records) at once and
 * waits for every delivery report before the next, so records never trickle in: a long linger
 * only delays each batch's last request. Measured with awaited sends of 500 FIRMS records
 * (alternated rounds, medians): 1 ms 62k records/s, 0 ms 52k (the first records of a batch leave
 * alone while the rest is still being handed over), 2 ms 45k, 5 ms (librdkafka's default) 42k,
 * 20 ms 18k. A request carries up to 10,000 records or 1 MB, more than a batch needs. The local
 * queue is bounded at 100,000 records or 64 MB instead of librdkafka's 1 GB: sends are awaited,
 * so it only holds the batches in flight, and a full queue makes `send()` wait for delivery
 * reports rather than fail.
 */
export const PRODUCER_TUNING = {
  'linger.ms': 1,
  'batch.num.messages': 10_000,
  'batch.size': 1_000_000,
  'queue.buffering.max.messages': 100_000,
  'queue.buffering.max.kbytes': 65_536,
} as const

/** Headroom above `max_message_bytes` for a record's key, headers and framing. */
const RECORD_OVERHEAD_BYTES = 64 * 1024

/**
 * How long connecting a client (TCP, TLS, SASL and its first metadata answer) may take: the
 * connection timeout, at least librdkafka's floor of 1 s. A process that gives up on an
 * unreachable cluster exits once this has passed, so it is not the (longer) request timeout.
 */
export function connectTimeoutMs(s: Pick<ClientSettings, 'connectionTimeoutMs'>): number {
  return Math.max(1000, s.connectionTimeoutMs)
}

/** Properties every client (producer, consumer, admin) shares: brokers, id, timeouts, TLS, SASL. */
export function commonConfig(s: ClientSettings): RdConfig {
  const out: RdConfig = {
    'metadata.broker.list': s.brokers.join(','),
    'client.id': s.clientId,
    // librdkafka's floor is 1 s; TCP, TLS and SASL must complete within it.
    'socket.connection.setup.timeout.ms': connectTimeoutMs(s),
    'socket.keepalive.enable': true,
    // Reconnect within a second of a broker coming back (librdkafka's default backs off to 10 s).
    'reconnect.backoff.ms': 100,
    'reconnect.backoff.max.ms': 1000,
    // Info and above reach the log forwarder, which writes warnings at warn and the rest at debug.
    log_level: 6,
    ...securityConfig(s),
  }
  return out
}

/** `security.protocol` and the TLS and SASL properties. */
export function securityConfig(s: Pick<ClientSettings, 'tls' | 'sasl'>): RdConfig {
  const out: RdConfig = {
    'security.protocol': s.tls ? (s.sasl ? 'sasl_ssl' : 'ssl') : s.sasl ? 'sasl_plaintext' : 'plaintext',
  }
  if (s.sasl) {
    out['sasl.mechanisms'] = SASL_MECHANISMS[s.sasl.mechanism]
    out['sasl.username'] = s.sasl.username
    out['sasl.password'] = s.sasl.password
  }
  if (s.tls) {
    if (s.tls.ca) out['ssl.ca.pem'] = s.tls.ca
    if (s.tls.cert) out['ssl.certificate.pem'] = s.tls.cert
    if (s.tls.key) out['ssl.key.pem'] = s.tls.key
    out['enable.ssl.certificate.verification'] = s.tls.rejectUnauthorized
    // Without verification the host name is not checked either (Node's rejectUnauthorized: false).
    out['ssl.endpoint.identification.algorithm'] = s.tls.rejectUnauthorized ? 'https' : 'none'
  }
  return out
}

/** Options of {@link producerConfig} beyond the client settings. */
export interface ProducerConfigOptions {
  /** `kafka.max_message_bytes`: librdkafka must accept any record delivery lets through. */
  readonly maxMessageBytes?: number
}

/**
 * A client's configuration in librdkafka's two parts. node-rdkafka replaces the default topic
 * configuration with `topic`, so topic-level properties (acks, timeouts, the partitioner) must be
 * there: set in `global` they would be silently dropped.
 */
export interface RdClientConfig {
  readonly global: RdConfig
  readonly topic: RdConfig
}

/**
 * The idempotent producer: acks all, the Java client's murmur2 partitioning (so a key lands on
 * the partition kafkajs' DefaultPartitioner and the Java client pick), delivery reports, and a
 * message timeout equal to the request timeout so a broker that is down surfaces as a failed
 * `send()` within about that time (delivery then retries, backs off and spools).
 */
export function producerConfig(s: ClientSettings, options: ProducerConfigOptions = {}): RdClientConfig {
  const maxMessage = Math.max(1_000_000, (options.maxMessageBytes ?? 0) + RECORD_OVERHEAD_BYTES)
  return {
    global: {
      ...commonConfig(s),
      'enable.idempotence': s.idempotent,
      // The idempotent producer keeps order with up to 5 requests in flight; without it, one.
      'max.in.flight.requests.per.connection': s.idempotent ? 5 : 1,
      // librdkafka retries a request itself (same sequence numbers) until the message times out.
      'retry.backoff.ms': 100,
      'retry.backoff.max.ms': 1000,
      'message.max.bytes': maxMessage,
      'batch.size': Math.min(PRODUCER_TUNING['batch.size'], maxMessage),
      'allow.auto.create.topics': s.autoCreateTopics,
      'linger.ms': PRODUCER_TUNING['linger.ms'],
      'batch.num.messages': PRODUCER_TUNING['batch.num.messages'],
      'queue.buffering.max.messages': PRODUCER_TUNING['queue.buffering.max.messages'],
      'queue.buffering.max.kbytes': PRODUCER_TUNING['queue.buffering.max.kbytes'],
      dr_cb: true,
    },
    topic: {
      'request.required.acks': -1,
      partitioner: 'murmur2_random',
      'compression.codec': s.compression === 'gzip' ? 'gzip' : 'none',
      'message.timeout.ms': s.requestTimeoutMs,
      'request.timeout.ms': s.requestTimeoutMs,
    },
  }
}

/**
 * A client for metadata, watermarks and the reachability probe: a producer that never produces
 * (librdkafka has no separate metadata client).
 */
export function metadataConfig(s: ClientSettings): RdConfig {
  return { ...commonConfig(s), 'allow.auto.create.topics': false }
}

/**
 * A consumer that reads committed offsets for `groupId` or reads a topic by assignment: it never
 * joins the group, commits nothing and never creates a topic.
 */
export function consumerConfig(s: ClientSettings, groupId: string): RdClientConfig {
  return {
    global: {
      ...commonConfig(s),
      'group.id': groupId,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'allow.auto.create.topics': false,
      'enable.partition.eof': true,
      'fetch.wait.max.ms': 100,
      'socket.timeout.ms': Math.max(10, s.requestTimeoutMs),
    },
    topic: { 'auto.offset.reset': 'earliest' },
  }
}

/**
 * The admin client (topic creation only). node-rdkafka gives it no log callback, so librdkafka
 * would print to stderr: its failures reach the caller as errors instead, and it logs nothing.
 */
export function adminConfig(s: ClientSettings): RdConfig {
  return { ...commonConfig(s), log_level: 0 }
}
