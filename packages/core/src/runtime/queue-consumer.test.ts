import {
  type Logger,
  type SinkBatch,
  type SinkRecord,
  type SinkResult,
  systemClock,
  type ThrottlePolicyInstance,
} from '@firefront/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { PriorityQueue } from '../queue/priority-queue'
import { RuntimeEmitter } from './events'
import { QueueConsumer } from './queue-consumer'
import type { QueuedRecord } from './queued-record'

const silent: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
  child: () => silent,
} as unknown as Logger

const allow: ThrottlePolicyInstance = {
  check: async () => ({ action: 'allow', delayMs: 0 }),
  metrics: () => ({}),
}

const record = (i: number, sourceId = 'src'): QueuedRecord => ({
  record: {
    key: `k${i}`,
    value: { i },
    sourceId,
    sourceType: 'test',
    priority: 'normal',
    ingestedAt: '2026-01-01T00:00:00.000Z',
  } as unknown as SinkRecord,
  streamId: sourceId,
  evictable: false,
})

const indexOf = (r: SinkRecord): number => (r.value as { i: number }).i

/** A sink whose sends resolve only when the test says so, in any order. */
class FakeSink {
  readonly calls: Array<{ batch: SinkBatch; resolve: (r: SinkResult) => void; reject: (e: Error) => void }> = []
  #waiters: Array<() => void> = []
  /** Sends in progress (called, not yet resolved or rejected). */
  open = 0
  maxOpen = 0

  send = (batch: SinkBatch): Promise<SinkResult> =>
    new Promise<SinkResult>((resolve, reject) => {
      this.open++
      this.maxOpen = Math.max(this.maxOpen, this.open)
      const done = () => {
        this.open--
      }
      this.calls.push({
        batch,
        resolve: (r) => {
          done()
          resolve(r)
        },
        reject: (e) => {
          done()
          reject(e)
        },
      })
      for (const w of this.#waiters.splice(0)) w()
    })

  /** Waits until `n` sends have been made in all. */
  async calledTimes(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((r) => this.#waiters.push(r))
  }

  ack(index: number): void {
    const c = this.calls[index]!
    c.resolve({ delivered: c.batch.records.length, deadLettered: 0, spooled: 0 })
  }
}

const consumers: QueueConsumer[] = []
afterEach(async () => {
  for (const c of consumers.splice(0)) await c.stop(1000)
})

function setup(maxInFlightBatches: number, retryBaseMs = 1) {
  const queue = new PriorityQueue<QueuedRecord>({ maxSize: 10_000 })
  const sink = new FakeSink()
  const settled: Array<{ items: readonly QueuedRecord[]; result: SinkResult }> = []
  const consumer = new QueueConsumer({
    queue,
    send: sink.send,
    throttle: allow,
    resolveTopic: () => 'fires',
    batchSize: 10,
    maxInFlightBatches,
    lingerMs: 0,
    events: new RuntimeEmitter(),
    logger: silent,
    clock: systemClock,
    retryBaseMs,
    retryMaxMs: retryBaseMs,
    callbacks: {
      settled: (items, result) => settled.push({ items, result }),
      abandoned: () => {
        throw new Error('nothing may be abandoned here')
      },
    },
  })
  consumers.push(consumer)
  const fill = async (from: number, count: number, sourceId = 'src') => {
    for (let i = from; i < from + count; i++) await queue.enqueue(record(i, sourceId), 'normal', sourceId)
  }
  return { queue, sink, settled, consumer, fill }
}

describe('QueueConsumer with batches in flight', () => {
  it('keeps up to N batches with the sink at once, handed over in queue order', async () => {
    const { sink, consumer, fill, settled } = setup(3)
    await fill(0, 50)
    consumer.start()
    await sink.calledTimes(3)
    // a fourth batch waits for room
    await new Promise((r) => setTimeout(r, 20))
    expect(sink.calls).toHaveLength(3)
    expect(sink.open).toBe(3)
    sink.ack(1) // acknowledgements may come in any order
    await sink.calledTimes(4)
    sink.ack(0)
    sink.ack(2)
    sink.ack(3)
    await sink.calledTimes(5)
    sink.ack(4)
    await consumer.idle()
    expect(sink.maxOpen).toBe(3)
    const order = sink.calls.flatMap((c) => c.batch.records.map(indexOf))
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(settled.flatMap((s) => s.items.map((q) => indexOf(q.record))).sort((a, b) => a - b)).toEqual(order)
    // settles followed the acknowledgements: batch 1 before batch 0
    expect(indexOf(settled[0]!.items[0]!.record)).toBe(10)
  })

  it('with 1 in flight, hands over the next batch only after the previous one is accounted for', async () => {
    const { sink, consumer, fill } = setup(1)
    await fill(0, 30)
    consumer.start()
    await sink.calledTimes(1)
    await new Promise((r) => setTimeout(r, 20))
    expect(sink.calls).toHaveLength(1)
    sink.ack(0)
    await sink.calledTimes(2)
    sink.ack(1)
    await sink.calledTimes(3)
    sink.ack(2)
    await consumer.idle()
    expect(sink.maxOpen).toBe(1)
  })

  it('retries the first of two batches when the sink rejects it, after the second was accounted for; nothing is lost', async () => {
    const { sink, consumer, fill, settled } = setup(2)
    await fill(0, 20)
    consumer.start()
    await sink.calledTimes(2)
    sink.calls[0]!.reject(new Error('spool full'))
    sink.ack(1)
    await sink.calledTimes(3) // the retry of the first batch
    expect(sink.calls[2]!.batch.records.map(indexOf)).toEqual(Array.from({ length: 10 }, (_, i) => i))
    sink.ack(2)
    await consumer.idle()
    expect(settled.map((s) => s.items.map((q) => indexOf(q.record))[0])).toEqual([10, 0])
    expect(settled.reduce((n, s) => n + s.result.delivered, 0)).toBe(20)
    expect(consumer.getMetrics()).toMatchObject({ send_failures: 1, records: 20, in_flight: 0 })
  })

  it('hands over the groups of two sources of one batch without waiting for either to be accounted for', async () => {
    const { sink, consumer, fill, queue } = setup(2)
    await fill(0, 5, 'a')
    await fill(5, 5, 'b')
    expect(queue.size()).toBe(10)
    consumer.start()
    await sink.calledTimes(2)
    expect(sink.calls.map((c) => c.batch.sourceId)).toEqual(['a', 'b'])
    sink.ack(1)
    sink.ack(0)
    await consumer.idle()
  })
})
