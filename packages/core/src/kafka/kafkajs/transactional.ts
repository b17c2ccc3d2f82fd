/**
 * kafkajs transactional producers: a stable `transactional.id` per source, `initTransactions` at
 * connect (which fences every older producer with that id), one transaction at a time.
 */
import { FirefrontError } from '@firefront/sdk'
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

/** Broker answers that mean a newer producer with this transactional id took over. */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_FENCED'])

/** Rethrows a fencing answer as `ERR_FENCED` (classified `fenced`); other errors as they are. */
async function fencedAware<T>(transactionalId: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    let cur: unknown = err
    for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
      const type = (cur as { type?: unknown }).type
      if (typeof type === 'string' && FENCED_TYPES.has(type)) {
        throw new FirefrontError(
          'ERR_FENCED',
          `transactional id ${transactionalId} is fenced: a newer producer took it over (${type})`,
          { cause: err },
        )
      }
      cur =
        (cur as { cause?: unknown; originalError?: unknown }).cause ??
        (cur as { originalError?: unknown }).originalError
    }
    throw err
  }
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
  await producer.connect()
  // kafkajs sends InitProducerId (which fences the older producers and aborts their open
  // transaction) only with its first transaction: begin and abort an empty one now, so the
  // fencing happens when the source is taken over, not at its first write.
  try {
    const first = await producer.transaction()
    await first.abort()
  } catch (err) {
    await producer.disconnect().catch(() => {})
    throw err
  }
  let open = false
  return {
    transactionalId,
    async begin(): Promise<Transaction> {
      if (open) throw new Error(`a transaction of ${transactionalId} is already open`)
      const txn = await fencedAware(transactionalId, () => producer.transaction())
      open = true
      return {
        async send(topic, messages) {
          await fencedAware(transactionalId, () =>
            txn.send({
              topic,
              acks: -1,
              timeout: options.requestTimeout,
              compression: options.compression,
              messages: messages as unknown as Message[],
            }),
          )
        },
        async commit() {
          try {
            await fencedAware(transactionalId, () => txn.commit())
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
