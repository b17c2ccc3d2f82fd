import { describe, expect, it } from 'vitest'
import { decodeUtf8, firstInvalidUtf8 } from '../src/utf8'

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))))

describe('decodeUtf8', () => {
  it('decodes valid UTF-8 and reports nothing', () => {
    expect(decodeUtf8(bytes('héllo, 火'))).toEqual({ text: 'héllo, 火' })
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], 'a'))).toEqual({ text: 'a' })
  })

  it('says how many sequences were replaced and where the first was', () => {
    const d = decodeUtf8(bytes('ab', [0xff], 'c', [0xc3], 'd'))
    expect(d.text).toBe('ab\uFFFDc\uFFFDd')
    expect(d.invalid).toEqual({ sequences: 2, firstOffset: 2, genuineReplacements: 0 })
  })

  it('tells replaced bytes from a U+FFFD the bytes held', () => {
    const d = decodeUtf8(bytes('\uFFFD ok ', [0xe2, 0x28, 0xa1]))
    expect(d.invalid).toMatchObject({ genuineReplacements: 1, firstOffset: 7 })
    expect(d.invalid!.sequences).toBeGreaterThanOrEqual(1)
  })
})

describe('firstInvalidUtf8', () => {
  it('follows the decoder on overlongs, surrogates, out-of-range and cut sequences', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe6, 0x97],
    ]) {
      const b = bytes('ok', bad)
      expect(firstInvalidUtf8(b)).toBe(2)
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(b)).toThrow()
    }
    expect(firstInvalidUtf8(bytes('\u{1F525} \u00e9 \u706b'))).toBe(-1)
  })
})
