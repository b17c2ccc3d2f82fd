/**
 * What every built-in ingestion mode shares: the lifecycle (start, stop, fatal errors), cycles
 * that drain every page of a pull source, error accounting, and the seed's mode metrics.
 * @packageDocumentation
 */
import {
  errorCode,
  FirefrontError,
  type IngestionModeInstance,
  type JsonValue,
  type ModeExit,
  type ModeMetrics,
  type ModeSource,
  type PluginContext,
  type PollResult,
  type SourceRecord,
  type Cursor,
} from '@firefront/sdk'

/**
 * A built-in mode instance: the SDK's {@link IngestionModeInstance} with its optional `done()`
 * always present (every built-in mode can end by itself on a fatal error).
 */
export interface BuiltinModeInstance extends IngestionModeInstance {
  done(): Promise<ModeExit>
}

/** A pull {@link ModeSource}. */
export type PullSource = Extract<ModeSource, { kind: 'pull' }>

/** A push {@link ModeSource}. */
export type PushSource = Extract<ModeSource, { kind: 'push' }>

/** Hands one fetched page on (to `process`, or into a buffer). */
export type PageSink = (records: readonly SourceRecord[], cursor: Cursor | undefined) => Promise<void>

/** The outcome of one guarded cycle. */
export type CycleOutcome = 'ok' | 'error' | 'fatal' | 'stopped'

/** Returns `source` when it is a pull source; otherwise says which mode needs one. */
export function requirePull(source: ModeSource, mode: string): PullSource {
  if (source.kind === 'pull') return source
  throw new FirefrontError(
    'ERR_CONFIG_INVALID',
    `ingestion mode "${mode}" polls, so it needs a pull connector; run push connectors under continuous_streaming`,
  )
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * The lifecycle and bookkeeping of one mode instance. The modes supply their loops as tasks;
 * this class runs them in the background, stops them, and counts what happened.
 *
 * - A cycle's error is counted, logged and survived (the next cycle retries), except
 *   `ERR_CONNECTOR_CONFIG`, which is fatal: the mode stops itself, records the error as
 *   `lastError`, reports `running: false` and resolves `done()` with `reason: 'fatal'`.
 * - `stop()` interrupts the waits between cycles, lets the page in flight finish and be handed
 *   on (a multi-page cycle ends after it; the cursor resumes there), runs the finalizers (the
 *   continuous buffer's last flush), then resolves.
 * - Cycles never overlap: the loop and `runOnce` share one lock.
 */
export class ModeRunner {
  /** Records handed on successfully (to `process`). */
  recordsProcessed = 0
  recordsFetched = 0
  errors = 0
  cycles = 0
  pages = 0
  consecutiveErrors = 0
  /** Cycles that took longer than their interval (the next one then starts at once). */
  overruns = 0
  /** When the next scheduled cycle starts, in clock milliseconds. */
  nextRunAt: number | undefined
  private readonly stopController = new AbortController()
  /** Aborts waits: on stop, or when the runtime aborts the context. Made once (AbortSignal.any per wait would pile up). */
  private readonly waitSignal: AbortSignal
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle'
  private startedAt: number | undefined
  private stoppedAt: number | undefined
  private lastSuccessAt: number | undefined
  private lastErrorMessage: string | undefined
  private fatalError: Error | undefined
  private endReason: ModeExit['reason'] = 'stopped'
  private lock: Promise<unknown> = Promise.resolve()
  private finished: Promise<void> | undefined
  private readonly finalizers: (() => Promise<void>)[] = []
  private readonly exit: Promise<ModeExit>
  private resolveExit!: (exit: ModeExit) => void

  constructor(
    /** The mode's name as the config file spells it (`real_time`), reported in metrics. */
    readonly mode: string,
    readonly ctx: PluginContext,
    readonly maxPagesPerCycle: number,
  ) {
    this.waitSignal = AbortSignal.any([this.stopController.signal, ctx.signal])
    this.exit = new Promise((resolve) => {
      this.resolveExit = resolve
    })
  }

  /** Aborted when the mode begins to stop (a `stop()` call or a fatal error). */
  get stopSignal(): AbortSignal {
    return this.stopController.signal
  }

  /** Aborted when the mode begins to stop or the runtime aborts the context: the signal for subscriptions and waits. */
  get signal(): AbortSignal {
    return this.waitSignal
  }

  /** True once the mode has fully stopped (after its finalizers). */
  get stopped(): boolean {
    return this.state === 'stopped'
  }

  /** True once stopping has begun. */
  get stopping(): boolean {
    return this.state === 'stopping' || this.state === 'stopped'
  }

  /**
   * Starts `tasks` in the background and returns at once. `finalize` runs after every task has
   * ended, before the mode reports itself stopped.
   *
   * @throws FirefrontError `ERR_SOURCE_RUNNING` when already started, `ERR_STOPPED` after a stop.
   */
  start(tasks: readonly (() => Promise<void>)[], finalize?: () => Promise<void>): void {
    if (this.state === 'running' || this.state === 'stopping') {
      throw new FirefrontError('ERR_SOURCE_RUNNING', `ingestion mode "${this.mode}" is already running`)
    }
    if (this.state === 'stopped') {
      throw new FirefrontError('ERR_STOPPED', `ingestion mode "${this.mode}" was stopped; create a new instance`)
    }
    this.state = 'running'
    this.startedAt = this.ctx.clock.now()
    if (finalize) this.finalizers.push(finalize)
    const running = tasks.map((task) =>
      task().catch((err: unknown) => {
        // Loops catch their own errors; reaching here is a bug, so end the mode visibly.
        this.fail(err instanceof Error ? err : new Error(String(err)))
      }),
    )
    this.finished = Promise.all(running).then(() => this.finish())
  }

  /** Stops the mode and waits until it is stopped. Idempotent; a mode never started just becomes stopped. */
  async stop(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped'
      this.stopController.abort(new FirefrontError('ERR_STOPPED', `ingestion mode "${this.mode}" stopped`))
      this.resolveExit({ reason: 'stopped' })
      return
    }
    this.requestStop('stopped')
    await this.finished
  }

  /** Resolves with how the mode ended, once it has. */
  done(): Promise<ModeExit> {
    return this.exit
  }

  /** Begins stopping from inside (a schedule or subscription that ended, a fatal error). */
  requestStop(reason: ModeExit['reason']): void {
    if (this.state !== 'running') return
    this.state = 'stopping'
    this.endReason = reason
    this.stopController.abort(new FirefrontError('ERR_STOPPED', `ingestion mode "${this.mode}" is stopping`))
  }

  /** Ends the mode because of an error it does not retry. */
  fail(err: Error): void {
    this.fatalError ??= err
    this.lastErrorMessage = err.message
    this.ctx.logger.error(
      { err, code: errorCode(err), mode: this.mode },
      'ingestion stopped: the error is not retryable (fix the configuration and restart the source)',
    )
    this.requestStop('fatal')
  }

  /**
   * Waits `ms` on the context's clock. Resolves `true` when the time passed, `false` when the
   * mode began stopping first.
   */
  async sleep(ms: number): Promise<boolean> {
    if (this.stopping) return false
    try {
      await this.ctx.clock.sleep(Math.max(0, ms), this.waitSignal)
      return !this.stopping
    } catch {
      return false
    }
  }

  /** Runs `fn` when no other cycle runs (cycles never overlap). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn)
    this.lock = run.catch(() => {})
    return run
  }

  /**
   * Runs `cycle` every `intervalMs`, measured start to start, never overlapping: a cycle that
   * takes longer than the interval is followed at once by the next (counted in `overruns`).
   * Returns when the mode stops or a cycle fails fatally.
   *
   * @param immediate - run the first cycle at once (else after one interval).
   */
  async every(intervalMs: number, cycle: () => Promise<void>, immediate = true): Promise<void> {
    if (!immediate) {
      this.nextRunAt = this.ctx.clock.now() + intervalMs
      if (!(await this.sleep(intervalMs))) return
    }
    while (!this.stopping) {
      const started = this.ctx.clock.now()
      this.nextRunAt = started + intervalMs
      const outcome = await this.guardedCycle(cycle)
      if (outcome !== 'ok' && outcome !== 'error') return
      const wait = this.nextRunAt - this.ctx.clock.now()
      if (wait < 0) this.overruns++
      if (!(await this.sleep(wait))) return
    }
  }

  /**
   * One cycle of a pull source: fetches pages while `hasMore` (at most `maxPagesPerCycle`) and
   * hands each to `sink`. Between pages it ends early when the mode is stopping. Throws what
   * the fetch or the sink throws.
   */
  async pullCycle(source: PullSource, sink: PageSink): Promise<void> {
    for (let page = 1; ; page++) {
      const result: PollResult = await source.fetch(this.ctx.signal)
      this.pages++
      this.recordsFetched += result.records.length
      if (result.records.length > 0 || result.cursor !== undefined) await sink(result.records, result.cursor)
      if (!result.hasMore) return
      if (this.stopping) {
        this.ctx.logger.debug({ mode: this.mode, page }, 'stopping mid-cycle; the cursor resumes after this page')
        return
      }
      if (page >= this.maxPagesPerCycle) {
        this.ctx.logger.warn(
          { mode: this.mode, pages: page },
          `cycle stopped after max_pages_per_cycle (${this.maxPagesPerCycle}) pages with more to fetch; the next cycle continues`,
        )
        return
      }
    }
  }

  /**
   * Runs one cycle under the lock and accounts for it: success, a survived error (counted and
   * logged; the next cycle retries), a fatal one, or an interruption by stopping.
   */
  async guardedCycle(cycle: () => Promise<void>): Promise<CycleOutcome> {
    try {
      await this.exclusive(cycle)
      this.succeeded()
      return 'ok'
    } catch (err) {
      return this.failedCycle(err)
    }
  }

  /**
   * Runs exactly one cycle for `runOnce`, under the lock; counts it, and rethrows its error so
   * the caller (`firefront run --once`) can report it.
   */
  async once(cycle: () => Promise<void>): Promise<void> {
    if (this.state === 'stopped') {
      throw new FirefrontError('ERR_STOPPED', `ingestion mode "${this.mode}" was stopped; create a new instance`)
    }
    try {
      await this.exclusive(cycle)
    } catch (err) {
      this.cycles++
      this.errors++
      this.consecutiveErrors++
      this.lastErrorMessage = errorMessage(err)
      throw err
    }
    this.succeeded()
  }

  /** Records a cycle that ended well. */
  succeeded(): void {
    this.cycles++
    this.consecutiveErrors = 0
    this.lastSuccessAt = this.ctx.clock.now()
  }

  /** Accounts for an error that ended a cycle; returns what the loop should do. */
  failedCycle(err: unknown): CycleOutcome {
    const code = errorCode(err)
    // Work cut short because the mode or the runtime is stopping is not a failure.
    if (this.ctx.signal.aborted || (this.stopping && (code === 'ERR_ABORTED' || code === 'ERR_STOPPED'))) {
      return 'stopped'
    }
    this.cycles++
    this.errors++
    this.consecutiveErrors++
    this.lastErrorMessage = errorMessage(err)
    if (code === 'ERR_CONNECTOR_CONFIG') {
      this.fail(err instanceof Error ? err : new Error(String(err)))
      return 'fatal'
    }
    this.ctx.logger.error(
      { err, code, mode: this.mode, consecutiveErrors: this.consecutiveErrors },
      'ingestion cycle failed; the next cycle retries',
    )
    return 'error'
  }

  /**
   * Counts and logs an error that is survived outside a cycle (a failed background flush, a
   * subscription that will be retried).
   *
   * @param countsAsCycle - whether the failed work counts as a cycle (a push source's flush does).
   */
  noteError(err: unknown, message: string, countsAsCycle = false): void {
    if (countsAsCycle) this.cycles++
    this.errors++
    this.consecutiveErrors++
    this.lastErrorMessage = errorMessage(err)
    this.ctx.logger.error(
      { err, code: errorCode(err), mode: this.mode, consecutiveErrors: this.consecutiveErrors },
      message,
    )
  }

  /** The seed's mode metrics, plus the mode's own figures. */
  metrics(extra: Readonly<Record<string, JsonValue>> = {}): ModeMetrics {
    const end = this.stoppedAt ?? this.ctx.clock.now()
    return {
      ...extra,
      mode: this.mode,
      running: this.state === 'running',
      recordsProcessed: this.recordsProcessed,
      errors: this.errors,
      cycles: this.cycles,
      runtimeSeconds: this.startedAt === undefined ? 0 : Math.max(0, end - this.startedAt) / 1000,
      lastSuccess: this.lastSuccessAt === undefined ? null : new Date(this.lastSuccessAt).toISOString(),
      lastError: this.lastErrorMessage ?? null,
      pages: this.pages,
      recordsFetched: this.recordsFetched,
      consecutiveErrors: this.consecutiveErrors,
      overruns: this.overruns,
      nextRunAt:
        this.nextRunAt === undefined || this.state !== 'running' ? null : new Date(this.nextRunAt).toISOString(),
      fatal: this.fatalError !== undefined,
    }
  }

  private async finish(): Promise<void> {
    this.requestStop(this.endReason)
    // A runOnce in flight finishes before the mode reports itself stopped.
    await this.lock
    for (const finalize of this.finalizers) {
      try {
        await finalize()
      } catch (err) {
        this.errors++
        this.lastErrorMessage = errorMessage(err)
        this.ctx.logger.error({ err, mode: this.mode }, 'ingestion mode failed while stopping')
      }
    }
    this.state = 'stopped'
    this.stoppedAt = this.ctx.clock.now()
    this.resolveExit(this.fatalError ? { reason: 'fatal', error: this.fatalError } : { reason: this.endReason })
  }
}
