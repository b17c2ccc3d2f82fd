/**
 * kafkajs transactional producers: a stable `transactional.id` per source, `initTransactions` at
 * connect (which fences every older producer with that id), one transaction at a time.
 */
import {
  type CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type RetryOptions,
} from 'kafkajs'
import type { Transaction, TransactionalProducer } from '../transport'

/** Options of {@link openKafkajsTransactional}. */
export interface KafkajsTransactionalOptions {
  readonly retry: RetryOptions
  readonly requestTimeout: number
  readonly compression: CompressionTypes
  /** The broker aborts a transaction left open longer than this (a crashed worker's). */
  readonly transactionTimeoutMs: number
  readonly autoCreateTopics: boolean
}

/** Connects a transactional producer for `transactionalId`; older producers with that id are fenced. */
export async function openKafkajsTransactional(
  kafka: Kafka,
  transactionalId: string,
  options: KafkajsTransactionalOptions,
): Promise<TransactionalProducer> {
  const producer: Producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: options.transactionTimeoutMs,
    allowAutoTopicCreation: options.autoCreateTopics,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: options.retry,
  })
  // kafkajs runs initTransactions (and so fences the older producers) on connect
  await producer.connect()
  let open = false
  return {
    transactionalId,
    async begin(): Promise<Transaction> {
      if (open) throw new Error(`a transaction of ${transactionalId} is already open`)
      const txn = await producer.transaction()
      open = true
      return {
        async send(topic, messages) {
          await txn.send({
            topic,
            acks: -1,
            timeout: options.requestTimeout,
            compression: options.compression,
            messages: messages as unknown as Message[],
          })
        },
        async commit() {
          try {
            await txn.commit()
          } finally {
            open = false
          }
        },
        async abort() {
          try {
            if (txn.isActive()) await txn.abort()
          } catch {
            // A fenced or disconnected producer cannot abort; the broker aborts the transaction at
            // its timeout, and nothing of it is ever visible to read_committed consumers.
          } finally {
            open = false
          }
        },
      }
    },
    async disconnect() {
      await producer.disconnect().catch(() => {})
    },
  }
}
