import { describe, expect, it } from 'vitest'
import { connectionError, protocolError } from '../../../test/kafka/fakes'
import { classifyFailure } from './failure'

describe('classifyFailure', () => {
  it('treats unreachable brokers as unavailable, through kafkajs’ "retries exceeded" wrapper', () => {
    expect(classifyFailure(connectionError())).toMatchObject({
      kind: 'unavailable',
      code: 'ECONNREFUSED',
      message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1',
    })
    expect(classifyFailure(protocolError('LEADER_NOT_AVAILABLE', true)).kind).toBe('unavailable')
    expect(
      classifyFailure(Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError' })).kind,
    ).toBe('unavailable')
  })

  it('sends record-level refusals to bisection and topic-level refusals to the dead-letter topic', () => {
    expect(classifyFailure(protocolError('MESSAGE_TOO_LARGE', false))).toMatchObject({
      kind: 'record',
      code: 'MESSAGE_TOO_LARGE',
    })
    expect(classifyFailure(protocolError('CORRUPT_MESSAGE', true)).kind).toBe('record')
    expect(classifyFailure(protocolError('TOPIC_AUTHORIZATION_FAILED', false))).toMatchObject({
      kind: 'refused',
      code: 'TOPIC_AUTHORIZATION_FAILED',
    })
    expect(classifyFailure(protocolError('INVALID_TOPIC_EXCEPTION', false)).kind).toBe('refused')
  })

  it('asks for a new producer when the broker lost the idempotent state', () => {
    expect(classifyFailure(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', false)).kind).toBe('producer-state')
    expect(classifyFailure(protocolError('UNKNOWN_PRODUCER_ID', false)).kind).toBe('producer-state')
  })

  it('keeps refused credentials apart, as unavailable (spooled, not dead-lettered)', () => {
    const err = Object.assign(new Error('SASL PLAIN authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
      retriable: false,
    })
    expect(classifyFailure(err)).toMatchObject({ kind: 'unavailable', authentication: true })
  })

  it('treats a topic the broker refused to create as refused', () => {
    expect(classifyFailure(Object.assign(new Error('no'), { code: 'ERR_SINK_REFUSED' })).kind).toBe('refused')
  })
})
