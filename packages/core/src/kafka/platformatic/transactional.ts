/**
 * @platformatic/kafka transactional producers: a stable `transactional.id` per source,
 * InitProducerId at open (which fences every older producer with that id and aborts its open
 * transaction), one transaction at a time.
 */
import { FirefrontError } from '@firefront/sdk'
import { type BaseOptions, Producer, ProduceAcks } from '@platformatic/kafka'
import type { KafkaMessage, Transaction, TransactionalProducer } from '../transport'
import { MAX_RECORDS_PER_SEND, retryDelay } from './client-options'
import { closeWithin, forceClose } from './close-clients'
import { toProduceMessages } from './messages'
import { createJavaCompatiblePartitioner } from './partitioner'

/** Options of {@link openPlatformaticTransactional}. */
export interface PlatformaticTransactionalOptions {
  /** The options every client of the transport shares. */
  readonly base: BaseOptions
  readonly compression: 'none' | 'gzip'
  /** The broker aborts a transaction left open longer than this (a crashed worker's). */
  readonly transactionTimeoutMs: number
  readonly autoCreateTopics: boolean
}

/** The library's transaction (its class is not exported). */
type LibraryTransaction = Awaited<ReturnType<Producer['beginTransaction']>>

/** Retries of one request of a transactional producer, and the longest wait between two. */
const TRANSACTIONAL_RETRIES = 8
const TRANSACTIONAL_MAX_DELAY_MS = 2000

/** Broker answers that mean a newer producer with this transactional id took over. */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_FENCED'])

function fencingType(err: unknown): string | undefined {
  const seen = new Set<unknown>()
  const walk = (cur: unknown): string | undefined => {
    if (!cur || typeof cur !== 'object' || seen.has(cur) || seen.size > 32) return undefined
    seen.add(cur)
    const e = cur as { apiId?: unknown; errors?: unknown; cause?: unknown }
    if (typeof e.apiId === 'string' && FENCED_TYPES.has(e.apiId)) return e.apiId
    for (const inner of Array.isArray(e.errors) ? e.errors : []) {
      const found = walk(inner)
      if (found) return found
    }
    return walk(e.cause)
  }
  return walk(err)
}

/** Rethrows a fencing answer as `ERR_FENCED` (classified `fenced`); other errors as they are. */
async function fencedAware<T>(transactionalId: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    const type = fencingType(err)
    if (type === undefined) throw err
    throw new FirefrontError(
      'ERR_FENCED',
      `transactional id ${transactionalId} is fenced: a newer producer took it over (${type})`,
      { cause: err },
    )
  }
}

/** Opens a transactional producer for `transactionalId`; older producers with that id are fenced. */
export async function openPlatformaticTransactional(
  transactionalId: string,
  options: PlatformaticTransactionalOptions,
): Promise<TransactionalProducer> {
  const producer = new Producer({
    ...options.base,
    transactionalId,
    idempotent: true,
    // Opening waits out CONCURRENT_TRANSACTIONS while the broker aborts the old holder's
    // transaction (as the kafkajs backend does); a bounded count, so a send still fails within
    // seconds for the writer's own backoff (the library would make 0 or 1 retries unlimited).
    retries: Math.max(TRANSACTIONAL_RETRIES, typeof options.base.retries === 'number' ? options.base.retries : 1),
    retryDelay: (_client, _operation, attempt) => retryDelay(attempt, TRANSACTIONAL_MAX_DELAY_MS),
    // InitProducerId takes the client's `timeout` as the transaction timeout; requests still
    // give up after `requestTimeout`.
    timeout: options.transactionTimeoutMs,
    acks: ProduceAcks.ALL,
    compression: options.compression,
    autocreateTopics: options.autoCreateTopics,
    partitioner: createJavaCompatiblePartitioner(),
  })
  // Beginning a first transaction sends InitProducerId: the fencing happens when the source is
  // taken over, not at its first write. Nothing was sent in it: cancelling asks the broker nothing.
  try {
    // A producer id and epoch of -1: a new producer for this transactional id (the library would
    // send 0 and 0, which the broker takes for a stale epoch of another producer and fences).
    const first = await fencedAware(transactionalId, () =>
      producer.beginTransaction({ producerId: -1n, producerEpoch: -1 }),
    )
    await first.cancel()
  } catch (err) {
    await closeWithin(() => forceClose(producer), 'the transactional producer').catch(() => {})
    throw err
  }
  let open = false
  return {
    transactionalId,
    async begin(): Promise<Transaction> {
      if (open) throw new Error(`a transaction of ${transactionalId} is already open`)
      const txn: LibraryTransaction = await fencedAware(transactionalId, () => producer.beginTransaction())
      open = true
      return {
        async send(topic: string, messages: readonly KafkaMessage[]) {
          // In runs of MAX_RECORDS_PER_SEND: all of them commit or abort together anyway.
          for (let i = 0; i < messages.length; i += MAX_RECORDS_PER_SEND) {
            const run = messages.slice(i, i + MAX_RECORDS_PER_SEND)
            await fencedAware(transactionalId, () =>
              txn.send({ messages: toProduceMessages(topic, run), acks: ProduceAcks.ALL }),
            )
          }
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
            if (!txn.completed) await txn.abort()
          } catch {
            // A fenced or disconnected producer cannot abort; the broker aborts the transaction at
            // its timeout, and nothing of it is ever visible to read_committed consumers.
            await txn.cancel().catch(() => {})
          } finally {
            open = false
          }
        },
      }
    },
    async disconnect() {
      await closeWithin(() => forceClose(producer), 'the transactional producer').catch(() => {})
    },
  }
}
