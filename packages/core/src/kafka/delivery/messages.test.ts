import type { SinkRecord } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { chunkByBytes, HEADERS, prepareMessages, safeJson, toDeadLetter } from './messages'

const meta = { topic: 't', sourceId: 'src-a', sourceType: 'test' }
const rec = (value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord => ({
  key: 'k1',
  value,
  sourceId: 'src-a',
  sourceType: 'test',
  priority: 'normal',
  ingestedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
})

describe('prepareMessages', () => {
  it('shares one headers object among records whose header inputs repeat, and only those', () => {
    const t0 = '2026-01-01T00:00:00.000Z'
    const t1 = '2026-01-01T00:00:01.000Z'
    const { messages } = prepareMessages(
      [
        rec(1, { eventTime: 'e1', ingestedAt: t0 }),
        rec(2, { eventTime: 'e1', ingestedAt: t0 }),
        rec(3, { eventTime: 'e2', ingestedAt: t0 }),
        rec(4, { eventTime: 'e2', ingestedAt: t1 }),
        rec(5, { eventTime: 'e2', ingestedAt: t1, headers: { own: 'y' } }),
        rec(6, { eventTime: 'e2', ingestedAt: t1, sourceId: 'other' }),
        rec(7, { eventTime: 'e2', ingestedAt: 'not a date' }),
      ],
      meta,
      1000,
      42,
    )
    const [m1, m2, m3, m4, m5, m6, m7] = messages
    expect(m1!.headers).toBe(m2!.headers)
    expect(m3!.headers).not.toBe(m2!.headers)
    expect(m3!.headers[HEADERS.eventTime]).toBe('e2')
    expect(m4!.headers[HEADERS.ingestedAt]).toBe(t1)
    expect(m5!.headers).toMatchObject({ own: 'y', [HEADERS.eventTime]: 'e2' })
    expect(m6!.headers[HEADERS.sourceId]).toBe('other')
    expect(Object.isFrozen(m1!.headers)).toBe(true)
    expect(messages.map((m) => m.timestamp)).toEqual([
      ...[0, 0, 0].map(() => String(Date.parse(t0))),
      ...[0, 0, 0].map(() => String(Date.parse(t1))),
      '42',
    ])
    expect(m7!.headers[HEADERS.ingestedAt]).toBe('not a date')
  })

  it('keys, JSON values and headers: source, time, content type, plus the record’s own', () => {
    const { messages, poison } = prepareMessages(
      [rec({ a: 1 }, { eventTime: '2025-12-31T23:59:00.000Z', headers: { trace: 'x', 'content-type': 'text/plain' } })],
      meta,
      1000,
    )
    expect(poison).toEqual([])
    expect(messages).toEqual([
      {
        key: 'k1',
        value: '{"a":1}',
        timestamp: String(Date.parse('2026-01-01T00:00:00.000Z')),
        headers: {
          trace: 'x',
          'content-type': 'application/json',
          'firefront.source.id': 'src-a',
          'firefront.source.type': 'test',
          'firefront.event.time': '2025-12-31T23:59:00.000Z',
          'firefront.ingested.at': '2026-01-01T00:00:00.000Z',
        },
      },
    ])
  })

  it('sets aside records JSON cannot represent and records over max_message_bytes, keeping order of the rest', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    const { messages, poison } = prepareMessages(
      [
        rec(1, { key: 'a' }),
        rec({ big: 10n }, { key: 'b' }),
        rec(cyclic, { key: 'c' }),
        rec('x'.repeat(2000), { key: 'd' }),
        rec(undefined, { key: 'e' }),
        rec(2, { key: 'f' }),
      ],
      meta,
      1000,
    )
    expect(messages.map((m) => m.key)).toEqual(['a', 'f'])
    expect(poison.map((p) => [p.message.key, p.code])).toEqual([
      ['b', 'SERIALIZATION_FAILED'],
      ['c', 'SERIALIZATION_FAILED'],
      ['d', 'RECORD_TOO_LARGE'],
      ['e', 'SERIALIZATION_FAILED'],
    ])
    expect(poison[0]!.error).toMatch(/BigInt/)
    expect(poison[0]!.message.value).toBe('{"big":"10"}')
    expect(poison[1]!.message.value).toBe('{"name":"loop","self":"[Circular]"}')
    expect(poison[2]!.error).toMatch(/over kafka.max_message_bytes \(1000\)/)
  })
})

describe('safeJson', () => {
  it('never throws', () => {
    const throwing = {
      toJSON: () => {
        throw new Error('nope')
      },
    }
    expect(safeJson(throwing)).toBe('"[toJSON threw: nope]"')
    expect(safeJson(new Map([['a', 1n]]))).toBe('{"a":"1"}')
    expect(safeJson(Number.NaN)).toBe('"NaN"')
  })
})

describe('toDeadLetter', () => {
  it('keeps key, value and headers, and names the failure', () => {
    const [m] = prepareMessages([rec({ a: 1 })], meta, 1000).messages
    const d = toDeadLetter(m!, {
      error: 'boom',
      code: 'X',
      attempts: 4,
      originalTopic: 't',
      failedAt: '2026-01-01T00:00:01.000Z',
    })
    expect(d.key).toBe('k1')
    expect(d.value).toBe('{"a":1}')
    expect(d.headers).toMatchObject({
      [HEADERS.error]: 'boom',
      [HEADERS.errorCode]: 'X',
      [HEADERS.attempts]: '4',
      [HEADERS.originalTopic]: 't',
      [HEADERS.failedAt]: '2026-01-01T00:00:01.000Z',
      [HEADERS.sourceId]: 'src-a',
    })
  })
})

describe('chunkByBytes', () => {
  it('keeps one run when the batch fits, and splits in order when it does not', () => {
    const { messages } = prepareMessages(
      Array.from({ length: 10 }, (_, i) => rec(i, { key: `k${i}` })),
      meta,
      10_000,
    )
    expect(chunkByBytes(messages, 1_000_000)).toHaveLength(1)
    const runs = chunkByBytes(messages, 400)
    expect(runs.length).toBeGreaterThan(1)
    expect(runs.flat().map((m) => m.key)).toEqual(messages.map((m) => m.key))
  })

  it('caps each run at maxRecords messages too', () => {
    const { messages } = prepareMessages(
      Array.from({ length: 10 }, (_, i) => rec(i, { key: `k${i}` })),
      meta,
      10_000,
    )
    const runs = chunkByBytes(messages, 1_000_000, 4)
    expect(runs.map((r) => r.length)).toEqual([4, 4, 2])
    expect(runs.flat().map((m) => m.key)).toEqual(messages.map((m) => m.key))
  })
})
