/** An opaque producer handle. */
export interface ProducerHandle {
  readonly __rdkafkaBatchProducer: unique symbol
}

/**
 * What `poll` returns when anything happened: delivery reports as runs of
 * `(batchId, errorCode, count)` (error 0: acknowledged), and error events
 * (`[0, code, fatal, null, reason]`) and log lines (`[1, level, false, facility, text]`).
 */
export type PollResult = [
  runs: Int32Array | null,
  events: Array<[kind: 0 | 1, code: number, fatal: boolean, facility: string | null, text: string | null]> | null,
]

/** The addon's functions. */
export interface RdKafkaBatch {
  /** A producer from librdkafka config pairs; throws (code `ERR_CONFIG`) naming a refused one. */
  create(config: ReadonlyArray<readonly [string, string]>): ProducerHandle
  /**
   * Hands messages `start..` of `batch` (the batch codec's layout) to librdkafka, tagging their
   * reports with `batchId`. Returns the index of the first message not taken and librdkafka's
   * error code for it (`0` with `next === count` when all were taken).
   */
  produce(
    handle: ProducerHandle,
    topic: string,
    batch: Uint8Array,
    batchId: number,
    start: number,
  ): [next: number, error: number]
  /** Serves librdkafka's queue and returns what it collected, or undefined when nothing. */
  poll(handle: ProducerHandle): PollResult | undefined
  /** A metadata request (connects); `cb` gets 0 or librdkafka's error code. */
  metadata(handle: ProducerHandle, timeoutMs: number, cb: (err: number) => void): void
  /** Waits up to `timeoutMs` for every queued record's report. */
  flush(handle: ProducerHandle, timeoutMs: number, cb: (err: number) => void): void
  /** Flushes up to `timeoutMs`, purges the rest (reported as `_PURGE_*` on the next poll) and destroys. */
  close(handle: ProducerHandle, timeoutMs: number, cb: (err: number) => void): void
  /** Records librdkafka still holds. */
  outq(handle: ProducerHandle): number
  /** librdkafka's name of an error code (`_QUEUE_FULL`, `MSG_SIZE_TOO_LARGE`, librdkafka's own spelling). */
  errorName(code: number): string
  /** librdkafka's version. */
  version(): string
}

/** The addon, or null when it was not built here. */
export declare const addon: RdKafkaBatch | null
/** Why `addon` is null. */
export declare const reason: string | undefined
