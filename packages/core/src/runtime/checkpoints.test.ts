import { describe, expect, it } from 'vitest'
import { CheckpointTracker } from './checkpoints'

describe('CheckpointTracker', () => {
  it('commits a cursor only when every earlier checkpoint is settled, whatever the settle order', () => {
    const t = new CheckpointTracker()
    const a = t.open(2, 'A')
    const b = t.open(1, 'B')
    const c = t.open(1, 'C')
    t.settle(c)
    t.settle(b)
    expect(t.advance()).toBeUndefined() // A still has 2 unsettled records
    t.settle(a)
    expect(t.advance()).toBeUndefined()
    t.settle(a)
    expect(t.advance()).toEqual({ cursor: 'C', records: 4 })
    expect(t.pending()).toBe(0)
    expect(t.advance()).toBeUndefined()
  })

  it('an empty poll commits at once after its predecessors; an undefined cursor keeps the last one', () => {
    const t = new CheckpointTracker()
    const a = t.open(1, { page: 1 })
    t.open(0, { page: 2 })
    const c = t.open(1, undefined)
    t.settle(a)
    t.settle(c)
    expect(t.advance()).toEqual({ cursor: { page: 2 }, records: 2 })
  })

  it('settling more than a checkpoint holds never goes negative', () => {
    const t = new CheckpointTracker()
    const a = t.open(1, 1)
    t.settle(a, 5)
    expect(a.remaining).toBe(0)
    expect(t.advance()).toEqual({ cursor: 1, records: 1 })
  })

  it('stays bounded over many checkpoints', () => {
    const t = new CheckpointTracker()
    for (let i = 0; i < 10_000; i++) {
      const cp = t.open(1, i)
      t.settle(cp)
      expect(t.advance()?.cursor).toBe(i)
    }
    expect(t.pending()).toBe(0)
  })
})
