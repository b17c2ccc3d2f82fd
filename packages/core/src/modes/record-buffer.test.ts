import type { Cursor, SourceRecord } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { deferred } from './fake-sources'
import { RecordBuffer } from './record-buffer'

const recs = (...values: number[]): SourceRecord[] => values.map((value) => ({ value }))
const tick = () => new Promise((r) => setImmediate(r))

function recorder() {
  const calls: { values: unknown[]; cursor: Cursor | undefined }[] = []
  return {
    calls,
    process: async (records: readonly SourceRecord[], cursor?: Cursor) => {
      calls.push({ values: records.map((r) => r.value), cursor })
    },
  }
}

describe('RecordBuffer', () => {
  it('holds records until it fills, then flushes them with the cursor that follows them', async () => {
    const r = recorder()
    const flushed: number[] = []
    const buffer = new RecordBuffer({ capacity: 3, process: r.process, onFlushed: (n) => flushed.push(n) })
    await buffer.add(recs(1, 2), 'c1')
    await tick()
    expect(r.calls).toEqual([])
    expect(buffer.length).toBe(2)
    await buffer.add(recs(3), 'c2')
    await tick()
    expect(r.calls).toEqual([{ values: [1, 2, 3], cursor: 'c2' }])
    expect(flushed).toEqual([3])
    expect(buffer.flushes).toBe(1)
  })

  it('flush hands on what is there, and a lone cursor too', async () => {
    const r = recorder()
    const buffer = new RecordBuffer({ capacity: 10, process: r.process })
    await buffer.flush()
    expect(r.calls).toEqual([])
    await buffer.add(recs(1))
    await buffer.flush()
    await buffer.add([], { since: 'x' })
    await buffer.flush()
    expect(r.calls).toEqual([
      { values: [1], cursor: undefined },
      { values: [], cursor: { since: 'x' } },
    ])
  })

  it('a failed flush keeps its records in order and its cursor for the next flush', async () => {
    let fail = true
    const r = recorder()
    const buffer = new RecordBuffer({
      capacity: 10,
      process: async (records, cursor) => {
        if (fail) throw new Error('queue closed')
        await r.process(records, cursor)
      },
    })
    await buffer.add(recs(1, 2), 'c1')
    await expect(buffer.flush()).rejects.toThrow('queue closed')
    await buffer.add(recs(3))
    fail = false
    await buffer.flush()
    expect(r.calls).toEqual([{ values: [1, 2, 3], cursor: 'c1' }])
  })

  it('a cursor that arrives during a failing flush replaces the old one', async () => {
    const gate = deferred()
    let calls = 0
    const r = recorder()
    const buffer = new RecordBuffer({
      capacity: 10,
      process: async (records, cursor) => {
        calls++
        if (calls === 1) {
          await gate.promise
          throw new Error('once')
        }
        await r.process(records, cursor)
      },
    })
    await buffer.add(recs(1), 'c1')
    const first = buffer.flush()
    await buffer.add(recs(2), 'c2')
    gate.resolve()
    await expect(first).rejects.toThrow('once')
    await buffer.flush()
    expect(r.calls).toEqual([{ values: [1, 2], cursor: 'c2' }])
  })

  it('add waits while the buffer is full and a flush is in flight (backpressure)', async () => {
    const gate = deferred()
    const r = recorder()
    const buffer = new RecordBuffer({
      capacity: 2,
      process: async (records, cursor) => {
        if (r.calls.length === 0) await gate.promise
        await r.process(records, cursor)
      },
    })
    await buffer.add(recs(1, 2)) // fills: a flush starts and hangs on the gate
    await buffer.add(recs(3, 4)) // accepted into the fresh buffer, which is now full
    let accepted = false
    const third = buffer.add(recs(5)).then(() => {
      accepted = true
    })
    await tick()
    expect(accepted).toBe(false)
    gate.resolve()
    await third
    await buffer.flush()
    expect(r.calls.map((c) => c.values)).toEqual([[1, 2], [3, 4], [5]])
  })

  it('reports a failed background flush and keeps the records', async () => {
    const errors: unknown[] = []
    const buffer = new RecordBuffer({
      capacity: 1,
      process: async () => {
        throw new Error('nope')
      },
      onBackgroundError: (err) => errors.push(err),
    })
    await buffer.add(recs(1))
    await tick()
    expect(errors).toHaveLength(1)
    expect(buffer.length).toBe(1)
  })
})
