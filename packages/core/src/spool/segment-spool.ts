/**
 * An append-only spool on disk: segment files of JSON lines, fsync'd before `append` resolves,
 * bounded in bytes, read back oldest first (FIFO across segments) and acknowledged entry by
 * entry. A restarted process finds every entry that was not acknowledged. Nothing here knows
 * about Kafka, so any sink can keep undeliverable batches in one.
 *
 * Layout of the directory:
 * - `segment-<16 digits>.jsonl`: one JSON value per line, appended only;
 * - `ack.json`: `{ segment, offset }`, the end of the last acknowledged line (written atomically).
 *
 * A crash can leave the last line of the newest segment half written; `open()` skips such torn
 * lines, counts them, and cuts the tail off so later appends start on a fresh line.
 */
import { mkdirSync } from 'node:fs'
import { type FileHandle, open, readdir, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FirefrontError } from '@firefront/sdk'

/** Options of a {@link SegmentSpool}. */
export interface SegmentSpoolOptions {
  /** The folder of the segment files; created when missing. */
  readonly directory: string
  /** Bound of the bytes on disk (every segment file counted whole); `append` throws past it. */
  readonly maxBytes: number
  /** A new segment starts once the current one reaches this size. Default: min(8 MiB, maxBytes / 4). */
  readonly segmentBytes?: number
  /** fsync each append before it resolves (default true). Only tests of speed turn it off. */
  readonly fsync?: boolean
}

/** What {@link SegmentSpool.open} found on disk. */
export interface SpoolRecovery {
  /** Entries not yet acknowledged. */
  readonly entries: number
  readonly bytes: number
  readonly segments: number
  /** Lines that could not be parsed (a write cut short by a crash) and were skipped. */
  readonly tornLines: number
}

/** One entry read back from the spool. */
export interface SpoolEntry<T> {
  /** Position in the spool's order; increases by one per entry within a process. */
  readonly id: number
  readonly value: T
  /** Size of the entry's line on disk. */
  readonly bytes: number
}

/** Figures of a spool, for metrics and health. */
export interface SpoolStats {
  readonly entries: number
  readonly bytes: number
  readonly maxBytes: number
  readonly segments: number
  readonly tornLines: number
  readonly appended: number
  readonly acknowledged: number
  /** Appends refused because the spool was full. */
  readonly rejectedFull: number
}

/** Thrown by {@link SegmentSpool.append} when the entries do not fit under `maxBytes`. */
export class SpoolFullError extends FirefrontError {
  readonly neededBytes: number
  readonly freeBytes: number

  constructor(directory: string, neededBytes: number, freeBytes: number, maxBytes: number) {
    super(
      'ERR_SPOOL_FULL',
      `spool ${directory} is full: ${neededBytes} bytes to append, ${Math.max(0, freeBytes)} of ${maxBytes} free (spool.max_bytes)`,
    )
    this.neededBytes = neededBytes
    this.freeBytes = freeBytes
  }
}

interface Segment {
  readonly seq: number
  readonly path: string
  size: number
  writer?: FileHandle
  reader?: FileHandle
}

interface IndexEntry {
  readonly id: number
  readonly seg: number
  readonly start: number
  readonly end: number
}

interface AckCursor {
  readonly segment: number
  readonly offset: number
}

const SEGMENT = /^segment-(\d{16})\.jsonl$/
const segmentName = (seq: number): string => `segment-${String(seq).padStart(16, '0')}.jsonl`
const NEWLINE = 0x0a

/**
 * A FIFO of JSON values on disk. Operations are serialised internally, so `append`, `peek` and
 * `ack` may be called from concurrent tasks.
 *
 * @example
 * ```ts
 * const spool = new SegmentSpool<Batch>({ directory: '.firefront/spool', maxBytes: 1 << 30 })
 * await spool.open()
 * await spool.append([batch])          // durable once this resolves
 * const [head] = await spool.peek(1)   // oldest first
 * await deliver(head.value)
 * await spool.ack(1)                    // fully consumed segments are deleted
 * ```
 */
export class SegmentSpool<T> {
  readonly directory: string
  readonly maxBytes: number
  readonly segmentBytes: number
  private readonly fsync: boolean
  private readonly segments: Segment[] = []
  private index: IndexEntry[] = []
  private head = 0
  private nextId = 0
  private nextSeq = 0
  private totalBytes = 0
  private torn = 0
  private appended = 0
  private acknowledged = 0
  private rejectedFull = 0
  private opened = false
  private closed = false
  private chain: Promise<unknown> = Promise.resolve()

  constructor(options: SegmentSpoolOptions) {
    this.directory = options.directory
    this.maxBytes = options.maxBytes
    this.segmentBytes = Math.max(1, options.segmentBytes ?? Math.min(8 * 1024 * 1024, Math.floor(options.maxBytes / 4)))
    this.fsync = options.fsync ?? true
  }

  /** Entries appended and not yet acknowledged. */
  get size(): number {
    return this.index.length - this.head
  }

  /** Bytes of the segment files on disk. */
  get bytes(): number {
    return this.totalBytes
  }

  /** Current figures. */
  stats(): SpoolStats {
    return {
      entries: this.size,
      bytes: this.totalBytes,
      maxBytes: this.maxBytes,
      segments: this.segments.length,
      tornLines: this.torn,
      appended: this.appended,
      acknowledged: this.acknowledged,
      rejectedFull: this.rejectedFull,
    }
  }

  /**
   * Reads what the directory holds. `visit` sees every unacknowledged value in order (e.g. to
   * rebuild counts per topic). Must be called once before anything else.
   */
  open(visit?: (value: T) => void): Promise<SpoolRecovery> {
    return this.serial(async () => {
      if (this.opened) throw new FirefrontError('ERR_STOPPED', `spool ${this.directory} is already open`)
      mkdirSync(this.directory, { recursive: true })
      const ack = await this.readAck()
      const seqs = (await readdir(this.directory))
        .map((name) => SEGMENT.exec(name)?.[1])
        .filter((s): s is string => s !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
      this.nextSeq = Math.max(ack.segment, seqs.at(-1) ?? -1) + 1
      for (const [i, seq] of seqs.entries()) {
        const path = join(this.directory, segmentName(seq))
        if (seq < ack.segment) {
          await unlink(path)
          continue
        }
        const isLast = i === seqs.length - 1
        const data = await readFile(path)
        let start = 0
        let kept = 0
        while (start < data.length) {
          const nl = data.indexOf(NEWLINE, start)
          if (nl === -1) {
            // A line without its newline: the append that wrote it never finished.
            this.torn++
            break
          }
          const end = nl + 1
          if (!(seq === ack.segment && start < ack.offset)) {
            const value = this.parse(data.subarray(start, nl))
            if (value === undefined) this.torn++
            else {
              this.index.push({ id: this.nextId++, seg: seq, start, end })
              visit?.(value)
            }
          }
          kept = end
          start = end
        }
        if (kept < data.length && isLast) await truncate(path, kept)
        this.segments.push({ seq, path, size: isLast ? kept : data.length })
        this.totalBytes += isLast ? kept : data.length
      }
      this.opened = true
      await this.dropConsumed()
      return { entries: this.size, bytes: this.totalBytes, segments: this.segments.length, tornLines: this.torn }
    })
  }

  /**
   * Appends `values` (all or none) and resolves once they are on disk (fsync'd). Throws
   * {@link SpoolFullError} (`ERR_SPOOL_FULL`) when they do not fit under `maxBytes`.
   */
  append(values: readonly T[]): Promise<void> {
    return this.serial(async () => {
      this.assertOpen()
      if (values.length === 0) return
      const lines = values.map((v) => Buffer.from(`${JSON.stringify(v)}\n`))
      const buf = Buffer.concat(lines)
      if (this.totalBytes + buf.length > this.maxBytes) {
        this.rejectedFull++
        throw new SpoolFullError(this.directory, buf.length, this.maxBytes - this.totalBytes, this.maxBytes)
      }
      let seg = this.segments.at(-1)
      if (!seg || (seg.size > 0 && seg.size + buf.length > this.segmentBytes)) seg = await this.newSegment()
      seg.writer ??= await open(seg.path, 'a')
      const before = seg.size
      try {
        await seg.writer.write(buf)
        if (this.fsync) await seg.writer.datasync()
      } catch (err) {
        // Leave no partial lines behind (e.g. ENOSPC half way).
        await truncate(seg.path, before).catch(() => {})
        throw err
      }
      let offset = before
      for (const line of lines) {
        this.index.push({ id: this.nextId++, seg: seg.seq, start: offset, end: offset + line.length })
        offset += line.length
      }
      seg.size = offset
      this.totalBytes += buf.length
      this.appended += values.length
    })
  }

  /** The oldest `limit` unacknowledged entries, without consuming them. */
  peek(limit = 1): Promise<SpoolEntry<T>[]> {
    return this.serial(async () => {
      this.assertOpen()
      const out: SpoolEntry<T>[] = []
      for (let i = this.head; i < this.index.length && out.length < limit; i++) {
        const e = this.index[i]!
        const seg = this.segment(e.seg)
        seg.reader ??= await open(seg.path, 'r')
        const buf = Buffer.alloc(e.end - e.start)
        await seg.reader.read(buf, 0, buf.length, e.start)
        const value = this.parse(buf.subarray(0, buf.length - 1))
        if (value === undefined) {
          throw new Error(`spool ${seg.path}: the entry at byte ${e.start} cannot be read back (was the file changed?)`)
        }
        out.push({ id: e.id, value, bytes: buf.length })
      }
      return out
    })
  }

  /** Acknowledges the oldest `count` entries; segments wholly acknowledged are deleted. */
  ack(count = 1): Promise<void> {
    return this.serial(async () => {
      this.assertOpen()
      const n = Math.min(count, this.size)
      if (n <= 0) return
      const last = this.index[this.head + n - 1]!
      this.head += n
      this.acknowledged += n
      if (this.head > 1024 && this.head * 2 > this.index.length) {
        this.index = this.index.slice(this.head)
        this.head = 0
      }
      await this.writeAck({ segment: last.seg, offset: last.end })
      await this.dropConsumed()
    })
  }

  /** Closes the files. Entries not acknowledged stay on disk for the next `open`. */
  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return
      this.closed = true
      for (const seg of this.segments) await this.closeHandles(seg)
    })
  }

  private serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    return run
  }

  private assertOpen(): void {
    if (!this.opened) throw new FirefrontError('ERR_STOPPED', `spool ${this.directory} is not open`)
    if (this.closed) throw new FirefrontError('ERR_STOPPED', `spool ${this.directory} is closed`)
  }

  private parse(line: Buffer): T | undefined {
    try {
      return JSON.parse(line.toString('utf8')) as T
    } catch {
      return undefined
    }
  }

  private segment(seq: number): Segment {
    const seg = this.segments.find((s) => s.seq === seq)
    if (!seg) throw new FirefrontError('ERR_STOPPED', `spool ${this.directory}: segment ${seq} is gone`)
    return seg
  }

  private async newSegment(): Promise<Segment> {
    const seq = this.nextSeq++
    const path = join(this.directory, segmentName(seq))
    const writer = await open(path, 'a')
    if (this.fsync) await this.syncDirectory()
    const seg: Segment = { seq, path, size: 0, writer }
    this.segments.push(seg)
    return seg
  }

  /** Deletes the segments before the oldest unacknowledged entry (all of them when none is left). */
  private async dropConsumed(): Promise<void> {
    const oldest = this.index[this.head]?.seg ?? Number.POSITIVE_INFINITY
    while (this.segments.length > 0 && this.segments[0]!.seq < oldest) {
      const seg = this.segments.shift()!
      await this.closeHandles(seg)
      await unlink(seg.path).catch(() => {})
      this.totalBytes -= seg.size
    }
  }

  private async closeHandles(seg: Segment): Promise<void> {
    await seg.writer?.close().catch(() => {})
    await seg.reader?.close().catch(() => {})
    seg.writer = undefined
    seg.reader = undefined
  }

  private async readAck(): Promise<AckCursor> {
    try {
      const parsed = JSON.parse(await readFile(join(this.directory, 'ack.json'), 'utf8')) as Partial<AckCursor>
      if (typeof parsed.segment === 'number' && typeof parsed.offset === 'number') {
        return { segment: parsed.segment, offset: parsed.offset }
      }
    } catch {
      // No cursor yet (or an unreadable one): nothing is acknowledged.
    }
    return { segment: -1, offset: 0 }
  }

  // Not fsync'd: after a crash the cursor may lag, and the last acknowledged entries are read
  // again — at least once, never lost.
  private async writeAck(cursor: AckCursor): Promise<void> {
    const path = join(this.directory, 'ack.json')
    await writeFile(`${path}.tmp`, JSON.stringify(cursor))
    await rename(`${path}.tmp`, path)
  }

  private async syncDirectory(): Promise<void> {
    const dir = await open(this.directory, 'r')
    try {
      await dir.sync()
    } catch {
      // Some file systems refuse fsync on a directory; the file's own fsync still holds.
    } finally {
      await dir.close()
    }
  }
}

/** True when `path` holds a spool (a segment file or an acknowledgement cursor). */
export async function isSpoolDirectory(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isDirectory()) return false
    return (await readdir(path)).some((name) => SEGMENT.test(name) || name === 'ack.json')
  } catch {
    return false
  }
}

/**
 * Reads a spool's unacknowledged entries without changing anything (no deletion, no truncation),
 * e.g. to list what it holds while its owner may be running. `visit` sees each value in order.
 */
export async function scanSpool<T>(directory: string, visit: (value: T) => void): Promise<SpoolRecovery> {
  let ack: AckCursor = { segment: -1, offset: 0 }
  try {
    const parsed = JSON.parse(await readFile(join(directory, 'ack.json'), 'utf8')) as Partial<AckCursor>
    if (typeof parsed.segment === 'number' && typeof parsed.offset === 'number') ack = parsed as AckCursor
  } catch {
    // No cursor: nothing acknowledged.
  }
  let names: string[]
  try {
    names = await readdir(directory)
  } catch {
    return { entries: 0, bytes: 0, segments: 0, tornLines: 0 }
  }
  const seqs = names
    .map((name) => SEGMENT.exec(name)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .filter((seq) => seq >= ack.segment)
    .sort((a, b) => a - b)
  let entries = 0
  let bytes = 0
  let tornLines = 0
  for (const seq of seqs) {
    let data: Buffer
    try {
      data = await readFile(join(directory, segmentName(seq)))
    } catch {
      continue // acknowledged and deleted meanwhile
    }
    bytes += data.length
    let start = 0
    while (start < data.length) {
      const nl = data.indexOf(NEWLINE, start)
      if (nl === -1) {
        tornLines++
        break
      }
      if (!(seq === ack.segment && start < ack.offset)) {
        try {
          visit(JSON.parse(data.subarray(start, nl).toString('utf8')) as T)
          entries++
        } catch {
          tornLines++
        }
      }
      start = nl + 1
    }
  }
  return { entries, bytes, segments: seqs.length, tornLines }
}
