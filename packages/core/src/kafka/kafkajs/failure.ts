/**
 * Sorts a failed kafkajs request into what delivery does next (see {@link FailureKind}). Works on
 * the shape of kafkajs errors (`name`, `type`, `retriable`, `cause`), so fakes can mimic them.
 */

import { FENCED_ERRORS, PRODUCER_STATE_ERRORS, RECORD_LEVEL_ERRORS } from '../protocol-errors'
import type { FailureKind, KafkaFailure } from '../transport'

const UNAVAILABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSSASLAuthenticationError',
])

const NODE_NETWORK = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/

interface ErrorShape {
  name?: unknown
  type?: unknown
  code?: unknown
  retriable?: unknown
  message?: unknown
  cause?: unknown
  originalError?: unknown
}

function chain(err: unknown): ErrorShape[] {
  const out: ErrorShape[] = []
  let cur: unknown = err
  while (cur && typeof cur === 'object' && out.length < 8 && !out.includes(cur as ErrorShape)) {
    out.push(cur as ErrorShape)
    const e = cur as ErrorShape
    cur = e.cause ?? e.originalError
  }
  return out
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

/** Classifies any error thrown by a produce, a metadata request or a topic creation. */
export function classifyFailure(err: unknown): KafkaFailure {
  const links = chain(err)
  if (links.length === 0) return { kind: 'unavailable', code: 'UNKNOWN', message: String(err), authentication: false }
  // The deepest link carries the broker's own words (wrappers like "retries exceeded" add none),
  // unless Firefront wrapped it with a message of its own that already says more.
  const own = links.find((l) => typeof l.code === 'string' && l.code.startsWith('ERR_') && str(l.message))
  const message =
    str(own?.message) ??
    links
      .map((l) => str(l.message))
      .filter((m): m is string => m !== undefined)
      .at(-1) ??
    String(err)
  const auth = links.some((l) => l.name === 'KafkaJSSASLAuthenticationError' || l.type === 'SASL_AUTHENTICATION_FAILED')
  const protocol = links.find((l) => typeof l.type === 'string' && str(l.type))
  const make = (kind: FailureKind, code: string): KafkaFailure => ({ kind, code, message, authentication: auth })

  if (auth) return make('unavailable', 'SASL_AUTHENTICATION_FAILED')
  if (links.some((l) => l.code === 'ERR_FENCED')) return make('fenced', 'ERR_FENCED')
  if (protocol) {
    const type = protocol.type as string
    if (FENCED_ERRORS.has(type)) return make('fenced', type)
    if (PRODUCER_STATE_ERRORS.has(type)) return make('producer-state', type)
    if (RECORD_LEVEL_ERRORS.has(type)) return make('record', type)
    return make(protocol.retriable === false ? 'refused' : 'unavailable', type)
  }
  for (const l of links) {
    const code = str(l.code)
    if (code === 'ERR_SINK_REFUSED') return make('refused', code)
    if (code === 'ERR_FENCED') return make('fenced', code)
    if (code && NODE_NETWORK.test(code)) return make('unavailable', code)
    const name = str(l.name)
    if (name && UNAVAILABLE_NAMES.has(name)) return make('unavailable', name)
  }
  // kafkajs marks requests it will never accept (an empty topic name...) as not retriable.
  const innermost = links.at(-1)!
  const name = str(innermost.name) ?? 'Error'
  if (name.startsWith('KafkaJS') && innermost.retriable === false) return make('refused', name)
  return make('unavailable', name)
}
