import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SegmentSpool } from './segment-spool'

interface Item {
  n: number
  text: string
}

const dirs: string[] = []
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'firefront-spool-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const items = (from: number, count: number, text = 'x'): Item[] =>
  Array.from({ length: count }, (_, i) => ({ n: from + i, text }))
const segmentFiles = (d: string): string[] => readdirSync(d).filter((f) => f.startsWith('segment-'))

async function drain(spool: SegmentSpool<Item>): Promise<number[]> {
  const seen: number[] = []
  for (;;) {
    const [head] = await spool.peek(1)
    if (!head) return seen
    seen.push(head.value.n)
    await spool.ack(1)
  }
}

describe('SegmentSpool', () => {
  it('appends, reads back oldest first, and forgets what was acknowledged', async () => {
    const spool = new SegmentSpool<Item>({ directory: dir(), maxBytes: 1 << 20 })
    await spool.open()
    await spool.append(items(0, 3))
    await spool.append(items(3, 2))
    expect(spool.size).toBe(5)
    expect((await spool.peek(2)).map((e) => e.value.n)).toEqual([0, 1])
    await spool.ack(2)
    expect((await spool.peek(10)).map((e) => e.value.n)).toEqual([2, 3, 4])
    await spool.ack(3)
    expect(spool.size).toBe(0)
    expect(spool.bytes).toBe(0)
    await spool.close()
  })

  it('fsyncs the segment before append resolves', async () => {
    const d = dir()
    const probe = await open(join(d, 'probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as { datasync(): Promise<void> }
    await probe.close()
    const datasync = vi.spyOn(proto, 'datasync')
    const spool = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20 })
    await spool.open()
    await spool.append(items(0, 1))
    expect(datasync).toHaveBeenCalledTimes(1)
    const [file] = segmentFiles(d)
    expect(readFileSync(join(d, file!), 'utf8')).toBe('{"n":0,"text":"x"}\n')
    await spool.close()
  })

  it('refuses appends past max_bytes with ERR_SPOOL_FULL, and has room again once drained', async () => {
    const spool = new SegmentSpool<Item>({ directory: dir(), maxBytes: 100, segmentBytes: 40 })
    await spool.open()
    await spool.append(items(0, 4)) // 4 lines of 19 bytes
    await expect(spool.append(items(4, 2))).rejects.toMatchObject({ code: 'ERR_SPOOL_FULL' })
    expect(spool.stats().rejectedFull).toBe(1)
    expect(spool.size).toBe(4) // all or nothing: the refused append left nothing behind
    await drain(spool)
    await spool.append(items(4, 2))
    expect(spool.size).toBe(2)
    await spool.close()
  })

  it('replays in order across segments and deletes each segment once it is acknowledged', async () => {
    const d = dir()
    const spool = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20, segmentBytes: 60 })
    await spool.open()
    for (let i = 0; i < 10; i++) await spool.append(items(i, 1))
    const before = segmentFiles(d).length
    expect(before).toBeGreaterThan(3)
    const [first] = await spool.peek(1)
    expect(first!.value.n).toBe(0)
    await spool.ack(4)
    expect(segmentFiles(d).length).toBeLessThan(before)
    expect(await drain(spool)).toEqual([4, 5, 6, 7, 8, 9])
    expect(segmentFiles(d)).toEqual([])
    await spool.close()
  })

  it('recovers the unacknowledged entries after a restart', async () => {
    const d = dir()
    const a = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20, segmentBytes: 50 })
    await a.open()
    await a.append(items(0, 5))
    await a.ack(2)
    await a.close()

    const b = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20, segmentBytes: 50 })
    const visited: number[] = []
    const recovery = await b.open((v) => visited.push(v.n))
    expect(recovery).toMatchObject({ entries: 3, tornLines: 0 })
    expect(visited).toEqual([2, 3, 4])
    await b.append(items(5, 1))
    expect(await drain(b)).toEqual([2, 3, 4, 5])
    await b.close()
  })

  it('keeps entries appended after everything was acknowledged and deleted', async () => {
    const d = dir()
    const a = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20 })
    await a.open()
    await a.append(items(0, 2))
    await drain(a)
    await a.append(items(2, 1))
    await a.close()
    const b = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20 })
    await b.open()
    expect(await drain(b)).toEqual([2])
    await b.close()
  })

  it('skips and counts a torn last line left by a crash, and appends cleanly after it', async () => {
    const d = dir()
    const a = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20 })
    await a.open()
    await a.append(items(0, 3))
    await a.close()
    const [file] = segmentFiles(d)
    appendFileSync(join(d, file!), '{"n":3,"te') // the crash cut this append short

    const b = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20 })
    const recovery = await b.open()
    expect(recovery).toMatchObject({ entries: 3, tornLines: 1 })
    expect(b.stats().tornLines).toBe(1)
    await b.append(items(4, 1))
    await b.close()

    const c = new SegmentSpool<Item>({ directory: d, maxBytes: 1 << 20 })
    expect(await c.open()).toMatchObject({ entries: 4, tornLines: 0 })
    expect(await drain(c)).toEqual([0, 1, 2, 4])
    await c.close()
  })

  it('serialises concurrent appends without interleaving lines', async () => {
    const spool = new SegmentSpool<Item>({ directory: dir(), maxBytes: 1 << 20, segmentBytes: 200 })
    await spool.open()
    await Promise.all(Array.from({ length: 20 }, (_, i) => spool.append(items(i * 3, 3, 'y'.repeat(i)))))
    const got = await drain(spool)
    expect(got).toHaveLength(60)
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i))
    await spool.close()
  })
})
