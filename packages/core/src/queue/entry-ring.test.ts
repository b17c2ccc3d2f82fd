import { describe, expect, it } from 'vitest'
import { EntryRing } from './entry-ring'

const itemsOf = (ring: EntryRing<number>): number[] => ring.toArray().map((e) => e.item)

describe('EntryRing', () => {
  it('is FIFO and hands out whole entries', () => {
    const ring = new EntryRing<number>('high')
    for (let i = 0; i < 5; i++) ring.push(i, `s${i}`, 1000 + i)
    expect(ring.shift()).toEqual({ item: 0, priority: 'high', sourceId: 's0', enqueuedAt: 1000 })
    expect([ring.shift()?.item, ring.shift()?.item]).toEqual([1, 2])
    expect(ring.length).toBe(2)
    expect(itemsOf(ring)).toEqual([3, 4])
    expect(ring.oldestTime()).toBe(1003)
  })

  it('returns undefined when empty', () => {
    const ring = new EntryRing<number>('low')
    expect(ring.shift()).toBeUndefined()
    expect(ring.pop()).toBeUndefined()
    expect(ring.oldestTime()).toBeUndefined()
  })

  it('wraps around without growing while the length stays under the capacity', () => {
    const ring = new EntryRing<number>('normal', 16)
    const out: number[] = []
    for (let i = 0; i < 1000; i++) {
      ring.push(i, 's', i)
      if (ring.length > 10) out.push(ring.shift()!.item)
    }
    expect(ring.capacity).toBe(16)
    expect(out).toEqual(Array.from({ length: 990 }, (_, i) => i))
    expect(itemsOf(ring)).toEqual(Array.from({ length: 10 }, (_, i) => 990 + i))
  })

  it('grows by doubling and keeps every column in order when the head has wrapped', () => {
    const ring = new EntryRing<number>('normal', 16)
    for (let i = 0; i < 12; i++) ring.push(i, `s${i}`, i)
    for (let i = 0; i < 10; i++) ring.shift() // the head is at slot 10; the next pushes wrap
    for (let i = 12; i < 40; i++) ring.push(i, `s${i}`, i)
    expect(ring.capacity).toBe(32)
    const drained = []
    while (ring.length) drained.push(ring.shift()!)
    expect(drained.map((e) => [e.item, e.sourceId, e.enqueuedAt])).toEqual(
      Array.from({ length: 30 }, (_, k) => [10 + k, `s${10 + k}`, 10 + k]),
    )
  })

  it('rounds the initial capacity up to a power of two', () => {
    expect(new EntryRing('low', 100).capacity).toBe(128)
    expect(new EntryRing('low', 1).capacity).toBe(16)
  })

  it('pop takes the newest', () => {
    const ring = new EntryRing<number>('low')
    for (let i = 0; i < 3; i++) ring.push(i, 's', i)
    expect(ring.pop()?.item).toBe(2)
    expect(itemsOf(ring)).toEqual([0, 1])
  })

  it('shiftInto moves up to max entries, oldest first', () => {
    const ring = new EntryRing<number>('low')
    for (let i = 0; i < 20; i++) ring.push(i, 's', i)
    const out = ring.toArray().slice(0, 1)
    expect(ring.shiftInto(out, 5)).toBe(5)
    expect(out.map((e) => e.item)).toEqual([0, 0, 1, 2, 3, 4])
    expect(ring.shiftInto(out, 100)).toBe(15)
    expect(ring.length).toBe(0)
  })

  it('clear empties it and shrinks it back', () => {
    const ring = new EntryRing<number>('low')
    for (let i = 0; i < 1000; i++) ring.push(i, 's', i)
    expect(ring.capacity).toBe(1024)
    ring.clear()
    expect(ring.length).toBe(0)
    expect(ring.capacity).toBe(16)
    ring.push(7, 's', 7)
    expect(ring.shift()?.item).toBe(7)
  })
})
