import { describe, expect, it } from 'vitest'
import { headerStrings, toProduceMessages } from './messages'

describe('toProduceMessages', () => {
  it('turns keys, values and headers into Buffers and timestamps into BigInts', () => {
    const [m] = toProduceMessages('fires', [
      {
        key: 'cell-1',
        value: '{"frp":1.5,"note":"ü"}',
        headers: { 'firefront.source.id': 'firms', 'x-n': '1' },
        timestamp: '1767225600000',
      },
    ])
    expect(m!.topic).toBe('fires')
    expect(m!.key).toEqual(Buffer.from('cell-1'))
    expect(m!.value).toEqual(Buffer.from('{"frp":1.5,"note":"ü"}'))
    expect(m!.timestamp).toBe(1_767_225_600_000n)
    const headers = m!.headers as Map<Buffer, Buffer>
    expect([...headers].map(([k, v]) => [k.toString(), v.toString()])).toEqual([
      ['firefront.source.id', 'firms'],
      ['x-n', '1'],
    ])
  })

  it('keeps Buffers as they are, and leaves a null key and a null value (a tombstone) unset', () => {
    const key = Buffer.from([0, 1, 2])
    const [a, b] = toProduceMessages('t', [
      { key, value: null },
      { key: null, value: Buffer.from('v') },
    ])
    expect(a!.key).toBe(key)
    expect(a!.value).toBeUndefined()
    expect(a!.headers).toBeUndefined()
    expect(a!.timestamp).toBeUndefined()
    expect(b!.key).toBeUndefined()
  })

  it('encodes a headers object shared by several messages once, and each other one apart', () => {
    const shared = Object.freeze({ 'firefront.source.id': 'firms' })
    const [a, b, c, d] = toProduceMessages('t', [
      { key: 'a', value: '1', headers: shared },
      { key: 'b', value: '2', headers: shared },
      { key: 'c', value: '3', headers: { 'firefront.source.id': 'noaa' } },
      { key: 'd', value: '4', headers: shared },
    ])
    expect(b!.headers).toBe(a!.headers)
    expect(c!.headers).not.toBe(a!.headers)
    expect([...(c!.headers as Map<Buffer, Buffer>).values()].map(String)).toEqual(['noaa'])
    expect([...(d!.headers as Map<Buffer, Buffer>).values()].map(String)).toEqual(['firms'])
  })
})

describe('headerStrings', () => {
  it('decodes headers and keeps the first value of a repeated one', () => {
    const headers = new Map<Buffer | undefined, Buffer | undefined>([
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('a'), Buffer.from('2')],
      [Buffer.from('b'), undefined],
      [undefined, Buffer.from('x')],
    ])
    expect(headerStrings(headers)).toEqual({ a: '1' })
  })
})
