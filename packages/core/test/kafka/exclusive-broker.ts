/**
 * A broker of the test's own that it may stop and restart, held under a lock across processes:
 * several people may run the whole suite at once on one machine, and two runs must not share one
 * port and data folder.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type KafkaBroker, startKafka } from '../../../../test/setup/kafka'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function lock(port: number, waitMs: number): Promise<() => void> {
  const dir = join(tmpdir(), `firefront-kafka-${port}.lock`)
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      mkdirSync(dir)
      writeFileSync(join(dir, 'pid'), String(process.pid))
      return () => rmSync(dir, { recursive: true, force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    let owner = Number.NaN
    try {
      owner = Number(readFileSync(join(dir, 'pid'), 'utf8'))
    } catch {
      // Being created or removed right now: look again shortly.
    }
    if (Number.isInteger(owner) && !alive(owner)) rmSync(dir, { recursive: true, force: true })
    else if (Date.now() > deadline) {
      throw new Error(`the broker on port ${port} stayed locked by pid ${owner} for ${waitMs} ms (${dir})`)
    } else await new Promise((r) => setTimeout(r, 500))
  }
}

/** Starts a fresh broker on `port` once no other run holds it, runs `fn`, then stops it. */
export async function withOwnBroker<T>(
  port: number,
  fn: (broker: KafkaBroker) => Promise<T>,
  waitMs = 240_000,
): Promise<T> {
  const release = await lock(port, waitMs)
  try {
    const broker = startKafka(port)
    try {
      return await fn(broker)
    } finally {
      broker.stop()
    }
  } finally {
    release()
  }
}
