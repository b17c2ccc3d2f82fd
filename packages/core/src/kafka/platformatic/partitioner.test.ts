import { murmur2 as libraryMurmur2 } from '@platformatic/kafka'
import { describe, expect, it } from 'vitest'
import { createJavaCompatiblePartitioner, keyHash, murmur2 } from './partitioner'

describe('murmur2', () => {
  it('matches the Java client’s Utils.murmur2 test vectors', () => {
    const cases: Array<[string | number[], number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [[0x61, 0x62, 0x63], 479470107],
    ]
    for (const [input, expected] of cases) {
      expect(murmur2(typeof input === 'string' ? Buffer.from(input) : Uint8Array.from(input))).toBe(expected)
    }
  })

  it('agrees with @platformatic/kafka’s own murmur2 on every length and on multi-byte text', () => {
    let seed = 7
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed >>> 24
    }
    for (let length = 0; length < 64; length++) {
      const data = Buffer.from(Array.from({ length }, next))
      expect(murmur2(data)).toBe(libraryMurmur2(data))
    }
    const text = Buffer.from('cellule-ünïcode-✓-🔥')
    expect(murmur2(text)).toBe(libraryMurmur2(text))
  })
})

describe('createJavaCompatiblePartitioner', () => {
  it('hashes keys as toPositive(murmur2(key)), which the library takes modulo the partitions', () => {
    const partition = createJavaCompatiblePartitioner()
    for (const key of [
      'cell-1',
      'cell-2',
      'a-little-bit-longer-string',
      'lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8',
    ]) {
      const buffer = Buffer.from(key)
      const hash = partition({ topic: 't' }, buffer)
      expect(hash).toBe(murmur2(buffer) & 0x7fffffff)
      expect(hash).toBe(keyHash(buffer))
      expect(hash).toBeGreaterThanOrEqual(0)
    }
    // Java: toPositive(-58897971) % 3 == 2 (a negative hash is masked, not negated)
    expect(keyHash(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')) % 3).toBe(
      (-58897971 & 0x7fffffff) % 3,
    )
  })

  it('spreads unkeyed messages round-robin, per topic', () => {
    const partition = createJavaCompatiblePartitioner()
    const a = Array.from({ length: 6 }, () => partition({ topic: 'a' }, undefined) % 3)
    expect(new Set(a).size).toBe(3)
    for (let i = 1; i < a.length; i++) expect(a[i]).toBe((a[i - 1]! + 1) % 3)
    const b0 = partition({ topic: 'b' }, undefined)
    expect(partition({ topic: 'b' }, undefined)).toBe(b0 + 1)
  })
})
