/**
 * Sorts a failed librdkafka request into what delivery does next (see `FailureKind` in
 * `@firefront/core`), with the same outcome kafkajs' classification gives for the same broker
 * answer: the producer lost its idempotence state, a record was refused, the topic was refused,
 * a newer transactional producer took over (fenced), or Kafka is unavailable (the default: delivery retries, then spools, and loses nothing).
 */
import type { FailureKind, KafkaFailure } from '@firefront/core'
import { NativeKafkaError, type RdErrorCode, rdCodeOf } from './native-error'

/** The broker lost the idempotent producer's state, or librdkafka gave the producer up. */
const PRODUCER_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'DUPLICATE_SEQUENCE_NUMBER',
  '_FATAL',
  '_INCONSISTENT',
  '_GAPLESS_GUARANTEE',
  // librdkafka purges its queue only after a fatal error (this backend never purges)
  '_PURGE_QUEUE',
  '_PURGE_INFLIGHT',
])

/** A newer transactional producer with the same id took over: this one must stop. */
const FENCED = new Set(['PRODUCER_FENCED', 'TRANSACTIONAL_ID_FENCED', '_FENCED'])

/** One record (or its batch's size) was refused: split the batch, dead-letter the record. */
const RECORD_LEVEL = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  '_BAD_MSG',
  '_KEY_SERIALIZATION',
  '_VALUE_SERIALIZATION',
  '_INVALID_DIFFERENT_RECORD',
])

/** Broker errors worth retrying (the Kafka protocol's retriable ones): Kafka is not ready yet. */
const RETRIABLE = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REBALANCE_IN_PROGRESS',
  'NOT_CONTROLLER',
  'CONCURRENT_TRANSACTIONS',
  'KAFKA_STORAGE_ERROR',
  'REASSIGNMENT_IN_PROGRESS',
  'FETCH_SESSION_ID_NOT_FOUND',
  'INVALID_FETCH_SESSION_EPOCH',
  'LISTENER_NOT_FOUND',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'OFFSET_NOT_AVAILABLE',
  'PREFERRED_LEADER_NOT_AVAILABLE',
  'ELIGIBLE_LEADERS_NOT_AVAILABLE',
  'ELECTION_NOT_NEEDED',
  'UNSTABLE_OFFSET_COMMIT',
  'THROTTLING_QUOTA_EXCEEDED',
  'UNKNOWN_TOPIC_ID',
  'REBOOTSTRAP_REQUIRED',
])

/** Credentials refused: spooled like an outage (nothing is lost), but logged louder. */
const AUTHENTICATION = new Set(['SASL_AUTHENTICATION_FAILED', '_AUTHENTICATION'])

/** Local errors that mean the request itself can never succeed. */
const LOCAL_REFUSED = new Set(['_INVALID_ARG', '_UNSUPPORTED_FEATURE'])

const NODE_NETWORK = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/

interface Link {
  readonly err: object
  readonly code?: unknown
  readonly message?: unknown
  readonly name?: unknown
  readonly isFatal?: unknown
}

function chain(err: unknown): Link[] {
  const out: Link[] = []
  let cur: unknown = err
  while (cur && typeof cur === 'object' && out.length < 8 && !out.some((l) => l.err === cur)) {
    const c = cur as Record<string, unknown>
    out.push({ err: cur, code: c.code, message: c.message, name: c.name, isFatal: c.isFatal })
    cur = c.cause
  }
  return out
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

/** What delivery does about a librdkafka error code. */
export function kindOfCode(code: RdErrorCode): FailureKind {
  const { name, errno } = code
  if (FENCED.has(name)) return 'fenced'
  if (PRODUCER_STATE.has(name)) return 'producer-state'
  if (RECORD_LEVEL.has(name)) return 'record'
  if (AUTHENTICATION.has(name)) return 'unavailable'
  if (errno >= -1) return RETRIABLE.has(name) ? 'unavailable' : 'refused'
  return LOCAL_REFUSED.has(name) ? 'refused' : 'unavailable'
}

/**
 * Classifies any error the native transport threw: a {@link NativeKafkaError}, an error straight
 * from node-rdkafka (by number or by text), Firefront's own `ERR_SINK_REFUSED` and `ERR_FENCED`, or
 * anything else
 * (unavailable).
 */
export function classifyNativeFailure(err: unknown): KafkaFailure {
  const links = chain(err)
  if (links.length === 0) return { kind: 'unavailable', code: 'UNKNOWN', message: String(err), authentication: false }
  const own = links.find((l) => typeof l.code === 'string' && l.code.startsWith('ERR_') && str(l.message))
  const message =
    str(own?.message) ??
    str(links.find((l) => l.err instanceof NativeKafkaError)?.message) ??
    links
      .map((l) => str(l.message))
      .filter((m): m is string => m !== undefined)
      .at(-1) ??
    String(err)
  if (own?.code === 'ERR_SINK_REFUSED')
    return { kind: 'refused', code: 'ERR_SINK_REFUSED', message, authentication: false }
  if (own?.code === 'ERR_FENCED') return { kind: 'fenced', code: 'ERR_FENCED', message, authentication: false }

  for (const l of links) {
    const code = rdCodeOf(l.err)
    if (!code) continue
    const fatal = (l.err instanceof NativeKafkaError && l.err.fatal) || l.isFatal === true
    const kind = kindOfCode(code)
    return {
      // a fatal error leaves the producer unusable: a new one, unless it was fenced
      kind: fatal && kind !== 'fenced' ? 'producer-state' : kind,
      code: code.name,
      message,
      authentication: AUTHENTICATION.has(code.name),
    }
  }
  for (const l of links) {
    const code = str(l.code)
    if (code && NODE_NETWORK.test(code)) return { kind: 'unavailable', code, message, authentication: false }
  }
  const name = str(own?.code) ?? str(links.at(-1)?.name) ?? 'Error'
  return { kind: 'unavailable', code: name, message, authentication: false }
}
