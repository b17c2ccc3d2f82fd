/**
 * Marks which sources a process is running, so `firefront cursors --reset` can refuse to touch a
 * cursor while its source runs. One small file per source holds the owner's PID; a file whose PID
 * is gone is stale and ignored.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const lockFile = (stateDir: string, sourceId: string): string =>
  join(stateDir, 'locks', `${encodeURIComponent(sourceId)}.pid`)

/** True when a process of this PID runs on this host (EPERM: it runs under another user). */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Records that this process runs `sourceId`. */
export function lockSource(stateDir: string, sourceId: string): void {
  mkdirSync(join(stateDir, 'locks'), { recursive: true })
  writeFileSync(lockFile(stateDir, sourceId), String(process.pid))
}

/** Removes this process's mark for `sourceId`. */
export function unlockSource(stateDir: string, sourceId: string): void {
  const file = lockFile(stateDir, sourceId)
  try {
    if (Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file)
  } catch {
    // already gone
  }
}

/** The PID of a live process running `sourceId`, if any. */
export function sourceRunningPid(stateDir: string, sourceId: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile(stateDir, sourceId), 'utf8'))
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}
