import { FirefrontError } from '@firefront/sdk'
import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ResponseError,
  TimeoutError,
  UnsupportedApiError,
  UserError,
} from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { classifyFailure } from './failure'

// Errors built with the library's own classes, nested as it nests them.
const PRODUCE = 0
const CREATE_TOPICS = 19

/** A produce response with one error code per partition, as the library throws it. */
const produceError = (...codes: Array<[number, string | null]>): ResponseError =>
  new ResponseError(
    PRODUCE,
    11,
    Object.fromEntries(codes.map((c, i) => [`/responses/0/partition_responses/${i}`, c])),
    {},
  )

/** The library's wrapping of a send that failed: one error per destination broker. */
const sendFailed = (...errors: Error[]): MultipleErrors => new MultipleErrors('Producing messages failed.', errors)

/** A connection refused, after the library's one retry. */
const refused = (broker = '127.0.0.1:1'): MultipleErrors => {
  const attempt = () =>
    new MultipleErrors('Cannot connect to any broker.', [
      new NetworkError(`Connection to ${broker} failed.`, {
        cause: Object.assign(new Error(`connect ECONNREFUSED ${broker}`), { code: 'ECONNREFUSED', errno: -111 }),
      }),
    ])
  return new MultipleErrors('initProducerId failed 2 times.', [attempt(), attempt()])
}

describe('classifyFailure (@platformatic/kafka errors)', () => {
  it('treats unreachable brokers and timeouts as unavailable, with the socket’s own words', () => {
    expect(classifyFailure(refused())).toMatchObject({
      kind: 'unavailable',
      code: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      authentication: false,
    })
    expect(classifyFailure(new TimeoutError('Request timed out'))).toMatchObject({
      kind: 'unavailable',
      code: 'PLT_KFK_TIMEOUT',
    })
    expect(classifyFailure(new NetworkError('Connection closed'))).toMatchObject({
      kind: 'unavailable',
      code: 'PLT_KFK_NETWORK',
    })
  })

  it('treats a leader that moved or is not there yet as unavailable', () => {
    for (const code of [6, 5, 3, 8]) {
      // NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, BROKER_NOT_AVAILABLE
      expect(classifyFailure(sendFailed(produceError([code, null]))).kind).toBe('unavailable')
    }
    expect(classifyFailure(produceError([6, null])).code).toBe('NOT_LEADER_OR_FOLLOWER')
  })

  it('sends record-level refusals to bisection, with the broker’s message', () => {
    expect(classifyFailure(sendFailed(produceError([10, null])))).toMatchObject({
      kind: 'record',
      code: 'MESSAGE_TOO_LARGE',
    })
    expect(classifyFailure(produceError([87, 'One or more records have been rejected']))).toMatchObject({
      kind: 'record',
      code: 'INVALID_RECORD',
      message: 'One or more records have been rejected',
    })
    expect(classifyFailure(produceError([18, null])).kind).toBe('record') // RECORD_LIST_TOO_LARGE
    expect(classifyFailure(produceError([2, null])).kind).toBe('record') // CORRUPT_MESSAGE
    // A rejected record comes with its batch's error and an unknown-server-error entry.
    expect(classifyFailure(produceError([-1, 'record 3 is bad'], [87, null])).kind).toBe('record')
  })

  it('dead-letters whole-topic refusals', () => {
    expect(classifyFailure(sendFailed(produceError([29, null])))).toMatchObject({
      kind: 'refused',
      code: 'TOPIC_AUTHORIZATION_FAILED',
    })
    expect(classifyFailure(produceError([17, 'Topic name is invalid'])).kind).toBe('refused') // INVALID_TOPIC_EXCEPTION
    expect(classifyFailure(new ResponseError(CREATE_TOPICS, 7, { '/topics/0': [44, 'no'] }, {})).code).toBe(
      'POLICY_VIOLATION',
    )
    expect(classifyFailure(new ResponseError(CREATE_TOPICS, 7, { '/topics/0': [44, 'no'] }, {})).kind).toBe('refused')
    expect(classifyFailure(Object.assign(new Error('no'), { code: 'ERR_SINK_REFUSED' })).kind).toBe('refused')
  })

  it('asks for a new producer when the broker lost the idempotent state', () => {
    for (const [code, type] of [
      [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
      [59, 'UNKNOWN_PRODUCER_ID'],
      [47, 'INVALID_PRODUCER_EPOCH'],
    ] as const) {
      expect(classifyFailure(sendFailed(produceError([code, null])))).toMatchObject({
        kind: 'producer-state',
        code: type,
      })
    }
  })

  it('tells a fenced transactional producer apart from a lost idempotent state', () => {
    expect(classifyFailure(sendFailed(produceError([90, null])))).toMatchObject({
      kind: 'fenced',
      code: 'PRODUCER_FENCED',
    })
    expect(classifyFailure(produceError([90, null], [45, null])).kind).toBe('fenced')
    const named = new FirefrontError('ERR_FENCED', 'transactional id x is fenced: a newer producer took it over', {
      cause: produceError([47, null]),
    })
    expect(classifyFailure(named)).toMatchObject({ kind: 'fenced', code: 'ERR_FENCED' })
  })

  it('lets the most specific action win when partitions failed in different ways', () => {
    expect(classifyFailure(sendFailed(produceError([6, null]), produceError([10, null]))).kind).toBe('record')
    expect(classifyFailure(produceError([10, null], [45, null])).kind).toBe('producer-state')
    expect(classifyFailure(produceError([6, null], [29, null])).kind).toBe('refused')
  })

  it('keeps refused credentials apart, as unavailable (spooled, not dead-lettered)', () => {
    const saslFailed = new AuthenticationError('SASL authentication failed.', {
      cause: new ResponseError(36, 2, { '': [58, 'Authentication failed: Invalid username or password'] }, {}),
    })
    const wrapped = new MultipleErrors('Cannot connect to any broker.', [
      new NetworkError('Connection to 127.0.0.1:9093 failed.', { cause: saslFailed }),
    ])
    expect(classifyFailure(wrapped)).toMatchObject({
      kind: 'unavailable',
      code: 'SASL_AUTHENTICATION_FAILED',
      authentication: true,
      message: 'Authentication failed: Invalid username or password',
    })
    // A server signature the client cannot verify: no protocol error, still the credentials.
    expect(classifyFailure(new AuthenticationError('SASL authentication failed.'))).toMatchObject({
      kind: 'unavailable',
      authentication: true,
    })
  })

  it('refuses a broker that does not speak the configured SASL at all (a PLAINTEXT listener)', () => {
    const handshake = new NetworkError('Connection to 127.0.0.1:9092 failed.', {
      cause: new AuthenticationError('Cannot find a suitable SASL mechanism.', {
        cause: new ResponseError(17, 1, { '': [34, null] }, {}),
      }),
    })
    expect(classifyFailure(handshake)).toMatchObject({
      kind: 'refused',
      code: 'ILLEGAL_SASL_STATE',
      authentication: false,
    })
  })

  it('sorts the library’s own refusals: serialisation is a record, an unsupported API a refusal', () => {
    expect(classifyFailure(new UserError('Failed to serialize a message.', { cause: new TypeError('x') })).kind).toBe(
      'record',
    )
    expect(classifyFailure(new UnsupportedApiError('Unsupported API Produce.'))).toMatchObject({
      kind: 'refused',
      code: 'PLT_KFK_UNSUPPORTED_API',
    })
    expect(classifyFailure(new UserError('Client closed while retrying produce.')).kind).toBe('unavailable')
  })

  it('prefers Firefront’s own message to the library’s', () => {
    const err = new FirefrontError('ERR_SINK_REFUSED', 'kafka refused to create topic "x": no [POLICY_VIOLATION]', {
      cause: new ResponseError(CREATE_TOPICS, 7, { '/topics/0': [44, 'no'] }, {}),
    })
    expect(classifyFailure(err)).toMatchObject({
      kind: 'refused',
      message: 'kafka refused to create topic "x": no [POLICY_VIOLATION]',
    })
  })

  it('classifies anything else as unavailable, without throwing', () => {
    expect(classifyFailure(undefined)).toMatchObject({ kind: 'unavailable', code: 'UNKNOWN' })
    expect(classifyFailure('boom')).toMatchObject({ kind: 'unavailable', message: 'boom' })
    const cyclic = new Error('loop') as Error & { cause?: unknown }
    cyclic.cause = cyclic
    expect(classifyFailure(cyclic).kind).toBe('unavailable')
  })
})
