/**
 * The `continuous_streaming` ingestion mode: high-frequency polling (or a push subscription)
 * into a buffer that is flushed to `process` on size or on interval.
 * @packageDocumentation
 */
import {
  Duration,
  defineIngestionMode,
  type Emit,
  errorCode,
  FirefrontError,
  type ModeProcess,
  type ModeSource,
  type SourceRecord,
  type Static,
  Type,
} from '@firefront/sdk'
import { type BuiltinModeInstance, ModeRunner, type PullSource, type PushSource } from './mode-runner'
import { RecordBuffer } from './record-buffer'
import { BUILTIN_MODE_VERSION, MaxPagesPerCycle, ModeKey } from './schema'

/** The `ingestion:` block of a `continuous_streaming` source. */
export const ContinuousStreamingModeConfig = Type.Object(
  {
    mode: ModeKey,
    polling_interval_seconds: Duration.seconds({
      exclusiveMinimum: 0,
      default: 1,
      description: 'pull sources: time between the starts of two polls',
    }),
    buffer_size: Type.Integer({ minimum: 1, default: 100, description: 'records buffered before a flush starts' }),
    buffer_flush_interval_seconds: Duration.seconds({
      exclusiveMinimum: 0,
      default: 5,
      description: 'the buffer is flushed at least this often',
    }),
    max_pages_per_cycle: MaxPagesPerCycle(100),
    max_resubscribe_wait_seconds: Duration.seconds({
      minimum: 1,
      default: 300,
      description:
        'push sources: the longest wait before a failed subscription is retried, even when the remote asks for longer (Retry-After)',
    }),
  },
  { additionalProperties: false },
)
export type ContinuousStreamingModeConfig = Static<typeof ContinuousStreamingModeConfig>

/** The longest wait before a failed push subscription is retried. */
const MAX_RESUBSCRIBE_MS = 60_000
/** A subscription that lived this long before failing resets the backoff. */
const HEALTHY_SUBSCRIPTION_MS = 60_000

const asArray = (input: SourceRecord | readonly SourceRecord[]): readonly SourceRecord[] =>
  Array.isArray(input) ? (input as readonly SourceRecord[]) : [input as SourceRecord]

function retryAfterOf(err: unknown): number {
  const value = typeof err === 'object' && err !== null ? (err as { retryAfterMs?: unknown }).retryAfterMs : undefined
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

/**
 * `continuous_streaming`: records go through a buffer of `buffer_size`, flushed to `process`
 * when it fills and every `buffer_flush_interval_seconds`; stopping flushes what is left.
 *
 * - Pull sources are polled every `polling_interval_seconds` (default 1), start to start, never
 *   overlapping; each cycle fetches every page ready and buffers it.
 * - Push sources are subscribed once; `emit` resolves when the buffer accepted the records
 *   (when the buffer is full it waits for a flush: backpressure). A subscription that throws a
 *   `RetryableError` is resubscribed with backoff (1 s doubling to 60 s, at least its
 *   `retryAfterMs`); any other error ends the mode, as the SDK's push contract says. Here a
 *   cycle is a flush.
 */
export const continuousStreamingMode = defineIngestionMode({
  name: 'continuous-streaming',
  version: BUILTIN_MODE_VERSION,
  description:
    'polls every polling_interval_seconds (default 1) or subscribes, buffering records and flushing on size or interval',
  configSchema: ContinuousStreamingModeConfig,
  create(config, ctx): BuiltinModeInstance {
    const runner = new ModeRunner('continuous_streaming', ctx, config.max_pages_per_cycle)
    const pollMs = config.polling_interval_seconds * 1000
    const flushMs = config.buffer_flush_interval_seconds * 1000
    let current: RecordBuffer | undefined
    let recordsLost = 0

    const makeBuffer = (process: ModeProcess, push: boolean): RecordBuffer => {
      const buffer = new RecordBuffer({
        capacity: config.buffer_size,
        process,
        onFlushed: (count) => {
          runner.recordsProcessed += count
          if (push) runner.succeeded()
        },
        onBackgroundError: (err) =>
          runner.noteError(err, 'buffer flush failed; the records stay buffered and the next flush retries', push),
      })
      return buffer
    }

    const emitInto =
      (buffer: RecordBuffer): Emit =>
      async (input) => {
        if (runner.stopped) {
          throw new FirefrontError('ERR_STOPPED', 'the ingestion mode has stopped; records are no longer accepted')
        }
        const records = asArray(input)
        runner.recordsFetched += records.length
        await buffer.add(records)
      }

    /** Flushes every interval until the mode stops. */
    const flushLoop = async (buffer: RecordBuffer, push: boolean): Promise<void> => {
      while (await runner.sleep(flushMs)) {
        try {
          await buffer.flush()
        } catch (err) {
          runner.noteError(err, 'buffer flush failed; the records stay buffered and the next flush retries', push)
        }
      }
    }

    /** Subscribes until the mode stops, resubscribing after retryable failures. */
    const subscribeLoop = async (source: PushSource, buffer: RecordBuffer): Promise<void> => {
      let backoffMs = 1000
      while (!runner.stopping) {
        const since = ctx.clock.now()
        try {
          await source.subscribe(emitInto(buffer), runner.signal)
          if (!runner.stopping) {
            ctx.logger.info({ mode: 'continuous_streaming' }, 'the subscription ended by itself; ingestion ends')
            runner.requestStop('ended')
          }
          return
        } catch (err) {
          if (runner.stopping) return
          if (errorCode(err) !== 'ERR_RETRYABLE') {
            runner.errors++
            runner.fail(err instanceof Error ? err : new Error(String(err)))
            return
          }
          if (ctx.clock.now() - since >= HEALTHY_SUBSCRIPTION_MS) backoffMs = 1000
          const asked = retryAfterOf(err)
          const capMs = config.max_resubscribe_wait_seconds * 1000
          const waitMs = Math.min(Math.max(backoffMs, asked), capMs)
          backoffMs = Math.min(backoffMs * 2, MAX_RESUBSCRIBE_MS)
          runner.noteError(
            err,
            asked > capMs
              ? `subscription failed; the remote asked to wait ${asked / 1000} s, more than max_resubscribe_wait_seconds (${capMs / 1000} s): resubscribing in ${waitMs} ms`
              : `subscription failed; resubscribing in ${waitMs} ms`,
          )
          if (!(await runner.sleep(waitMs))) return
        }
      }
    }

    /** The last flush when the mode stops: what cannot be handed on is reported, not hidden. */
    const finalFlush = (buffer: RecordBuffer) => async (): Promise<void> => {
      try {
        await buffer.flush()
      } catch (err) {
        recordsLost += buffer.length
        throw new FirefrontError(
          'ERR_STOPPED',
          `${buffer.length} buffered record(s) could not be handed on while stopping: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        )
      }
    }

    const pullCycle = (source: PullSource, buffer: RecordBuffer) => () =>
      runner.pullCycle(source, (records, cursor) => buffer.add(records, cursor))

    /** One push cycle: collect for one flush interval, then end the subscription and flush. */
    const pushOnce = async (source: PushSource, buffer: RecordBuffer): Promise<void> => {
      const window = new AbortController()
      const timer = new AbortController()
      ctx.clock.sleep(flushMs, timer.signal).then(
        () => window.abort(new FirefrontError('ERR_STOPPED', 'the collection window ended')),
        () => {},
      )
      try {
        await source.subscribe(emitInto(buffer), AbortSignal.any([window.signal, runner.signal]))
      } finally {
        timer.abort()
      }
      await buffer.flush()
    }

    return {
      async start(source: ModeSource, process: ModeProcess) {
        const push = source.kind === 'push'
        const buffer = makeBuffer(process, push)
        const main =
          source.kind === 'pull'
            ? () => runner.every(pollMs, pullCycle(source, buffer))
            : () => subscribeLoop(source, buffer)
        runner.start([main, () => flushLoop(buffer, push)], finalFlush(buffer))
        current = buffer
      },
      runOnce(source: ModeSource, process: ModeProcess) {
        const buffer = makeBuffer(process, false)
        return runner.once(async () => {
          if (source.kind === 'push') return pushOnce(source, buffer)
          await pullCycle(source, buffer)()
          await buffer.flush()
        })
      },
      stop: () => runner.stop(),
      done: () => runner.done(),
      metrics: () =>
        runner.metrics({
          pollingIntervalSeconds: config.polling_interval_seconds,
          bufferSize: config.buffer_size,
          bufferFlushIntervalSeconds: config.buffer_flush_interval_seconds,
          bufferedRecords: current?.length ?? 0,
          flushes: current?.flushes ?? 0,
          recordsLost,
        }),
    }
  },
})
