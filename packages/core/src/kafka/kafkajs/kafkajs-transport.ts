/**
 * The kafkajs backend of {@link KafkaTransport}: one idempotent producer (acks all, one request in
 * flight), an admin client for topics, lag and the reachability probe, and throw-away consumers
 * to read a topic to its end. Clients connect on first use.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { FirefrontError } from '@firefront/sdk'
import {
  type Admin,
  CompressionTypes,
  type IHeaders,
  Kafka,
  type KafkaConfig as KafkaJsConfig,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs'
import type { KafkaBackend, KafkaTransport, KafkaTransportOptions, TopicRecord } from '../transport'
import { createRedactor } from '../redact'
import { KAFKAJS_RETRY, kafkajsClientConfig } from './client-options'
import { classifyFailure } from './failure'
import { openKafkajsTransactional } from './transactional'

interface CreateTopicFailure {
  topic?: string
  type?: string
  message?: string
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue
    const first = Array.isArray(v) ? v[0] : v
    if (first !== undefined) out[k] = first.toString()
  }
  return out
}

/** Opens a kafkajs {@link KafkaTransport}: reads the TLS files now, connects on first use. */
export const openKafkajsTransport: KafkaBackend = async (options: KafkaTransportOptions): Promise<KafkaTransport> => {
  const retry = { ...KAFKAJS_RETRY, ...(options.retries !== undefined ? { retries: options.retries } : {}) }
  let base: KafkaJsConfig
  let redactor = createRedactor([])
  if (options.kafka) {
    const client = await kafkajsClientConfig(options.kafka, {
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.clientIdSuffix ? { clientIdSuffix: options.clientIdSuffix } : {}),
    })
    base = client.kafkajs
    redactor = client.redactor
  } else {
    base = { brokers: [], clientId: `firefront${options.clientIdSuffix ?? ''}`, logLevel: logLevel.NOTHING }
  }
  const kafka = new Kafka({
    ...base,
    ...(options.brokers ? { brokers: [...options.brokers] } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
    retry,
  })
  const k = options.kafka
  const idempotent = options.idempotent ?? true
  const requestTimeout = options.requestTimeoutMs ?? k?.request_timeout_ms ?? 30_000
  const compression = k?.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None
  const newProducer = (): Producer =>
    kafka.producer({
      idempotent,
      // The idempotent producer keeps order and dedupes only with one request in flight.
      maxInFlightRequests: idempotent ? 1 : undefined,
      allowAutoTopicCreation: k?.topics.auto_create ?? true,
      // Named explicitly: the Java client's murmur2 partitioning (and no kafkajs v2 notice).
      createPartitioner: Partitioners.DefaultPartitioner,
      retry,
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
    admin ??= kafka.admin({ retry })
    if (!adminConnected) {
      await admin.connect()
      adminConnected = true
    }
    return admin
  }

  return {
    client: 'kafkajs',
    redactor,

    async connect() {
      await ensureProducer()
    },

    async send(topic, messages) {
      const p = await ensureProducer()
      await p.sendBatch({
        acks: -1,
        timeout: requestTimeout,
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

    async createTopics(topics, spec = {}) {
      if (topics.length === 0) return []
      const a = await ensureAdmin()
      const existing = new Set(await a.listTopics())
      const missing = topics.filter((t) => !existing.has(t))
      if (missing.length === 0) return []
      const partitions = spec.partitions ?? k?.topics.partitions ?? 1
      const replicationFactor = spec.replicationFactor ?? k?.topics.replication_factor ?? 1
      try {
        await a.createTopics({
          waitForLeaders: true,
          timeout: requestTimeout,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: partitions,
            replicationFactor,
            ...(spec.compacted ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
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
          `kafka refused to create topic "${topic}" (${partitions} partitions, replication factor ${replicationFactor}): ${redactor.text(first.message ?? String(err))} [${first.type}]`,
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

    classify: classifyFailure,

    async transactional(transactionalId) {
      return openKafkajsTransactional(kafka, transactionalId, {
        // opening waits out CONCURRENT_TRANSACTIONS while the broker aborts the old holder's transaction
        retry: { ...retry, retries: Math.max(retry.retries ?? 1, 8), maxRetryTime: 2000 },
        requestTimeout,
        compression,
        transactionTimeoutMs: Math.max(60_000, requestTimeout * 6),
        autoCreateTopics: k?.topics.auto_create ?? true,
      })
    },

    async readLag(groups) {
      const a = await ensureAdmin()
      const byGroup: Record<string, number> = {}
      for (const groupId of groups) {
        const committed = await a.fetchOffsets({ groupId })
        let lag = 0
        for (const { topic, partitions } of committed) {
          const ends = await a.fetchTopicOffsets(topic)
          for (const end of ends) {
            const high = Number(end.high)
            const low = Number(end.low)
            const c = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
            lag += Math.max(0, high - (c >= 0 ? c : low))
          }
        }
        byGroup[groupId] = lag
      }
      return byGroup
    },

    async readTopic(topic, visit, { timeoutMs }) {
      const a = await ensureAdmin()
      const ends = async () => {
        const high = new Map<number, bigint>()
        let total = 0n
        if (!(await a.listTopics()).includes(topic)) return { high, total }
        for (const o of await a.fetchTopicOffsets(topic)) {
          const h = BigInt(o.high)
          const l = BigInt(o.low)
          if (h > l) {
            high.set(o.partition, h)
            total += h - l
          }
        }
        return { high, total }
      }
      // "Nothing to read" is answered from two looks: on a loaded broker one metadata or offsets
      // answer has been seen to miss a topic written a moment before.
      let { high, total } = await ends()
      if (high.size === 0) {
        await delay(250)
        ;({ high, total } = await ends())
      }
      if (high.size === 0) return 0
      const groupId = `firefront-reader-${randomUUID()}`
      const consumer = kafka.consumer({ groupId, retry, allowAutoTopicCreation: false })
      await consumer.connect()
      try {
        await consumer.subscribe({ topic, fromBeginning: true })
        const done = new Set<number>()
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new FirefrontError('ERR_TIMEOUT', `reading ${topic} took longer than ${timeoutMs} ms`)),
            timeoutMs,
          )
          consumer
            .run({
              autoCommit: false,
              // eachBatch, not eachMessage: a transaction's commit marker takes an offset but is
              // never handed over as a message, so the end is judged by the batch's last offset.
              eachBatch: async ({ batch }) => {
                const partition = batch.partition
                const end = high.get(partition)
                if (end === undefined || done.has(partition)) return
                for (const message of batch.messages) {
                  if (BigInt(message.offset) >= end) break
                  const record: TopicRecord = {
                    partition,
                    offset: message.offset,
                    key: message.key,
                    value: message.value,
                    timestamp: message.timestamp,
                    headers: headerStrings(message.headers),
                  }
                  visit(record)
                }
                if (BigInt(batch.lastOffset()) + 1n >= end) {
                  done.add(partition)
                  if (done.size === high.size) {
                    clearTimeout(timer)
                    resolve()
                  }
                }
              },
            })
            .catch((err: unknown) => {
              clearTimeout(timer)
              reject(err)
            })
        })
      } finally {
        await consumer.disconnect().catch(() => {})
        // The group never committed; removing it keeps the broker's group list clean.
        await a.deleteGroups([groupId]).catch(() => {})
      }
      return Number(total)
    },

    async disconnect() {
      // both clients are disconnected; a failure of either is reported after, not swallowed
      const failures: string[] = []
      await producer.disconnect().catch((err: unknown) => failures.push(`producer: ${(err as Error).message}`))
      producerConnected = false
      if (admin) await admin.disconnect().catch((err: unknown) => failures.push(`admin: ${(err as Error).message}`))
      adminConnected = false
      if (failures.length > 0) throw new Error(`kafka clients did not disconnect cleanly (${failures.join('; ')})`)
    },
  }
}
