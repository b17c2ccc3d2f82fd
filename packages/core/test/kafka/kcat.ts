/**
 * kcat as an independent witness: what a topic really holds, read with another Kafka client.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'

/** One message as kcat saw it. */
export interface Witnessed {
  readonly key: string | null
  readonly value: string
  readonly partition: number
  readonly offset: number
  readonly headers: Record<string, string>
}

interface KcatJson {
  partition: number
  offset: number
  key: string | null
  payload: string | null
  headers?: string[]
}

/** Reads a topic from the beginning to its end (`kcat -C -e -J`). */
export function readTopic(brokers: string, topic: string): Witnessed[] {
  const out = spawnSync('kcat', ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-J'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  })
  if (out.status !== 0) throw new Error(`kcat -C ${topic} exited with ${out.status}: ${out.stderr}`)
  return out.stdout
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((line) => {
      const j = JSON.parse(line) as KcatJson
      const headers: Record<string, string> = {}
      const h = j.headers ?? []
      for (let i = 0; i + 1 < h.length; i += 2) headers[h[i]!] = h[i + 1]!
      return { key: j.key, value: j.payload ?? '', partition: j.partition, offset: j.offset, headers }
    })
}

/** The same topic in kcat's plain format: `%k\t%h\t%p\t%s` per line. */
export function readTopicLines(brokers: string, topic: string): string[] {
  const out = spawnSync(
    'kcat',
    ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%h\t%p\t%s\n'],
    {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
    },
  )
  if (out.status !== 0) throw new Error(`kcat -C ${topic} exited with ${out.status}: ${out.stderr}`)
  return out.stdout.split('\n').filter((l) => l.length > 0)
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

/**
 * Each message's value (`%s`) of a topic as a consumer with `isolation` sees it: read_committed
 * leaves out aborted transactions, read_uncommitted shows them.
 */
export function readValues(brokers: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): string[] {
  const out = spawnSync(
    'kcat',
    [
      '-C',
      '-b',
      brokers,
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      `isolation.level=${isolation}`,
      '-f',
      '%s\\n',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 30_000 },
  )
  if (out.status !== 0) throw new Error(`kcat -C ${topic} exited with ${out.status}: ${out.stderr}`)
  return out.stdout.split('\n').filter((l) => l.length > 0)
}

/**
 * Reads with `read` until `enough` holds or `timeoutMs` passes, and returns the last read. A
 * transaction's commit markers are written just after the commit returns, so a read_committed
 * reader may briefly end before records already committed.
 */
export async function readUntil<T>(
  read: () => T | Promise<T>,
  enough: (got: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const got = await read()
    if (enough(got) || Date.now() >= deadline) return got
    await new Promise((r) => setTimeout(r, 200))
  }
}
