/**
 * The owner of lifecycles: components start from one ordered list and stop in reverse — after a
 * start that failed part-way too — and every error met on the way down is collected and
 * reported, never swallowed.
 */
import { FirefrontError, errorCode } from '@firefront/sdk'

/** One supervised part: a plugin instance, or a piece of the runtime. Both methods are optional. */
export interface Supervised {
  /** Names it in errors and logs, e.g. `sink:kafka` or `connector:nasa-firms#firms-viirs`. */
  readonly name: string
  start?(): Promise<void> | void
  stop?(): Promise<void> | void
}

/** A component that failed to stop, and why. */
export interface StopFailure {
  readonly name: string
  readonly error: Error
}

/** What {@link Supervisor.stop} met on the way down. */
export interface TeardownReport {
  /** Components stopped (or never started: skipped), in the order they were stopped. */
  readonly stopped: readonly string[]
  readonly failures: readonly StopFailure[]
}

/** Errors that already say what failed and where: rethrown as they are. */
const PASS_THROUGH = new Set(['ERR_PLUGIN_START', 'ERR_CONFIG_INVALID', 'ERR_PLUGIN_CONFIG', 'ERR_STATE_LOCKED'])

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)))

/**
 * Starts components in the order they were added and stops the started ones in reverse.
 *
 * - `start()` stops at the first component that throws: the ones already started are stopped
 *   (in reverse) and the error is rethrown as `ERR_PLUGIN_START` naming the component, with the
 *   teardown's failures attached as `teardown`.
 * - `stop()` stops every started component even when some throw; it resolves with a report of
 *   the failures (each also handed to `onStopError`), so the caller decides how loud to be.
 * - Components added after `start()` are started by `add` itself (a stream's parts, say), so they
 *   join the same reverse order.
 */
export class Supervisor {
  readonly #parts: Supervised[] = []
  readonly #started: Supervised[] = []
  readonly #onStopError: ((failure: StopFailure) => void) | undefined
  #state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle'

  constructor(options: { onStopError?: (failure: StopFailure) => void } = {}) {
    this.#onStopError = options.onStopError
  }

  /**
   * Adds a component at the end of the order. While running, it is started at once (and a
   * failure to start is thrown after nothing of it is left running).
   */
  async add(part: Supervised): Promise<void> {
    this.#parts.push(part)
    if (this.#state === 'running') await this.#startOne(part)
  }

  /** Starts every component in order; see the class comment for partial starts. */
  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new FirefrontError('ERR_STOPPED', `cannot start: the supervisor is ${this.#state}`)
    this.#state = 'starting'
    for (const part of this.#parts) {
      try {
        await this.#startOne(part)
      } catch (err) {
        const report = await this.stop()
        const error = err as FirefrontError & { teardown?: readonly StopFailure[] }
        if (report.failures.length > 0) error.teardown = report.failures
        throw error
      }
    }
    this.#state = 'running'
  }

  async #startOne(part: Supervised): Promise<void> {
    // A part that threw at start may hold what it opened before throwing: it is stopped too.
    this.#started.push(part)
    try {
      await part.start?.()
    } catch (err) {
      const code = errorCode(err)
      if (code && PASS_THROUGH.has(code)) throw err
      throw new FirefrontError(code ?? 'ERR_PLUGIN_START', `${part.name} failed to start: ${asError(err).message}`, {
        cause: err,
      })
    }
  }

  /** Stops every started component in reverse order; resolves with what failed. Idempotent. */
  async stop(): Promise<TeardownReport> {
    if (this.#state === 'stopped') return { stopped: [], failures: [] }
    this.#state = 'stopping'
    const stopped: string[] = []
    const failures: StopFailure[] = []
    while (this.#started.length > 0) {
      const part = this.#started.pop()!
      try {
        await part.stop?.()
      } catch (err) {
        const failure = {
          name: part.name,
          error: new FirefrontError('ERR_PLUGIN_STOP', `${part.name} failed to stop: ${asError(err).message}`, {
            cause: err,
          }),
        }
        failures.push(failure)
        this.#onStopError?.(failure)
      }
      stopped.push(part.name)
    }
    this.#state = 'stopped'
    return { stopped, failures }
  }
}
