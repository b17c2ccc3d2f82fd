/**
 * The intake journal of a push source: every record the source hands over is written here before
 * the source acknowledges it upstream (an MQTT PUBACK), and marked settled once the sink accounted
 * for it (delivered, dead-lettered, spooled) or the queue dropped it on purpose. A process that
 * dies in between finds the unsettled records at its next start and sends them then: a push
 * source, whose upstream forgets what it acknowledged, gets the guarantee a pull source gets from
 * its cursor.
 *
 * One file of JSON lines per source, appended with one write per call:
 * - `{"n":7,"at":"…","r":{…}}` a record (`r`, as the connector emitted it; `at`: when) or
 *   `{"n":8,"d":{…}}` a dead letter for a rejected input (`d`, the sink record);
 * - `{"a":[[7,9],[12,12]]}` the ranges of entries settled since the last such line.
 *
 * Writes are synchronous, so an entry is in the file (the kernel's page cache) when `append`
 * returns: it survives the process being killed. With `fsync` each write is also flushed to the
 * disk, which survives the host losing power. A crash can tear the last line; `open` skips it and
 * counts it. The file is rewritten with only the unsettled entries at open and whenever settled
 * entries make up most of it.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { FirefrontError, type JsonValue, type SinkRecord, type SourceRecord } from '@firefront/sdk'

/** Options of {@link IntakeJournal.open}. */
export interface IntakeJournalOptions {
  /** The journal file; its folder is created when missing. */
  readonly file: string
  /** Flush every write to the disk (fdatasync): survives power loss, at one disk flush per call. */
  readonly fsync?: boolean
  /** Rewrite the file once it is larger than this and mostly settled entries. Default 8 MiB. */
  readonly compactBytes?: number
}

/** One unsettled entry found at open: a record to send again, or a dead letter to write again. */
export type JournalEntry =
  | { readonly seq: number; readonly kind: 'record'; readonly record: SourceRecord; readonly at: string }
  | { readonly seq: number; readonly kind: 'dead-letter'; readonly record: SinkRecord }

/** Figures of a journal, for metrics and status. */
export interface JournalStats {
  /** Entries written and not settled yet. */
  readonly pending: number
  /** Size of the file. */
  readonly bytes: number
  readonly appended: number
  readonly settled: number
  /** Entries found unsettled at open (sent again by the stream). */
  readonly recovered: number
  /** Lines of the file that could not be read at open (a write cut short by a crash). */
  readonly tornLines: number
  readonly compactions: number
}

type Line = { n?: unknown; at?: unknown; r?: unknown; d?: unknown; a?: unknown }

/** See the module comment. */
export class IntakeJournal {
  readonly file: string
  readonly #fsync: boolean
  readonly #compactBytes: number
  /** Unsettled entries by sequence number, with their line (kept to rewrite the file). */
  readonly #pending = new Map<number, string>()
  #fd: number
  #bytes = 0
  #pendingBytes = 0
  #next = 1
  #recovered: JournalEntry[]
  #closed = false
  readonly #stats = { appended: 0, settled: 0, recovered: 0, tornLines: 0, compactions: 0 }

  private constructor(options: IntakeJournalOptions, fd: number, recovered: JournalEntry[]) {
    this.file = options.file
    this.#fsync = options.fsync ?? false
    this.#compactBytes = options.compactBytes ?? 8 * 1024 * 1024
    this.#fd = fd
    this.#recovered = recovered
  }

  /**
   * Opens (or creates) the journal: reads what an earlier process left, keeps its unsettled
   * entries for {@link takeRecovered} and rewrites the file with only those.
   * @throws FirefrontError `ERR_JOURNAL` when the file cannot be read or written.
   */
  static open(options: IntakeJournalOptions): IntakeJournal {
    const { file } = options
    const lines = new Map<number, string>()
    const entries = new Map<number, JournalEntry>()
    let torn = 0
    let maxSeq = 0
    try {
      mkdirSync(dirname(file), { recursive: true })
      const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
      for (const line of text.split('\n')) {
        if (line === '') continue
        const parsed = parseLine(line)
        if (!parsed) {
          torn++
          continue
        }
        if (parsed.settled) {
          for (const [from, to] of parsed.settled) settleRange(entries, lines, from, to)
          continue
        }
        entries.set(parsed.entry.seq, parsed.entry)
        lines.set(parsed.entry.seq, line)
        maxSeq = Math.max(maxSeq, parsed.entry.seq)
      }
    } catch (err) {
      throw journalError(file, 'cannot be read', err)
    }
    const recovered = [...entries.values()].sort((a, b) => a.seq - b.seq)
    const journal = new IntakeJournal(options, -1, recovered)
    journal.#next = maxSeq + 1
    for (const entry of recovered) journal.#keep(entry.seq, lines.get(entry.seq)!)
    journal.#stats.recovered = recovered.length
    journal.#stats.tornLines = torn
    journal.#fd = journal.#rewrite()
    return journal
  }

  /** The unsettled entries found at open, once: the caller sends them and settles them. */
  takeRecovered(): JournalEntry[] {
    const taken = this.#recovered
    this.#recovered = []
    return taken
  }

  /**
   * Writes records as the connector emitted them (`at`: when); returns their sequence numbers.
   * The entries are in the file when this returns.
   * @throws FirefrontError `ERR_JOURNAL` when the write fails (disk full): the caller must not
   * acknowledge the records upstream.
   */
  appendRecords(records: readonly SourceRecord[], at: string): number[] {
    return this.#append(records.map((r) => (seq: number) => JSON.stringify({ n: seq, at, r })))
  }

  /** Writes one dead letter (a rejected input's sink record); returns its sequence number. */
  appendDeadLetter(record: SinkRecord): number {
    return this.#append([(seq: number) => JSON.stringify({ n: seq, d: record })])[0]!
  }

  #append(makers: ReadonlyArray<(seq: number) => string>): number[] {
    if (this.#closed) throw new FirefrontError('ERR_STOPPED', `intake journal ${this.file} is closed`)
    if (makers.length === 0) return []
    const first = this.#next
    const lines = makers.map((make, i) => make(first + i))
    try {
      this.#write(`${lines.join('\n')}\n`)
    } catch (err) {
      throw journalError(this.file, 'cannot be written; the records are not acknowledged upstream', err)
    }
    this.#next += lines.length
    for (const [i, line] of lines.entries()) this.#keep(first + i, line)
    this.#stats.appended += lines.length
    return lines.map((_, i) => first + i)
  }

  /**
   * Marks entries settled (accounted for by the sink, dropped on purpose, or never accepted).
   * Unknown or already settled numbers are ignored. A failed write is not thrown: the entries are
   * then sent again after a restart (a duplicate, never a loss); it is returned for the log.
   */
  settle(seqs: Iterable<number>): Error | undefined {
    if (this.#closed) return undefined
    const done: number[] = []
    for (const seq of seqs) {
      const line = this.#pending.get(seq)
      if (line === undefined) continue
      this.#pending.delete(seq)
      this.#pendingBytes -= line.length + 1
      done.push(seq)
    }
    if (done.length === 0) return undefined
    this.#stats.settled += done.length
    try {
      if (this.#bytes > this.#compactBytes && this.#pendingBytes * 2 < this.#bytes) {
        closeSync(this.#fd)
        this.#fd = this.#rewrite()
        this.#stats.compactions++
      } else {
        this.#write(`${JSON.stringify({ a: ranges(done) })}\n`)
      }
      return undefined
    } catch (err) {
      return journalError(this.file, 'could not record settled entries', err)
    }
  }

  /** The journal's figures. */
  get stats(): JournalStats {
    return { pending: this.#pending.size, bytes: this.#bytes, ...this.#stats }
  }

  /** Closes the file; an empty journal is left as an empty file. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    try {
      if (this.#pending.size === 0 && this.#bytes > 0) {
        closeSync(this.#fd)
        this.#fd = this.#rewrite()
      }
      closeSync(this.#fd)
    } catch {
      // closing: nothing more is written either way
    }
  }

  #keep(seq: number, line: string): void {
    this.#pending.set(seq, line)
    this.#pendingBytes += line.length + 1
  }

  #write(text: string): void {
    const buffer = Buffer.from(text)
    let offset = 0
    while (offset < buffer.length) offset += writeSync(this.#fd, buffer, offset)
    if (this.#fsync) fdatasyncSync(this.#fd)
    this.#bytes += buffer.length
  }

  /** Writes the unsettled entries to a new file and puts it in place; returns its descriptor. */
  #rewrite(): number {
    const tmp = `${this.file}.tmp`
    let text = ''
    for (const line of this.#pending.values()) text += `${line}\n`
    try {
      const fd = openSync(tmp, 'w')
      try {
        writeSync(fd, text)
        if (this.#fsync) fdatasyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(tmp, this.file)
      const appendFd = openSync(this.file, 'a')
      this.#bytes = fstatSync(appendFd).size
      return appendFd
    } catch (err) {
      throw journalError(this.file, 'cannot be written', err)
    }
  }
}

/** Forgets the entries in [from, to]; a wide range walks the entries rather than the numbers. */
function settleRange(entries: Map<number, JournalEntry>, lines: Map<number, string>, from: number, to: number): void {
  const forget = (n: number): void => {
    entries.delete(n)
    lines.delete(n)
  }
  if (to - from <= entries.size) {
    for (let n = from; n <= to; n++) forget(n)
    return
  }
  for (const n of [...entries.keys()]) if (n >= from && n <= to) forget(n)
}

/** Sorted sequence numbers as inclusive ranges: [1,2,3,7] → [[1,3],[7,7]]. */
export function ranges(seqs: readonly number[]): Array<[number, number]> {
  const sorted = [...seqs].sort((a, b) => a - b)
  const out: Array<[number, number]> = []
  for (const n of sorted) {
    const last = out.at(-1)
    if (last && n === last[1] + 1) last[1] = n
    else out.push([n, n])
  }
  return out
}

function parseLine(
  line: string,
): { settled: Array<[number, number]>; entry?: undefined } | { entry: JournalEntry; settled?: undefined } | undefined {
  let value: Line
  try {
    value = JSON.parse(line) as Line
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  if (Array.isArray(value.a)) {
    const settled = value.a.filter(
      (r): r is [number, number] =>
        Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] <= r[1],
    )
    return { settled }
  }
  const seq = value.n
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) return undefined
  if (isObject(value.r) && typeof value.at === 'string' && 'value' in value.r) {
    return { entry: { seq, kind: 'record', record: value.r as unknown as SourceRecord, at: value.at } }
  }
  if (isObject(value.d) && typeof value.d.topic === 'string' && typeof value.d.sourceId === 'string') {
    return { entry: { seq, kind: 'dead-letter', record: value.d as unknown as SinkRecord } }
  }
  return undefined
}

function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function journalError(file: string, what: string, cause: unknown): FirefrontError {
  return new FirefrontError('ERR_JOURNAL', `intake journal ${file} ${what}: ${(cause as Error).message}`, { cause })
}
