/**
 * The sink's only contact with kafkajs for producing: one idempotent producer (acks all, one
 * request in flight), an admin client for topics and the reachability probe. Behind the
 * {@link KafkaTransport} interface, so the delivery logic can be tested without a broker.
 */
import { FirefrontError } from '@firefront/sdk'
import { type Admin, CompressionTypes, Kafka, type Message, Partitioners, type Producer } from 'kafkajs'
import type { ClientConfig } from './client-options'
import { KAFKAJS_RETRY } from './client-options'
import type { KafkaSinkConfig } from './config'
import type { Redactor } from './redact'
import type { OutMessage } from './messages'

/** What the producer wrapper needs from Kafka. */
export interface KafkaTransport {
  /** Connects the producer. Throws when no broker answers. */
  connect(): Promise<void>
  /** Sends `messages` to `topic` as one produce request (kafkajs `sendBatch`), acks all. */
  send(topic: string, messages: readonly OutMessage[]): Promise<void>
  /** A metadata request: resolves when a broker answers. */
  probe(): Promise<void>
  /**
   * Creates the topics that do not exist yet; returns the ones it created. Throws a
   * `FirefrontError` `ERR_SINK_REFUSED` naming the topic and the broker's message when the broker
   * refuses one, and the client's error when no broker answers.
   */
  createTopics(topics: readonly string[]): Promise<string[]>
  /** Replaces the producer with a new one (a new producer id), after the broker lost its state. */
  resetProducer(): Promise<void>
  disconnect(): Promise<void>
}

/** Options of {@link createKafkajsTransport}. */
export interface KafkajsTransportOptions {
  readonly config: KafkaSinkConfig
  readonly client: ClientConfig
  readonly redactor: Redactor
}

interface CreateTopicFailure {
  topic?: string
  type?: string
  message?: string
}

/** The kafkajs implementation of {@link KafkaTransport}. */
export function createKafkajsTransport({ config, client, redactor }: KafkajsTransportOptions): KafkaTransport {
  const kafka = new Kafka(client.kafkajs)
  const k = config.kafka
  const compression = k.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None
  const newProducer = (): Producer =>
    kafka.producer({
      idempotent: config.idempotent,
      // The idempotent producer keeps order and dedupes only with one request in flight.
      maxInFlightRequests: config.idempotent ? 1 : undefined,
      allowAutoTopicCreation: k.topics.auto_create,
      // Named explicitly: the Java client's murmur2 partitioning (and no kafkajs v2 notice).
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { ...KAFKAJS_RETRY },
    })
  let producer = newProducer()
  let producerConnected = false
  let admin: Admin | undefined
  let adminConnected = false

  const ensureProducer = async (): Promise<Producer> => {
    if (!producerConnected) {
      await producer.connect()
      producerConnected = true
    }
    return producer
  }
  const ensureAdmin = async (): Promise<Admin> => {
    admin ??= kafka.admin({ retry: { ...KAFKAJS_RETRY } })
    if (!adminConnected) {
      await admin.connect()
      adminConnected = true
    }
    return admin
  }

  return {
    async connect() {
      await ensureProducer()
    },

    async send(topic, messages) {
      const p = await ensureProducer()
      await p.sendBatch({
        acks: -1,
        timeout: k.request_timeout_ms,
        compression,
        topicMessages: [
          {
            topic,
            // kafkajs reads the messages and does not change them: no copy on the hot path.
            messages: messages as unknown as Message[],
          },
        ],
      })
    },

    async probe() {
      const a = await ensureAdmin()
      try {
        await a.describeCluster()
      } catch (err) {
        // A fresh connection next time: the old one may point at a dead socket.
        adminConnected = false
        await a.disconnect().catch(() => {})
        throw err
      }
    },

    async createTopics(topics) {
      if (topics.length === 0) return []
      const a = await ensureAdmin()
      const existing = new Set(await a.listTopics())
      const missing = topics.filter((t) => !existing.has(t))
      if (missing.length === 0) return []
      try {
        await a.createTopics({
          waitForLeaders: true,
          timeout: k.request_timeout_ms,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: k.topics.partitions,
            replicationFactor: k.topics.replication_factor,
          })),
        })
      } catch (err) {
        const failures = ((err as { errors?: CreateTopicFailure[] }).errors ?? [err as CreateTopicFailure]).filter(
          (f) => f.type !== undefined && f.type !== 'TOPIC_ALREADY_EXISTS',
        )
        const first = failures[0]
        if (!first) throw err
        const topic = first.topic ?? missing.join(', ')
        throw new FirefrontError(
          'ERR_SINK_REFUSED',
          `kafka refused to create topic "${topic}" (${k.topics.partitions} partitions, replication factor ${k.topics.replication_factor}): ${redactor.text(first.message ?? String(err))} [${first.type}]`,
          { cause: err },
        )
      }
      return missing
    },

    async resetProducer() {
      const old = producer
      producer = newProducer()
      producerConnected = false
      await old.disconnect().catch(() => {})
      await ensureProducer()
    },

    async disconnect() {
      await producer.disconnect().catch(() => {})
      producerConnected = false
      if (admin) await admin.disconnect().catch(() => {})
      adminConnected = false
    },
  }
}
