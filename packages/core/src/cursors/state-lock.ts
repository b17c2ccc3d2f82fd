/**
 * One Firefront process per state directory: two processes on one `state_dir` would read the same
 * cursors and deliver every record twice. The holder writes `firefront.lock` (created
 * exclusively) with its PID and host; a second process is refused with a message naming the
 * holder. A holder that died (SIGKILL, a crash) leaves the file behind: its PID is no longer alive
 * on this host, so the next process takes the lock over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { FirefrontError } from '@firefront/sdk'
import { processAlive } from './source-lock'

/** What the lock file says about its holder. */
export interface StateLockHolder {
  readonly pid: number
  readonly host: string
  readonly since: string
  readonly config?: string
}

/** A held lock; `release()` removes the file if it is still ours. */
export interface StateLock {
  readonly file: string
  release(): void
}

function readHolder(file: string): StateLockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<StateLockHolder>
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined
    return {
      pid: parsed.pid,
      host: parsed.host,
      since: String(parsed.since ?? 'an unknown time'),
      ...(parsed.config ? { config: String(parsed.config) } : {}),
    }
  } catch {
    return undefined
  }
}

/**
 * Takes the lock of `stateDir`, or throws `ERR_STATE_LOCKED` naming the live holder.
 *
 * @param config - the config file of this process, written into the lock for the next one's message.
 */
export function lockStateDir(stateDir: string, config?: string): StateLock {
  mkdirSync(stateDir, { recursive: true })
  const file = join(stateDir, 'firefront.lock')
  const me: StateLockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    ...(config ? { config } : {}),
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`)
      } finally {
        closeSync(fd)
      }
      return {
        file,
        release: () => {
          const holder = readHolder(file)
          if (holder?.pid === me.pid && holder.host === me.host) rmSync(file, { force: true })
        },
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = readHolder(file)
    const stale =
      holder === undefined ? false : holder.host === me.host && holder.pid !== process.pid && !processAlive(holder.pid)
    if (stale) {
      // The holder died without releasing: take over.
      rmSync(file, { force: true })
      continue
    }
    const who = holder
      ? `process ${holder.pid} on ${holder.host}${holder.pid === process.pid && holder.host === me.host ? ' (this process)' : ''} since ${holder.since}${holder.config ? `, config ${holder.config}` : ''}`
      : 'an unreadable lock file'
    throw new FirefrontError(
      'ERR_STATE_LOCKED',
      `state_dir ${stateDir} is in use by ${who}. Two processes on one state_dir would deliver every record twice: stop the other one, or give this config its own state_dir. If no such process runs, delete ${file}.`,
    )
  }
  throw new FirefrontError('ERR_STATE_LOCKED', `state_dir ${stateDir}: could not take ${file}`)
}
