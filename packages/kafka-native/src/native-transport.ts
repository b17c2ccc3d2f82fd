/**
 * The native backend of Firefront's {@link KafkaTransport}: librdkafka through node-rdkafka. One
 * idempotent producer, a metadata client and an admin client for topics and the probe, and
 * consumers that never join a group for lag and for reading a topic. Clients connect on first use.
 */
import type { KafkaBackend, KafkaTransport, KafkaTransportOptions } from '@firefront/core'
import { resolveClientSettings } from '@firefront/core'
import { adminConfig, consumerConfig, metadataConfig, producerConfig } from './client-config'
import { classifyNativeFailure } from './failure'
import { type BatchAddon, loadBatchAddon } from './load-batch-addon'
import { loadRdKafka } from './load-rdkafka'
import { createLogForwarder } from './log-forwarder'
import { NativeAdmin } from './native-admin'
import { NativeProducer } from './native-producer'
import { NativeReader } from './native-reader'
import { openNativeTransactional } from './native-transactional'
import { ProcessProducer } from './process-producer'
import type { RdKafkaBatch } from '@firefront/rdkafka-batch'
import { FirefrontError } from '@firefront/sdk'

/**
 * Sends in flight at once that the transport keeps in order: each hands its records to librdkafka
 * after the previous one, and the idempotent producer keeps per-partition order across its
 * requests in flight. The bound is the config's (`kafka.max_in_flight_batches` at most 16).
 */
const MAX_IN_FLIGHT_BATCHES = 16

/** How long `disconnect()` lets the producer deliver what it still holds. */
const DISCONNECT_FLUSH_MS = 5000

/**
 * The batch addon when `kafka.native_producer` asks for it (`batch`, or `auto` where it is built
 * and no producer process is asked for); undefined for node-rdkafka's per-record producer.
 */
export async function batchAddonFor(
  options: KafkaTransportOptions,
  load: () => Promise<BatchAddon> = loadBatchAddon,
): Promise<RdKafkaBatch | undefined> {
  const choice = options.kafka?.native_producer ?? 'auto'
  if (choice === 'node-rdkafka' || (choice === 'auto' && options.kafka?.producer_process)) return undefined
  const loaded = await load()
  if (loaded.addon) return loaded.addon
  if (choice === 'batch') {
    throw new FirefrontError(
      'ERR_PLUGIN_NOT_FOUND',
      `kafka.native_producer "batch": ${loaded.reason}; install @firefront/rdkafka-batch (it compiles against node-rdkafka's librdkafka or librdkafka-dev), or set native_producer: node-rdkafka`,
    )
  }
  options.logger?.info?.(
    { reason: loaded.reason },
    'kafka.client native: the batch producer is not available here, producing through node-rdkafka per record',
  )
  return undefined
}

/**
 * Opens a native {@link KafkaTransport}: loads node-rdkafka (a clear error naming what to install
 * when it is missing), reads the TLS files now, connects on first use.
 *
 * @example
 * ```ts
 * import { openNativeTransport } from '@firefront/kafka-native'
 * const transport = await openNativeTransport({ brokers: ['127.0.0.1:9092'] })
 * await transport.send('fires', [{ key: 'cell-1', value: '{"frp":1.5}' }])
 * await transport.disconnect()
 * ```
 */
export const openNativeTransport: KafkaBackend = async (options: KafkaTransportOptions): Promise<KafkaTransport> => {
  const rd = loadRdKafka()
  const settings = await resolveClientSettings(options)
  const redactor = settings.redactor
  const forward = createLogForwarder(settings.logger, redactor)
  const producerConf = producerConfig(settings, {
    ...(options.kafka ? { maxMessageBytes: options.kafka.max_message_bytes } : {}),
  })
  const batch = await batchAddonFor(options)
  const newProducer = (): NativeProducer | ProcessProducer =>
    options.kafka?.producer_process
      ? new ProcessProducer({
          data: {
            global: producerConf.global,
            topic: producerConf.topic,
            brokers: settings.brokers,
            connectionTimeoutMs: settings.connectionTimeoutMs,
            requestTimeoutMs: settings.requestTimeoutMs,
          },
          forward,
          redact: redactor.text,
        })
      : new NativeProducer({
          rd,
          ...(batch ? { batch } : {}),
          config: producerConf,
          settings,
          forward,
          redact: redactor.text,
        })
  let producer = newProducer()
  settings.logger?.debug?.(
    { producer: batch ? 'batch' : options.kafka?.producer_process ? 'node-rdkafka in a process' : 'node-rdkafka' },
    'native kafka producer',
  )
  const admin = new NativeAdmin({
    rd,
    metadataConfig: metadataConfig(settings),
    adminConfig: adminConfig(settings),
    settings,
    forward,
    redactor,
  })
  const reader = new NativeReader({
    rd,
    settings,
    admin,
    consumerConfig: (groupId) => consumerConfig(settings, groupId),
    forward,
    redact: redactor.text,
  })

  return {
    client: 'native',
    redactor,
    maxInFlightBatches: MAX_IN_FLIGHT_BATCHES,

    connect: () => producer.connect(),

    send: (topic, messages) => producer.send(topic, messages),

    probe: () => admin.probe(),

    createTopics: (topics, spec) => admin.createTopics(topics, spec),

    async resetProducer() {
      const old = producer
      producer = newProducer()
      await old.close(0)
      await producer.connect()
    },

    classify: classifyNativeFailure,

    transactional: (transactionalId) =>
      openNativeTransactional(transactionalId, {
        rd,
        config: producerConf,
        settings,
        forward,
        redact: redactor.text,
        transactionTimeoutMs: Math.max(60_000, settings.requestTimeoutMs * 6),
      }),

    readLag: (groups) => reader.readLag(groups),

    readTopic: (topic, visit, { timeoutMs }) => reader.readTopic(topic, visit, timeoutMs),

    async disconnect() {
      // Every client is closed, each within its own bound; none can make this hang.
      await Promise.allSettled([producer.close(DISCONNECT_FLUSH_MS), reader.close(), admin.close()])
    },
  }
}
