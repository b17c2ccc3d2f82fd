/**
 * Fakes for tests of ingestion modes: a plugin context on a manual clock, scripted pull and
 * push sources, and a `process` that records what it is handed.
 * @packageDocumentation
 */
import {
  type Cursor,
  type Emit,
  type IngestionModeInstance,
  type ModeProcess,
  type Plugin,
  type PluginContext,
  type PollResult,
  type SourceRecord,
  validateConfig,
} from '@firefront/sdk'
import { type CapturedLog, createFakeContext } from '@firefront/sdk/testing'
import { ManualClock } from '../api/manual-clock'
import type { BuiltinModeInstance } from './mode-runner'

/** A fake context whose clock is a {@link ManualClock}. */
export interface ModeTestContext {
  readonly ctx: PluginContext
  readonly clock: ManualClock
  readonly logs: CapturedLog[]
  /** Aborts `ctx.signal`, as the runtime does when it tears the instance down. */
  abort(): void
}

/** Makes a {@link ModeTestContext}. */
export function modeTestContext(start = 0): ModeTestContext {
  const fake = createFakeContext({ id: 'ingestion-mode:test#source' })
  const clock = new ManualClock(start)
  return { ctx: { ...fake.ctx, clock }, clock, logs: fake.logs, abort: fake.abort }
}

/** Validates `input` against the mode's schema (applying defaults) and creates an instance. */
export async function createMode(
  plugin: Plugin<'ingestion-mode'>,
  input: Record<string, unknown>,
  ctx: PluginContext,
): Promise<BuiltinModeInstance> {
  const result = validateConfig(plugin.configSchema, input)
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('; '))
  return (await plugin.create(result.value, ctx)) as IngestionModeInstance as BuiltinModeInstance
}

/** What a fake pull source answers for its n-th fetch (1-based): a page, or a thrown error. */
export type FetchScript = (call: number, signal: AbortSignal) => PollResult | Promise<PollResult>

/** A scripted pull source that records when each fetch started. */
export function fakePull(script: FetchScript, clock: ManualClock) {
  const starts: number[] = []
  return {
    starts,
    source: {
      kind: 'pull' as const,
      fetch: async (signal: AbortSignal): Promise<PollResult> => {
        starts.push(clock.now())
        return script(starts.length, signal)
      },
    },
  }
}

/** A push source whose test code emits by hand through `emit`, once subscribed. */
export function fakePush() {
  let current: Emit | undefined
  let subscribed = 0
  let end: ((err?: unknown) => void) | undefined
  return {
    get subscribed() {
      return subscribed
    },
    /** Emits through the live subscription. */
    emit(records: SourceRecord | readonly SourceRecord[]): Promise<void> {
      if (!current) throw new Error('not subscribed')
      return current(records)
    },
    /** Makes the live subscription throw `err` (or end, without one). */
    end(err?: unknown): void {
      end?.(err)
    },
    source: {
      kind: 'push' as const,
      subscribe: (emit: Emit, signal: AbortSignal): Promise<void> => {
        subscribed++
        current = emit
        return new Promise<void>((resolve, reject) => {
          const finish = (err?: unknown): void => {
            signal.removeEventListener('abort', onAbort)
            current = undefined
            end = undefined
            if (err === undefined) resolve()
            else reject(err)
          }
          const onAbort = (): void => finish()
          end = finish
          if (signal.aborted) finish()
          else signal.addEventListener('abort', onAbort, { once: true })
        })
      },
    },
  }
}

/** One call of a recording `process`. */
export interface ProcessedBatch {
  readonly values: unknown[]
  readonly cursor: Cursor | undefined
  readonly at: number
}

/** A `process` that records each call (record values, cursor, time); `gate` may hold it up. */
export function recordingProcess(clock: ManualClock, gate?: () => Promise<void>) {
  const batches: ProcessedBatch[] = []
  const process: ModeProcess = async (records, cursor) => {
    if (gate) await gate()
    batches.push({ values: records.map((r) => r.value), cursor, at: clock.now() })
  }
  return { batches, process, values: () => batches.flatMap((b) => b.values) }
}

/** A page of records with values `values`. */
export function pageOf(values: readonly unknown[], cursor?: Cursor, hasMore?: boolean): PollResult {
  return {
    records: values.map((value) => ({ value })),
    ...(cursor === undefined ? {} : { cursor }),
    ...(hasMore ? { hasMore } : {}),
  }
}

/** A promise with its resolve and reject. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
