import { describe, expect, it } from 'vitest'
import { spreadSlots } from './spread'

const sizes = (m: Map<string, number[]>) => [...m.values()].map((s) => s.length)
const all = (m: Map<string, number[]>) => [...m.values()].flat().sort((a, b) => a - b)

describe('spreadSlots', () => {
  it('6 slots over 3 fresh workers: 2 each, every slot once', () => {
    const r = spreadSlots(
      [
        { id: 'w1', owned: [] },
        { id: 'w2', owned: [] },
        { id: 'w3', owned: [] },
      ],
      6,
    )
    expect(sizes(r)).toEqual([2, 2, 2])
    expect(all(r)).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('a worker joining takes only what the balance needs; the others keep theirs', () => {
    const r = spreadSlots(
      [
        { id: 'w1', owned: [0, 1, 2, 3, 4, 5] },
        { id: 'w2', owned: [] },
      ],
      6,
    )
    expect(r.get('w1')).toEqual([0, 1, 2])
    expect(r.get('w2')).toEqual([3, 4, 5])
    const three = spreadSlots(
      [
        { id: 'w1', owned: [0, 1, 2] },
        { id: 'w2', owned: [3, 4, 5] },
        { id: 'w3', owned: [] },
      ],
      6,
    )
    expect(sizes(three)).toEqual([2, 2, 2])
    expect(three.get('w1')!.every((s) => [0, 1, 2].includes(s))).toBe(true)
    expect(three.get('w2')!.every((s) => [3, 4, 5].includes(s))).toBe(true)
  })

  it('a worker leaving: its slots go to the survivors, who keep their own', () => {
    const r = spreadSlots(
      [
        { id: 'w1', owned: [0, 1] },
        { id: 'w3', owned: [4, 5] },
      ],
      6,
    )
    expect(sizes(r)).toEqual([3, 3])
    expect(r.get('w1')).toEqual(expect.arrayContaining([0, 1]))
    expect(r.get('w3')).toEqual(expect.arrayContaining([4, 5]))
    expect(all(r)).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('uneven counts: sizes differ by one at most; more workers than slots leaves some idle', () => {
    const r = spreadSlots(
      [
        { id: 'a', owned: [0, 1, 2, 3] },
        { id: 'b', owned: [4, 5, 6] },
        { id: 'c', owned: [] },
      ],
      7,
    )
    expect(sizes(r).sort()).toEqual([2, 2, 3])
    expect(all(r)).toEqual([0, 1, 2, 3, 4, 5, 6])
    const idle = spreadSlots(
      [
        { id: 'a', owned: [] },
        { id: 'b', owned: [] },
        { id: 'c', owned: [] },
      ],
      2,
    )
    expect(sizes(idle).sort()).toEqual([0, 1, 1])
  })

  it('a slot claimed twice (a stale claim) goes to one; claims beyond the slots are ignored', () => {
    const r = spreadSlots(
      [
        { id: 'a', owned: [0, 9] },
        { id: 'b', owned: [0] },
      ],
      2,
    )
    expect(r.get('a')).toEqual([0])
    expect(r.get('b')).toEqual([1])
  })
})
