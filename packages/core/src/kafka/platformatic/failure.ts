/**
 * Sorts a failed @platformatic/kafka request into what delivery does next (see
 * {@link FailureKind}). The library nests its errors two ways: `cause` (a network error wrapping
 * the socket's `ECONNREFUSED`) and `errors` (a retry wrapper holding each attempt's error, a
 * response error holding one protocol error per failed partition or topic); both are walked.
 */
import { AuthenticationError, NetworkError, ProtocolError, TimeoutError, UserError } from '@platformatic/kafka'
import { FENCED_ERRORS, PRODUCER_STATE_ERRORS, RECORD_LEVEL_ERRORS } from '../protocol-errors'
import type { FailureKind, KafkaFailure } from '../transport'

const REFUSED = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_TOPIC_EXCEPTION',
  'POLICY_VIOLATION',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_PARTITIONS',
  'INVALID_CONFIG',
])

// The broker or its leader is away for now; the library marks some of these as not retriable.
const UNAVAILABLE = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'NOT_CONTROLLER',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'KAFKA_STORAGE_ERROR',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'THROTTLING_QUOTA_EXCEEDED',
])

const NODE_NETWORK = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/

const MAX_LINKS = 32

interface ErrorShape {
  name?: unknown
  code?: unknown
  message?: unknown
  cause?: unknown
  errors?: unknown
  apiId?: unknown
  canRetry?: unknown
  serverErrorMessage?: unknown
}

/** Every error in the tree, depth first, each attempt's errors in the order they happened. */
function links(err: unknown): ErrorShape[] {
  const out: ErrorShape[] = []
  const visit = (cur: unknown): void => {
    if (!cur || typeof cur !== 'object' || out.length >= MAX_LINKS || out.includes(cur as ErrorShape)) return
    const e = cur as ErrorShape
    out.push(e)
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner)
    visit(e.cause)
  }
  visit(err)
  return out
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

/** The protocol error's type (`MESSAGE_TOO_LARGE`...), when the link is one. */
const protocolType = (l: ErrorShape): string | undefined =>
  l instanceof ProtocolError || str(l.code) === ProtocolError.code ? str(l.apiId) : undefined

/** The broker's own words for a protocol error, else the error's message. */
const wordsOf = (l: ErrorShape): string | undefined =>
  protocolType(l) ? (str(l.serverErrorMessage) ?? str(l.message)) : str(l.message)

/** What a protocol error type means for delivery. */
function protocolKind(type: string, retriable: boolean): FailureKind {
  if (FENCED_ERRORS.has(type)) return 'fenced'
  if (PRODUCER_STATE_ERRORS.has(type)) return 'producer-state'
  if (RECORD_LEVEL_ERRORS.has(type)) return 'record'
  if (REFUSED.has(type)) return 'refused'
  if (UNAVAILABLE.has(type)) return 'unavailable'
  return retriable ? 'unavailable' : 'refused'
}

// When one request failed several ways (one protocol error per partition), the kind that asks
// the most specific action wins: stopping a fenced producer, a new producer, splitting the batch,
// the dead-letter topic; a retry only when nothing else is wrong.
const PRECEDENCE: readonly FailureKind[] = ['fenced', 'producer-state', 'record', 'refused', 'unavailable']

/** Classifies any error thrown by a produce, a metadata request, a topic creation or a connect. */
export function classifyFailure(err: unknown): KafkaFailure {
  const all = links(err)
  if (all.length === 0) return { kind: 'unavailable', code: 'UNKNOWN', message: String(err), authentication: false }
  // Firefront's own wrapper says more than the library's; else the last attempt's deepest words.
  const own = all.find((l) => str(l.code)?.startsWith('ERR_') && str(l.message))
  const message =
    str(own?.message) ??
    all
      .map(wordsOf)
      .filter((m): m is string => m !== undefined)
      .at(-1) ??
    String(err)
  const protocols = all.filter((l) => protocolType(l) !== undefined)
  const saslRefused =
    protocols.some((l) => protocolType(l) === 'SASL_AUTHENTICATION_FAILED') ||
    (protocols.length === 0 && all.some((l) => l instanceof AuthenticationError))
  const make = (kind: FailureKind, code: string): KafkaFailure => ({ kind, code, message, authentication: saslRefused })

  // Refused credentials stay `unavailable`: spooled until they are fixed, not dead-lettered.
  if (saslRefused) return make('unavailable', 'SASL_AUTHENTICATION_FAILED')
  // A transactional producer's fencing, already recognised and named by the transactional code.
  if (all.some((l) => l.code === 'ERR_FENCED')) return make('fenced', 'ERR_FENCED')
  if (protocols.length > 0) {
    const sorted = protocols
      .map((l) => {
        const type = protocolType(l)!
        return { type, kind: protocolKind(type, l.canRetry !== false) }
      })
      .sort((a, b) => PRECEDENCE.indexOf(a.kind) - PRECEDENCE.indexOf(b.kind))
    const first = sorted[0]!
    return make(first.kind, first.type)
  }
  for (const l of all) {
    const code = str(l.code)
    if (code === 'ERR_SINK_REFUSED') return make('refused', code)
    if (code && NODE_NETWORK.test(code)) return make('unavailable', code)
  }
  // The library's timeout error carries the network error's code; name it for what it is.
  if (all.some((l) => l instanceof TimeoutError)) return make('unavailable', TimeoutError.code)
  if (all.some((l) => l instanceof NetworkError)) return make('unavailable', NetworkError.code)
  if (all.some((l) => l instanceof UserError && l.message === 'Failed to serialize a message.')) {
    return make('record', UserError.code)
  }
  // Requests the library will never make (an unsupported API, a closed client) are not retried
  // by it either; the innermost library error says which.
  const library = all.filter((l) => str(l.code)?.startsWith('PLT_KFK_') && l.canRetry === false)
  const innermost = library.at(-1)
  if (innermost && !(innermost instanceof UserError)) return make('refused', str(innermost.code)!)
  const last = all.at(-1)!
  return make('unavailable', str(last.code) ?? str(last.name) ?? 'Error')
}
