/**
 * The @platformatic/kafka backend of {@link KafkaTransport}: one idempotent producer (acks all,
 * one request in flight, Java-compatible partitioning), an admin client for topics, lag and the
 * reachability probe, throw-away consumers to read a topic to its end, and transactional
 * producers for exactly-once writes. Clients connect on first use.
 */
import { Admin, type BaseOptions, Producer, ProduceAcks } from '@platformatic/kafka'
import { type ClientSettings, resolveClientSettings } from '../client-settings'
import type { KafkaBackend, KafkaTransport, KafkaTransportOptions } from '../transport'
import { baseOptions, MAX_RECORDS_PER_SEND } from './client-options'
import { logClientEvents } from './client-events'
import { closeWithin, forceClose } from './close-clients'
import { classifyFailure } from './failure'
import { toProduceMessages } from './messages'
import { createJavaCompatiblePartitioner } from './partitioner'
import { readTopicToEnd } from './read-topic'
import { consumerLag, createMissingTopics } from './topic-admin'
import { openPlatformaticTransactional } from './transactional'

function newProducer(settings: ClientSettings, base: BaseOptions): Producer {
  const producer = new Producer({
    ...base,
    // Idempotence is asked for on each send instead: a producer built with `idempotent: true`
    // replaces a retry count of 0 or 1 with unlimited retries, and a down broker would then
    // hold a send forever instead of handing it back to delivery's backoff and spool.
    idempotent: false,
    // The idempotent producer keeps order and dedupes only with one request in flight.
    ...(settings.idempotent ? { maxInflights: 1 } : {}),
    acks: ProduceAcks.ALL,
    compression: settings.compression === 'gzip' ? 'gzip' : 'none',
    autocreateTopics: settings.autoCreateTopics,
    partitioner: createJavaCompatiblePartitioner(),
  })
  logClientEvents(producer, 'producer', settings.logger, settings.redactor)
  return producer
}

/** Opens a @platformatic/kafka {@link KafkaTransport}: reads the TLS files now, connects on first use. */
export const openPlatformaticTransport: KafkaBackend = async (
  options: KafkaTransportOptions,
): Promise<KafkaTransport> => {
  const settings = await resolveClientSettings(options)
  const { redactor } = settings
  const base: BaseOptions = { ...baseOptions(settings), autocreateTopics: false }
  let producer: Producer | undefined
  let admin: Admin | undefined

  const ensureProducer = (): Producer => {
    producer ??= newProducer(settings, base)
    return producer
  }
  const closeProducer = async (): Promise<void> => {
    const p = producer
    producer = undefined
    if (p) await forceClose(p)
  }

  const ensureAdmin = (): Admin => {
    if (!admin) {
      admin = new Admin(base)
      logClientEvents(admin, 'admin', settings.logger, redactor)
    }
    return admin
  }
  const closeAdmin = async (): Promise<void> => {
    const a = admin
    admin = undefined
    await a?.close()
  }

  // A producer id (idempotent) or the cluster's metadata: either needs a broker that answers.
  const connect = async (): Promise<void> => {
    const p = ensureProducer()
    if (!settings.idempotent) await p.metadata({ topics: [] })
    else if (p.producerId === undefined) await p.initIdempotentProducer({})
  }

  return {
    client: 'platformatic',
    redactor,
    maxRecordsPerSend: MAX_RECORDS_PER_SEND,

    connect,

    async send(topic, messages) {
      if (messages.length === 0) return
      await ensureProducer().send({
        messages: toProduceMessages(topic, messages),
        idempotent: settings.idempotent,
        acks: ProduceAcks.ALL,
      })
    },

    async probe() {
      const a = ensureAdmin()
      try {
        await a.metadata({ topics: [], forceUpdate: true })
      } catch (err) {
        // A fresh client next time: the old one may hold a connection to a dead socket.
        await closeAdmin().catch(() => {})
        throw err
      }
    },

    async createTopics(topics, spec = {}) {
      return createMissingTopics(ensureAdmin(), topics, spec, {
        partitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        requestTimeoutMs: settings.requestTimeoutMs,
        redactor,
      })
    },

    async resetProducer() {
      await closeWithin(closeProducer, 'the old producer').catch(() => {})
      await connect()
    },

    classify(err) {
      const failure = classifyFailure(err)
      return { ...failure, message: redactor.text(failure.message) }
    },

    async transactional(transactionalId) {
      return openPlatformaticTransactional(transactionalId, {
        base,
        compression: settings.compression,
        // As the kafkajs backend: long enough for a slow poll, short enough to free a crashed one's.
        transactionTimeoutMs: Math.max(60_000, settings.requestTimeoutMs * 6),
        autoCreateTopics: settings.autoCreateTopics,
      })
    },

    async readLag(groups) {
      return consumerLag(ensureAdmin(), groups)
    },

    async readTopic(topic, visit, readOptions) {
      return readTopicToEnd(ensureAdmin(), base, topic, visit, readOptions)
    },

    async disconnect() {
      // both clients are closed; a failure of either is reported after, not swallowed
      const failures: string[] = []
      await closeWithin(closeProducer, 'the producer').catch((err: unknown) =>
        failures.push(`producer: ${redactor.message(err)}`),
      )
      await closeWithin(closeAdmin, 'the admin client').catch((err: unknown) =>
        failures.push(`admin: ${redactor.message(err)}`),
      )
      if (failures.length > 0) throw new Error(`kafka clients did not disconnect cleanly (${failures.join('; ')})`)
    },
  }
}
