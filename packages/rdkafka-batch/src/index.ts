/**
 * `@firefront/rdkafka-batch`: a librdkafka producer that takes a whole batch per call, the hot
 * path of Firefront's native Kafka backend (`kafka.client: native`). The addon is compiled when
 * the package is installed; {@link addon} is null where that did not happen, and {@link reason}
 * says why, so the backend can fall back to node-rdkafka's per-record producer.
 */
import { createRequire } from 'node:module'

/** An opaque producer handle. */
export interface ProducerHandle {
  readonly __rdkafkaBatchProducer: unique symbol
}

/** An error event (`kind` 0) or a log line (`kind` 1) that librdkafka raised. */
export type PollEvent = [kind: 0 | 1, code: number, fatal: boolean, facility: string | null, text: string | null]

/**
 * What `poll` returns when anything happened: delivery reports as runs of
 * `(batchId, errorCode, count)` (error 0: acknowledged), and error events
 * (`[0, code, fatal, null, reason]`) and log lines (`[1, level, false, facility, text]`).
 */
export type PollResult = [runs: Int32Array | null, events: PollEvent[] | null]

/** The addon's functions. */
export interface RdKafkaBatch {
  /**
   * A producer from librdkafka config pairs (plus the addon's own
   * `firefront.queue.full.timeout.ms`); throws (code `ERR_CONFIG`) naming a refused one. Starts
   * the producer's hand-over thread.
   */
  create(config: ReadonlyArray<readonly [string, string]>): ProducerHandle
  /**
   * Checks `batch` (the batch codec's layout of `@firefront/kafka-native`) and queues a copy of
   * messages `start..` for the producer's hand-over thread, which gives them to librdkafka in
   * order; returns at once. `next` is the count and `error` 0, or `next` is the first malformed
   * message and `error` `_BAD_MSG` (the ones before it are queued). Every queued message is
   * reported once on a later `poll`, tagged `batchId`: its delivery report, or the error
   * librdkafka refused it with (`_QUEUE_FULL` when its queue stayed full for the config's
   * `firefront.queue.full.timeout.ms`, 30 s by default).
   */
  produce(
    handle: ProducerHandle,
    topic: string,
    batch: Uint8Array,
    batchId: number,
    start: number,
  ): [next: number, error: number]
  /** What the hand-over thread gathered from librdkafka's queue since the last call, or undefined. */
  poll(handle: ProducerHandle): PollResult | undefined
  /** A metadata request (connects); `cb` gets 0 or librdkafka's error code. */
  metadata(handle: ProducerHandle, timeoutMs: number, cb: (err: number) => void): void
  /** Waits up to `timeoutMs` for the reports of the records librdkafka holds. */
  flush(handle: ProducerHandle, timeoutMs: number, cb: (err: number) => void): void
  /**
   * Hands over what is queued, flushes up to `timeoutMs`, purges the rest (reported as `_PURGE_*`
   * on the next poll), stops the thread and destroys the producer.
   */
  close(handle: ProducerHandle, timeoutMs: number, cb: (err: number) => void): void
  /** Records librdkafka still holds. */
  outq(handle: ProducerHandle): number
  /** librdkafka's name of an error code (`_QUEUE_FULL`, `MSG_SIZE_TOO_LARGE`: librdkafka's spelling). */
  errorName(code: number): string
  /** The linked librdkafka's version. */
  version(): string
}

function load(): { addon: RdKafkaBatch | null; reason?: string } {
  const require = createRequire(import.meta.url)
  try {
    return { addon: require('../build/Release/firefront_rdkafka_batch.node') as RdKafkaBatch }
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
    return {
      addon: null,
      reason: missing
        ? 'the addon was not built here (its install script needs node-rdkafka or librdkafka-dev, and a C compiler)'
        : `the addon failed to load (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    }
  }
}

const loaded = load()

/** The addon, or null when it was not built here. */
export const addon: RdKafkaBatch | null = loaded.addon
/** Why {@link addon} is null. */
export const reason: string | undefined = loaded.reason
