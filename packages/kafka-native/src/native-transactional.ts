/**
 * Transactional producers on librdkafka: a stable `transactional.id` per source, `initTransactions`
 * when opened (which fences every older producer with that id and aborts its open transaction),
 * one transaction at a time, each send waiting for its delivery reports.
 */
import type { ClientSettings, Transaction, TransactionalProducer } from '@firefront/core'
import { FirefrontError } from '@firefront/sdk'
import type { RdClientConfig } from './client-config'
import type { LogForwarder } from './log-forwarder'
import { rdCodeOf } from './native-error'
import { NativeProducer } from './native-producer'
import type { RdKafkaModule } from './rdkafka-api'

/** Broker and librdkafka answers that mean a newer producer with this transactional id took over. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', '_FENCED'])

/** Options of {@link openNativeTransactional}. */
export interface NativeTransactionalOptions {
  readonly rd: RdKafkaModule
  /** The idempotent producer's configuration; the transactional id and timeout are added. */
  readonly config: RdClientConfig
  readonly settings: ClientSettings
  readonly forward: LogForwarder
  readonly redact: (text: string) => string
  /** The broker aborts a transaction left open longer than this (a crashed worker's). */
  readonly transactionTimeoutMs: number
}

/** Rethrows a fencing answer as `ERR_FENCED` (classified `fenced`); other errors as they are. */
async function fencedAware<T>(transactionalId: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    const code = rdCodeOf(err)
    if (code && FENCED.has(code.name)) {
      throw new FirefrontError(
        'ERR_FENCED',
        `transactional id ${transactionalId} is fenced: a newer producer took it over (${code.name})`,
        { cause: err },
      )
    }
    throw err
  }
}

/** Opens a transactional producer for `transactionalId`; older producers with that id are fenced. */
export async function openNativeTransactional(
  transactionalId: string,
  o: NativeTransactionalOptions,
): Promise<TransactionalProducer> {
  const producer = new NativeProducer({
    rd: o.rd,
    config: {
      global: {
        ...o.config.global,
        'transactional.id': transactionalId,
        'transaction.timeout.ms': o.transactionTimeoutMs,
      },
      topic: o.config.topic,
    },
    settings: o.settings,
    forward: o.forward,
    redact: o.redact,
  })
  const timeout = o.settings.requestTimeoutMs
  try {
    await producer.connect()
    await fencedAware(transactionalId, () => producer.transaction('init', timeout))
  } catch (err) {
    await producer.close(0)
    throw err
  }
  let open = false
  return {
    transactionalId,
    async begin(): Promise<Transaction> {
      if (open) throw new Error(`a transaction of ${transactionalId} is already open`)
      await fencedAware(transactionalId, () => producer.transaction('begin', timeout))
      open = true
      let active = true
      return {
        async send(topic, messages) {
          await fencedAware(transactionalId, () => producer.send(topic, messages))
        },
        async commit() {
          try {
            await fencedAware(transactionalId, () => producer.transaction('commit', timeout))
            active = false
          } finally {
            open = false
          }
        },
        async abort() {
          try {
            if (active) await producer.transaction('abort', timeout)
          } catch {
            // A fenced or broken producer cannot abort; the broker aborts the transaction at its
            // timeout, and nothing of it is ever visible to read_committed consumers.
          } finally {
            active = false
            open = false
          }
        },
      }
    },
    async disconnect() {
      await producer.close(0)
    },
  }
}
