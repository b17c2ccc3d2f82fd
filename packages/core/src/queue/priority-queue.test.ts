import type { Priority } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../api/manual-clock'
import { PriorityQueue, type QueueDrop } from './priority-queue'

const items = <T>(entries: readonly { item: T }[]): T[] => entries.map((e) => e.item)

describe('PriorityQueue ordering', () => {
  it('dequeues the highest level first and FIFO within a level', () => {
    const q = new PriorityQueue<string>()
    const order: [string, Priority][] = [
      ['n1', 'normal'],
      ['l1', 'low'],
      ['c1', 'critical'],
      ['n2', 'normal'],
      ['h1', 'high'],
      ['c2', 'critical'],
      ['l2', 'low'],
    ]
    for (const [item, p] of order) q.tryEnqueue(item, p, 's')
    const out: string[] = []
    for (let e = q.dequeue(); e; e = q.dequeue()) out.push(e.item)
    expect(out).toEqual(['c1', 'c2', 'h1', 'n1', 'n2', 'l1', 'l2'])
    expect(q.dequeue()).toBeUndefined()
  })

  it('dequeueBatch takes across levels in priority order', () => {
    const q = new PriorityQueue<number>()
    for (let i = 0; i < 5; i++) q.tryEnqueue(i, 'low', 's')
    for (let i = 10; i < 13; i++) q.tryEnqueue(i, 'high', 's')
    expect(items(q.dequeueBatch(4))).toEqual([10, 11, 12, 0])
    expect(items(q.dequeueBatch(100))).toEqual([1, 2, 3, 4])
    expect(q.dequeueBatch(10)).toEqual([])
    expect(q.size()).toBe(0)
  })

  it('stamps each entry with its priority, source and enqueue time', () => {
    const clock = new ManualClock(1_000_000)
    const q = new PriorityQueue<{ v: number }>({ clock })
    q.tryEnqueue({ v: 1 }, 'high', 'firms')
    expect(q.dequeue()).toEqual({ item: { v: 1 }, priority: 'high', sourceId: 'firms', enqueuedAt: 1_000_000 })
  })

  it('keeps FIFO order through growth and wrap-around over many entries', () => {
    const q = new PriorityQueue<number>({ maxSize: 200_000 })
    let next = 0
    let expected = 0
    let outOfOrder = 0
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 30_000; i++) q.tryEnqueue(next++, 'normal', 's')
      for (const e of q.dequeueBatch(20_000)) if (e.item !== expected++) outOfOrder++
    }
    for (let e = q.dequeue(); e; e = q.dequeue()) if (e.item !== expected++) outOfOrder++
    expect(outOfOrder).toBe(0)
    expect(expected).toBe(next)
  })

  it('rejects an unknown priority and invalid options', () => {
    const q = new PriorityQueue<number>()
    expect(() => q.tryEnqueue(1, 'urgent' as Priority, 's')).toThrow(/unknown priority "urgent"/)
    expect(() => new PriorityQueue({ maxSize: 0 })).toThrow(/maxSize/)
    expect(() => new PriorityQueue({ overflowStrategy: 'spill' as 'block' })).toThrow(/overflow strategy "spill"/)
  })
})

describe('PriorityQueue overflow: drop_oldest', () => {
  it('evicts the oldest record of the lowest non-empty level and reports it', () => {
    const drops: QueueDrop<string>[] = []
    const q = new PriorityQueue<string>({ maxSize: 3, onDrop: (d) => drops.push(d) })
    q.tryEnqueue('h1', 'high', 's')
    q.tryEnqueue('n1', 'normal', 's')
    q.tryEnqueue('n2', 'normal', 's')
    const result = q.tryEnqueue('c1', 'critical', 's')
    expect(result.accepted).toBe(true)
    expect(result.dropped?.reason).toBe('drop_oldest')
    expect(result.dropped?.entry.item).toBe('n1')
    expect(drops).toEqual([result.dropped])
    expect(items(q.drain())).toEqual(['c1', 'h1', 'n2'])
  })

  it('evicts within the arriving level when it is the lowest', () => {
    const q = new PriorityQueue<string>({ maxSize: 2 })
    q.tryEnqueue('n1', 'normal', 's')
    q.tryEnqueue('n2', 'normal', 's')
    const result = q.tryEnqueue('n3', 'normal', 's')
    expect(result).toMatchObject({ accepted: true, dropped: { reason: 'drop_oldest', entry: { item: 'n1' } } })
    expect(items(q.drain())).toEqual(['n2', 'n3'])
  })

  it('never drops a critical record for a low one: the low arrival is dropped itself', () => {
    const drops: QueueDrop<string>[] = []
    const q = new PriorityQueue<string>({ maxSize: 2, onDrop: (d) => drops.push(d) })
    q.tryEnqueue('c1', 'critical', 's')
    q.tryEnqueue('c2', 'critical', 's')
    const result = q.tryEnqueue('l1', 'low', 'iot')
    expect(result.accepted).toBe(false)
    expect(result.dropped).toMatchObject({
      reason: 'lower_priority',
      entry: { item: 'l1', sourceId: 'iot', priority: 'low' },
    })
    expect(drops).toHaveLength(1)
    expect(items(q.drain())).toEqual(['c1', 'c2'])
  })
})

describe('PriorityQueue overflow: drop_newest', () => {
  it('drops the arriving record when it ranks at or below the lowest level', () => {
    const q = new PriorityQueue<string>({ maxSize: 2, overflowStrategy: 'drop_newest' })
    q.tryEnqueue('n1', 'normal', 's')
    q.tryEnqueue('h1', 'high', 's')
    expect(q.tryEnqueue('n2', 'normal', 's')).toMatchObject({
      accepted: false,
      dropped: { reason: 'drop_newest', entry: { item: 'n2' } },
    })
    expect(q.tryEnqueue('l1', 'low', 's')).toMatchObject({ accepted: false, dropped: { reason: 'lower_priority' } })
    expect(items(q.drain())).toEqual(['h1', 'n1'])
  })

  it('drops the newest record of the lowest level to admit a higher one', () => {
    const q = new PriorityQueue<string>({ maxSize: 3, overflowStrategy: 'drop_newest' })
    q.tryEnqueue('l1', 'low', 's')
    q.tryEnqueue('l2', 'low', 's')
    q.tryEnqueue('n1', 'normal', 's')
    expect(q.tryEnqueue('c1', 'critical', 's')).toMatchObject({
      accepted: true,
      dropped: { reason: 'drop_newest', entry: { item: 'l2' } },
    })
    expect(items(q.drain())).toEqual(['c1', 'n1', 'l1'])
  })
})

describe('PriorityQueue overflow: block', () => {
  it('tryEnqueue refuses without dropping when full', () => {
    const q = new PriorityQueue<number>({ maxSize: 1, overflowStrategy: 'block' })
    q.tryEnqueue(1, 'normal', 's')
    expect(q.tryEnqueue(2, 'critical', 's')).toEqual({ accepted: false })
    expect(q.getMetrics().total_dropped).toBe(0)
  })

  it('enqueue waits for room and a dequeue admits it (backpressure)', async () => {
    const q = new PriorityQueue<number>({ maxSize: 2, overflowStrategy: 'block' })
    await q.enqueue(1, 'normal', 's')
    await q.enqueue(2, 'normal', 's')
    let done = false
    const pending = q.enqueue(3, 'normal', 's').then((r) => {
      done = true
      return r
    })
    await new Promise((r) => setImmediate(r))
    expect(done).toBe(false)
    expect(q.getMetrics()).toMatchObject({ blocked_enqueuers: 1, total_blocked: 1, is_full: true })
    expect(q.dequeue()?.item).toBe(1)
    expect(await pending).toEqual({ accepted: true })
    expect(q.size()).toBe(2)
    expect(items(q.drain())).toEqual([2, 3])
  })

  it('admits waiting enqueues highest priority first, FIFO within a level', async () => {
    const q = new PriorityQueue<string>({ maxSize: 1, overflowStrategy: 'block' })
    q.tryEnqueue('first', 'low', 's')
    const waits = [
      q.enqueue('l', 'low', 's'),
      q.enqueue('n1', 'normal', 's'),
      q.enqueue('c', 'critical', 's'),
      q.enqueue('n2', 'normal', 's'),
    ]
    const seen: string[] = []
    for (let i = 0; i < 5; i++) seen.push(q.dequeue()!.item)
    await Promise.all(waits)
    expect(seen).toEqual(['first', 'c', 'n1', 'n2', 'l'])
  })

  it('a blocked enqueue can be aborted; its record is not queued', async () => {
    const q = new PriorityQueue<number>({ maxSize: 1, overflowStrategy: 'block' })
    q.tryEnqueue(1, 'normal', 's')
    const ac = new AbortController()
    const pending = q.enqueue(2, 'normal', 's', ac.signal)
    ac.abort(new Error('stream stopping'))
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    expect(q.getMetrics()).toMatchObject({ blocked_enqueuers: 0, total_block_aborted: 1 })
    q.dequeue()
    expect(q.size()).toBe(0)
    await expect(q.enqueue(3, 'normal', 's', AbortSignal.abort())).resolves.toEqual({ accepted: true })
  })

  it('an already-aborted signal rejects at once when it would block', async () => {
    const q = new PriorityQueue<number>({ maxSize: 1, overflowStrategy: 'block' })
    q.tryEnqueue(1, 'normal', 's')
    await expect(q.enqueue(2, 'normal', 's', AbortSignal.abort())).rejects.toMatchObject({ code: 'ERR_ABORTED' })
  })

  it('close rejects blocked enqueuers with ERR_STOPPED and keeps queued records for drain', async () => {
    const q = new PriorityQueue<number>({ maxSize: 1, overflowStrategy: 'block' })
    q.tryEnqueue(1, 'normal', 's')
    const pending = q.enqueue(2, 'normal', 's')
    q.close()
    await expect(pending).rejects.toMatchObject({ code: 'ERR_STOPPED' })
    expect(() => q.tryEnqueue(3, 'normal', 's')).toThrow(expect.objectContaining({ code: 'ERR_STOPPED' }))
    await expect(q.enqueue(3, 'normal', 's')).rejects.toMatchObject({ code: 'ERR_STOPPED' })
    expect(items(q.drain())).toEqual([1])
    q.close()
  })

  it('enqueueAll waits for room record by record', async () => {
    const q = new PriorityQueue<number>({ maxSize: 2, overflowStrategy: 'block' })
    let settled = false
    const all = q.enqueueAll([1, 2, 3, 4], 'normal', 's').then((r) => {
      settled = true
      return r
    })
    await new Promise((r) => setImmediate(r))
    expect(settled).toBe(false)
    expect(q.size()).toBe(2)
    const taken = q.dequeueBatch(2)
    await new Promise((r) => setImmediate(r))
    taken.push(...q.dequeueBatch(2))
    expect(await all).toEqual({ accepted: 4, dropped: [] })
    expect(items(taken)).toEqual([1, 2, 3, 4])
  })

  it('enqueueAll reports how many records were queued when it is aborted', async () => {
    const q = new PriorityQueue<number>({ maxSize: 1, overflowStrategy: 'block' })
    const ac = new AbortController()
    const all = q.enqueueAll([1, 2, 3], 'normal', 's', ac.signal)
    await new Promise((r) => setImmediate(r))
    ac.abort()
    await expect(all).rejects.toMatchObject({ code: 'ERR_ABORTED', message: expect.stringMatching(/after 1 record/) })
  })
})

describe('PriorityQueue enqueueAll', () => {
  it('uses a per-record priority and collects drops', async () => {
    const q = new PriorityQueue<{ p: Priority; v: number }>({ maxSize: 2 })
    const records = [
      { p: 'low' as const, v: 1 },
      { p: 'critical' as const, v: 2 },
      { p: 'critical' as const, v: 3 },
      { p: 'low' as const, v: 4 },
    ]
    const result = await q.enqueueAll(records, (r) => r.p, 's')
    expect(result.accepted).toBe(3)
    expect(result.dropped.map((d) => [d.reason, d.entry.item.v])).toEqual([
      ['drop_oldest', 1],
      ['lower_priority', 4],
    ])
  })
})

describe('PriorityQueue: records that can wait (pull sources)', () => {
  it('enqueueAll with wait waits for room under drop_oldest, dropping nothing', async () => {
    const q = new PriorityQueue<number>({ maxSize: 2, overflowStrategy: 'drop_oldest' })
    const all = q.enqueueAll([1, 2, 3, 4], 'normal', 's', { wait: true })
    await new Promise((r) => setImmediate(r))
    expect(q.size()).toBe(2)
    const taken = q.dequeueBatch(2)
    await new Promise((r) => setImmediate(r))
    taken.push(...q.dequeueBatch(2))
    expect(await all).toEqual({ accepted: 4, dropped: [] })
    expect(items(taken)).toEqual([1, 2, 3, 4])
  })

  it('a record that may not be evicted stays: the arriving one is dropped instead (drop_newest)', () => {
    const drops: QueueDrop<{ v: number; pull: boolean }>[] = []
    const q = new PriorityQueue<{ v: number; pull: boolean }>({
      maxSize: 1,
      overflowStrategy: 'drop_oldest',
      isEvictable: (item) => !item.pull,
      onDrop: (d) => drops.push(d),
    })
    q.tryEnqueue({ v: 1, pull: true }, 'normal', 'pull')
    expect(q.tryEnqueue({ v: 2, pull: false }, 'normal', 'push')).toMatchObject({ accepted: false })
    expect(drops.map((d) => [d.entry.item.v, d.reason])).toEqual([[2, 'drop_newest']])
    expect(q.drain().map((e) => e.item.v)).toEqual([1])
    // an evictable record is still evicted as drop_oldest says
    q.tryEnqueue({ v: 3, pull: false }, 'normal', 'push')
    q.tryEnqueue({ v: 4, pull: false }, 'normal', 'push')
    expect(drops.map((d) => [d.entry.item.v, d.reason])).toEqual([
      [2, 'drop_newest'],
      [3, 'drop_oldest'],
    ])
  })
})

describe('PriorityQueue waitForItems', () => {
  it('resolves at once when records are queued', async () => {
    const q = new PriorityQueue<number>()
    q.tryEnqueue(1, 'normal', 's')
    await expect(q.waitForItems()).resolves.toBe(true)
  })

  it('resolves when enough records arrive', async () => {
    const q = new PriorityQueue<number>()
    let ready: boolean | undefined
    void q.waitForItems({ minItems: 3 }).then((r) => {
      ready = r
    })
    q.tryEnqueue(1, 'normal', 's')
    q.tryEnqueue(2, 'normal', 's')
    await new Promise((r) => setImmediate(r))
    expect(ready).toBeUndefined()
    q.tryEnqueue(3, 'normal', 's')
    await new Promise((r) => setImmediate(r))
    expect(ready).toBe(true)
  })

  it('caps minItems at maxSize so a full queue always satisfies it', async () => {
    const q = new PriorityQueue<number>({ maxSize: 2 })
    q.tryEnqueue(1, 'normal', 's')
    q.tryEnqueue(2, 'normal', 's')
    await expect(q.waitForItems({ minItems: 500 })).resolves.toBe(true)
  })

  it('resolves false after the linger time (on the injected clock)', async () => {
    const clock = new ManualClock()
    const q = new PriorityQueue<number>({ clock })
    q.tryEnqueue(1, 'normal', 's')
    let ready: boolean | undefined
    void q.waitForItems({ minItems: 10, timeoutMs: 5000 }).then((r) => {
      ready = r
    })
    await clock.advance(4999)
    expect(ready).toBeUndefined()
    await clock.advance(1)
    expect(ready).toBe(false)
  })

  it('cancels its timer when records arrive first', async () => {
    const clock = new ManualClock()
    const q = new PriorityQueue<number>({ clock })
    const wait = q.waitForItems({ timeoutMs: 5000 })
    expect(clock.pendingTimers).toBe(1)
    q.tryEnqueue(1, 'normal', 's')
    await expect(wait).resolves.toBe(true)
    await clock.flush()
    expect(clock.pendingTimers).toBe(0)
  })

  it('resolves false on abort and on close', async () => {
    const q = new PriorityQueue<number>()
    const ac = new AbortController()
    const aborted = q.waitForItems({ signal: ac.signal })
    ac.abort()
    await expect(aborted).resolves.toBe(false)
    const closed = q.waitForItems()
    q.close()
    await expect(closed).resolves.toBe(false)
    await expect(q.waitForItems()).resolves.toBe(false)
  })
})

describe('PriorityQueue metrics and drain', () => {
  it('reports the seed-shaped figures', async () => {
    const clock = new ManualClock(0)
    const q = new PriorityQueue<number>({ maxSize: 4, clock })
    q.tryEnqueue(1, 'low', 's')
    await clock.advance(1500)
    q.tryEnqueue(2, 'high', 's')
    q.tryEnqueue(3, 'high', 's')
    q.tryEnqueue(4, 'normal', 's')
    q.tryEnqueue(5, 'critical', 's') // evicts 1 (low, oldest)
    q.tryEnqueue(6, 'low', 's') // lower than everything queued: dropped
    q.dequeue()
    await clock.advance(500)
    expect(q.getMetrics()).toEqual({
      size: 3,
      max_size: 4,
      utilization: 0.75,
      overflow_strategy: 'drop_oldest',
      size_by_priority: { critical: 0, high: 2, normal: 1, low: 0 },
      total_enqueued: 5,
      total_dequeued: 1,
      total_dropped: 2,
      dropped_by_reason: { drop_oldest: 1, drop_newest: 0, lower_priority: 1 },
      is_full: false,
      oldest_age_seconds: 0.5,
      blocked_enqueuers: 0,
      total_blocked: 0,
      total_block_aborted: 0,
      closed: false,
    })
    expect(q.sizeOf('high')).toBe(2)
    expect(q.isFull()).toBe(false)
  })

  it('reports a null oldest age when empty', () => {
    expect(new PriorityQueue().getMetrics().oldest_age_seconds).toBeNull()
  })

  it('drain takes everything in priority order and counts it as dequeued', () => {
    const q = new PriorityQueue<number>()
    for (let i = 0; i < 100; i++) q.tryEnqueue(i, i % 2 ? 'high' : 'low', 's')
    const all = q.drain()
    expect(all).toHaveLength(100)
    expect(all.slice(0, 50).every((e) => e.priority === 'high')).toBe(true)
    expect(q.size()).toBe(0)
    expect(q.getMetrics().total_dequeued).toBe(100)
  })
})
