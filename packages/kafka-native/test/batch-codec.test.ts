import type { KafkaMessage } from '@firefront/core'
import { describe, expect, it } from 'vitest'
import { decodeBatch, encodeBatch } from '../src/batch-codec'

const text = (v: string | Buffer | null): string | null => (v === null ? null : Buffer.from(v).toString('utf8'))

describe('batch codec (one buffer per batch for the producer thread)', () => {
  it('carries keys, values, timestamps and headers intact, text or bytes, nulls included', () => {
    const shared = { 'firefront.source.id': 'firms-viirs', 'content-type': 'application/json' }
    const messages: KafkaMessage[] = [
      { key: 'cell-1', value: '{"frp":1.5,"name":"Águas – 火"}', headers: shared, timestamp: '1767225600000' },
      { key: 'cell-2', value: '{"frp":2}', headers: shared, timestamp: '1767225600001' },
      { key: Buffer.from([0, 255, 1]), value: Buffer.from([9, 8, 7]) },
      { key: null, value: null, headers: { other: 'ü' } },
      { key: 'cell-3', value: '', headers: shared },
    ]
    const batch = encodeBatch(messages)
    expect(batch.count).toBe(5)
    expect(batch.byteLength).toBeLessThanOrEqual(batch.buffer.byteLength)
    const back = decodeBatch(batch.buffer, batch.byteLength)
    expect(back.map((m) => [text(m.key), text(m.value), m.timestamp, m.headers])).toEqual([
      ['cell-1', '{"frp":1.5,"name":"Águas – 火"}', '1767225600000', shared],
      ['cell-2', '{"frp":2}', '1767225600001', shared],
      [Buffer.from([0, 255, 1]).toString('utf8'), Buffer.from([9, 8, 7]).toString('utf8'), undefined, undefined],
      [null, null, undefined, { other: 'ü' }],
      ['cell-3', '', undefined, shared],
    ])
    expect([...(back[2]!.key as Buffer)]).toEqual([0, 255, 1])
    // a headers object shared by messages is written once and shared again after decoding
    expect(back[0]!.headers).toBe(back[1]!.headers)
    expect(back[4]!.headers).not.toBe(back[0]!.headers)
  })

  it('encodes an empty batch', () => {
    const batch = encodeBatch([])
    expect(decodeBatch(batch.buffer, batch.byteLength)).toEqual([])
  })
})
