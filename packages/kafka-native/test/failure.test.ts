import { FirefrontError } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { classifyNativeFailure } from '../src/failure'
import { brokerCodeInText, codeByDescription, codeByName, NativeKafkaError, toNativeError } from '../src/native-error'

/** An error as node-rdkafka makes it from a number (`produce()` throwing, a callback's error). */
const numbered = (code: number, message: string) => Object.assign(new Error(message), { code, origin: 'kafka' })
/**
 * An error as node-rdkafka makes it from text only (delivery reports, error events): the number is
 * lost (-1), the description split at its first ": " and lower-cased.
 */
const textual = (description: string) => {
  const [origin, rest] = description.split(': ')
  return Object.assign(new Error(rest!.toLowerCase()), { code: -1, origin: origin!.toLowerCase() })
}

const kind = (err: unknown) => classifyNativeFailure(err).kind
const code = (err: unknown) => classifyNativeFailure(err).code

describe('classifyNativeFailure', () => {
  it('sends record-level refusals to bisection, by number and by delivery-report text', () => {
    expect(classifyNativeFailure(numbered(10, 'Broker: Message size too large'))).toMatchObject({
      kind: 'record',
      code: 'MESSAGE_TOO_LARGE',
    })
    expect(classifyNativeFailure(textual('Broker: Message size too large'))).toMatchObject({
      kind: 'record',
      code: 'MESSAGE_TOO_LARGE',
    })
    expect(kind(textual('Broker: Broker failed to validate record'))).toBe('record')
    expect(code(textual('Broker: Broker failed to validate record'))).toBe('INVALID_RECORD')
    expect(kind(numbered(2, 'Broker: Invalid message'))).toBe('record')
    expect(kind(numbered(32, 'Broker: Invalid timestamp'))).toBe('record')
    expect(kind(numbered(18, 'Broker: Message batch larger than configured server segment size'))).toBe('record')
  })

  it('sends topic-level refusals (authorisation, invalid name, policy) to the dead-letter topic', () => {
    expect(classifyNativeFailure(textual('Broker: Topic authorization failed'))).toMatchObject({
      kind: 'refused',
      code: 'TOPIC_AUTHORIZATION_FAILED',
    })
    expect(code(numbered(17, "Topic name is invalid: 'a b' contains one or more characters"))).toBe(
      'INVALID_TOPIC_EXCEPTION',
    )
    expect(kind(numbered(17, 'invalid'))).toBe('refused')
    expect(kind(textual('Broker: Policy violation'))).toBe('refused')
    expect(kind(numbered(31, 'Broker: Cluster authorization failed'))).toBe('refused')
    expect(kind(numbered(38, 'Unable to replicate the partition 3 time(s)'))).toBe('refused')
  })

  it('treats unreachable brokers, timeouts and leaderless partitions as unavailable', () => {
    for (const d of [
      'Local: Broker transport failure',
      'Local: All broker connections are down',
      'Local: Message timed out',
      'Local: Timed out',
      'Local: Host resolution failure',
      'Broker: Leader not available',
      'Broker: Not leader for partition',
      'Broker: Request timed out',
      'Broker: Not enough in-sync replicas',
      'Local: Unknown topic',
    ]) {
      expect({ d, kind: kind(textual(d)) }).toEqual({ d, kind: 'unavailable' })
    }
    expect(code(textual('Local: All broker connections are down'))).toBe('_ALL_BROKERS_DOWN')
    expect(code(numbered(-192, 'Local: Message timed out'))).toBe('_MSG_TIMED_OUT')
    // node-rdkafka's own errors without a code ("Producer not connected") are not a refusal either
    expect(kind(new Error('Producer not connected'))).toBe('unavailable')
    expect(kind(new FirefrontError('ERR_TIMEOUT', 'reading x took longer than 10 ms'))).toBe('unavailable')
  })

  it('asks for a new producer when the broker lost the idempotent state or librdkafka gave the producer up', () => {
    expect(classifyNativeFailure(textual('Broker: Broker received an out of order sequence number'))).toMatchObject({
      kind: 'producer-state',
      code: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    })
    expect(kind(numbered(59, 'Broker: Unknown Producer Id'))).toBe('producer-state')
    expect(kind(textual('Broker: Producer attempted an operation with an old epoch'))).toBe('producer-state')
    expect(kind(numbered(-150, 'Local: Fatal error'))).toBe('producer-state')
    expect(kind(textual('Local: Inconsistent state'))).toBe('producer-state')
    // a fatal flag wins over the code it came with
    expect(kind(Object.assign(numbered(45, 'x'), { isFatal: true }))).toBe('producer-state')
    expect(kind(Object.assign(numbered(-195, 'x'), { isFatal: true }))).toBe('producer-state')
  })

  it('reports a newer transactional producer taking over as fenced, fatal or not', () => {
    expect(classifyNativeFailure(numbered(90, 'Broker: Producer has been fenced'))).toMatchObject({
      kind: 'fenced',
      code: 'PRODUCER_FENCED',
    })
    expect(
      kind(
        Object.assign(numbered(-144, 'Local: This instance has been fenced by a newer instance'), { isFatal: true }),
      ),
    ).toBe('fenced')
    const err = new FirefrontError('ERR_FENCED', 'transactional id x is fenced', { cause: numbered(47, 'epoch') })
    expect(classifyNativeFailure(err)).toMatchObject({ kind: 'fenced', code: 'ERR_FENCED' })
  })

  it('keeps refused credentials apart, as unavailable (spooled, not dead-lettered)', () => {
    expect(classifyNativeFailure(textual('Local: Authentication failure'))).toMatchObject({
      kind: 'unavailable',
      code: '_AUTHENTICATION',
      authentication: true,
    })
    expect(classifyNativeFailure(numbered(58, 'Broker: SASL Authentication failed'))).toMatchObject({
      kind: 'unavailable',
      authentication: true,
    })
  })

  it('refuses a SASL mechanism the broker does not offer, like kafkajs does', () => {
    expect(classifyNativeFailure(numbered(34, 'Broker: Request not valid in current SASL state'))).toMatchObject({
      kind: 'refused',
      code: 'ILLEGAL_SASL_STATE',
      authentication: false,
    })
    expect(kind(numbered(33, 'Broker: Unsupported SASL mechanism'))).toBe('refused')
  })

  it('treats a topic the broker refused to create as refused, with Firefront’s message', () => {
    const cause = new NativeKafkaError(codeByName('INVALID_REPLICATION_FACTOR')!, 'Unable to replicate')
    const err = new FirefrontError('ERR_SINK_REFUSED', 'kafka refused to create topic "t"', { cause })
    expect(classifyNativeFailure(err)).toEqual({
      kind: 'refused',
      code: 'ERR_SINK_REFUSED',
      message: 'kafka refused to create topic "t"',
      authentication: false,
    })
  })

  it('reads the code through a wrapper’s cause, with the most specific message', () => {
    const inner = toNativeError(
      textual('Local: Message timed out'),
      '127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused',
    )
    const wrapped = new Error('send failed', { cause: inner })
    expect(classifyNativeFailure(wrapped)).toMatchObject({
      kind: 'unavailable',
      code: '_MSG_TIMED_OUT',
      message:
        'Local: Message timed out: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused',
    })
  })

  it('falls back to unavailable for what it does not know', () => {
    expect(classifyNativeFailure('boom')).toMatchObject({ kind: 'unavailable', code: 'UNKNOWN' })
    expect(classifyNativeFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toMatchObject({
      kind: 'unavailable',
      code: 'ECONNRESET',
    })
  })
})

describe('librdkafka error codes', () => {
  it('are found by number, name and description (whole or split by node-rdkafka)', () => {
    expect(codeByName('MESSAGE_TOO_LARGE')).toEqual({
      errno: 10,
      name: 'MESSAGE_TOO_LARGE',
      description: 'Broker: Message size too large',
    })
    expect(codeByDescription('Local: Message timed out')?.name).toBe('_MSG_TIMED_OUT')
    expect(codeByDescription('message timed out', 'local')?.name).toBe('_MSG_TIMED_OUT')
    expect(codeByDescription('no such thing', 'local')).toBeUndefined()
  })

  it('finds the broker’s reason inside a librdkafka log line', () => {
    const line =
      "sasl_plaintext://127.0.0.1:9092/bootstrap: SASL SCRAM-SHA-256 mechanism handshake failed: Broker: Request not valid in current SASL state: broker's supported mechanisms:  (after 5ms in state AUTH_HANDSHAKE)"
    expect(brokerCodeInText(line)?.name).toBe('ILLEGAL_SASL_STATE')
    expect(brokerCodeInText('Connect to ipv4#127.0.0.1:1 failed: Connection refused')).toBeUndefined()
  })

  it('become NativeKafkaErrors with the broker detail appended and secrets redacted', () => {
    const err = toNativeError(textual('Local: Message timed out'), 'login with hunter22 refused', (t) =>
      t.replace('hunter22', '[redacted]'),
    ) as NativeKafkaError
    expect(err).toBeInstanceOf(NativeKafkaError)
    expect(err).toMatchObject({ code: '_MSG_TIMED_OUT', errno: -192, fatal: false })
    expect(err.message).toBe('Local: Message timed out: login with [redacted] refused')
    // a broker's own message is kept as it is
    expect((toNativeError(numbered(36, "Topic 'x' already exists.")) as NativeKafkaError).message).toBe(
      "Topic 'x' already exists.",
    )
    // other errors pass through
    const plain = new Error('x')
    expect(toNativeError(plain)).toBe(plain)
  })
})
