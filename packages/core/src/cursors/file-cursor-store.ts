/**
 * The file-backed cursor store: one JSON file holding each source's last committed cursor. Every
 * commit writes a temporary file, fsyncs it and renames it over the old one, so a crash leaves
 * either the old or the new state, never a torn file.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Cursor, FirefrontError } from '@firefront/sdk'

/** One source's committed cursor. */
export interface CursorEntry {
  readonly cursor: Cursor
  /** ISO-8601 time of the commit. */
  readonly committedAt: string
  /** Records acknowledged since the stream started, when known. */
  readonly records?: number
}

/** Where cursors are kept. */
export interface CursorStore {
  get(sourceId: string): CursorEntry | undefined
  list(): Readonly<Record<string, CursorEntry>>
  /** Stores a cursor durably; resolves once it is on disk. */
  commit(sourceId: string, cursor: Cursor, records?: number): Promise<void>
  /** Forgets a source's cursor (`to` undefined) or sets it to `to`. */
  reset(sourceId: string, to?: Cursor): Promise<void>
  /**
   * Re-reads the committed cursors of `sourceIds` from the shared store, when the store is shared
   * (another process may have committed them since): a worker does so before taking a source over.
   */
  refresh?(sourceIds: readonly string[]): Promise<void>
  /** Releases connections, when the store has any. */
  close?(): Promise<void>
}

/** A {@link CursorStore} in one JSON file. */
export class FileCursorStore implements CursorStore {
  readonly path: string
  #entries: Record<string, CursorEntry>
  #writing: Promise<void> = Promise.resolve()

  constructor(path: string) {
    this.path = path
    this.#entries = FileCursorStore.read(path)
  }

  /** Reads the file; a missing file is an empty store, a corrupt one an error naming it. */
  static read(path: string): Record<string, CursorEntry> {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw err
    }
    try {
      const parsed = JSON.parse(text) as { version?: number; cursors?: Record<string, CursorEntry> }
      return parsed.cursors ?? {}
    } catch (err) {
      throw new FirefrontError(
        'ERR_CONFIG_INVALID',
        `cursor file ${path} is not valid JSON: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }

  get(sourceId: string): CursorEntry | undefined {
    return this.#entries[sourceId]
  }

  list(): Readonly<Record<string, CursorEntry>> {
    return { ...this.#entries }
  }

  commit(sourceId: string, cursor: Cursor, records?: number): Promise<void> {
    const previous = this.#entries[sourceId]
    this.#entries = {
      ...this.#entries,
      [sourceId]: {
        cursor,
        committedAt: new Date().toISOString(),
        ...(records !== undefined
          ? { records: (previous?.records ?? 0) + records }
          : previous?.records !== undefined
            ? { records: previous.records }
            : {}),
      },
    }
    return this.#persist()
  }

  reset(sourceId: string, to?: Cursor): Promise<void> {
    const next = { ...this.#entries }
    if (to === undefined) delete next[sourceId]
    else next[sourceId] = { cursor: to, committedAt: new Date().toISOString() }
    this.#entries = next
    return this.#persist()
  }

  // Writes are chained so two commits never interleave their temp files.
  #persist(): Promise<void> {
    const snapshot = this.#entries
    this.#writing = this.#writing.catch(() => {}).then(() => this.#write(snapshot))
    return this.#writing
  }

  async #write(entries: Record<string, CursorEntry>): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.tmp-${process.pid}`
    const fh = await open(tmp, 'w')
    try {
      await fh.writeFile(`${JSON.stringify({ version: 1, cursors: entries }, null, 2)}\n`)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, this.path)
    const dir = await open(dirname(this.path), 'r')
    try {
      await dir.sync()
    } catch {
      // some file systems refuse fsync on a directory; the rename is still atomic
    } finally {
      await dir.close()
    }
  }
}
