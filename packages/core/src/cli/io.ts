/** Where a command writes; the real process streams, or buffers in tests. */
export interface CommandIO {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown; isTTY?: boolean }
}

/** The process's own streams. */
export const processIO: CommandIO = { stdout: process.stdout, stderr: process.stderr }

/**
 * Exit codes: 0 success (every record fetched delivered or dead-lettered), 1 a stream or part
 * failed, 2 bad usage or invalid config, 3 records left in the spool (delivered at the next start).
 */
export const EXIT = { ok: 0, failure: 1, invalid: 2, spooled: 3 } as const
