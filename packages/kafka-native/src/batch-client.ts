/**
 * A librdkafka producer of the batch addon (`@firefront/rdkafka-batch`) shaped like the
 * node-rdkafka client the rest of the backend drives: connect, poll, error and log events,
 * disconnect. A batch goes to librdkafka in one call; its delivery reports come back on poll as
 * runs (batch, error, count), so a batch is settled in a few steps instead of one per record.
 */
import type { RdKafkaBatch, ProducerHandle } from '@firefront/rdkafka-batch'
import type { RdClientConfig } from './client-config'
import { codeByErrno, codeByName } from './native-error'
import type { RdConfig, RdError, RdLogEvent, RdMetadata } from './rdkafka-api'

/** node-rdkafka's own config keys, which librdkafka does not know. */
const NODE_RDKAFKA_KEYS = new Set(['dr_cb', 'dr_msg_cb', 'event_cb', 'rebalance_cb', 'offset_commit_cb'])
/**
 * Tuning keys newer than some librdkafka builds (the system's may be older than node-rdkafka's):
 * left out, with librdkafka's default, where the linked librdkafka does not know them.
 */
const OPTIONAL_KEYS = new Set(['retry.backoff.max.ms'])

/** Where a batch's delivery reports go: `err` is librdkafka's error (undefined: acknowledged). */
export type BatchReport<T> = (batch: T, err: RdError | undefined, count: number) => void

/** An error as node-rdkafka raises it (`code` is librdkafka's number), so the same mapping applies. */
export function rdError(code: number, text?: string | null, isFatal = false): RdError {
  const description = codeByErrno(code)?.description
  const err = new Error(text || description || `librdkafka error ${code}`) as Error & {
    code: number
    isFatal: boolean
  }
  err.code = code
  err.isFatal = isFatal
  return err as RdError
}

/** The config as the addon takes it: string pairs, topic keys among the global ones. */
export function batchConfigPairs(
  config: RdClientConfig,
  skip: ReadonlySet<string> = new Set(),
): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const add = (c: RdConfig): void => {
    for (const [k, v] of Object.entries(c)) {
      if (v === undefined || NODE_RDKAFKA_KEYS.has(k) || skip.has(k)) continue
      out.push([k, String(v)])
    }
  }
  add(config.global)
  add(config.topic)
  return out
}

/** The addon's own key: how long a record waits for room in librdkafka's full queue. */
const QUEUE_FULL_KEY = 'firefront.queue.full.timeout.ms'

/** Creates the addon's producer, leaving out optional keys this librdkafka refuses. */
function createHandle(addon: RdKafkaBatch, config: RdClientConfig, queueFullMs: number): ProducerHandle {
  const skip = new Set<string>()
  for (;;) {
    try {
      return addon.create([...batchConfigPairs(config, skip), [QUEUE_FULL_KEY, String(Math.round(queueFullMs))]])
    } catch (err) {
      const key = /No such configuration property: "([^"]+)"/.exec(err instanceof Error ? err.message : '')?.[1]
      if (key && OPTIONAL_KEYS.has(key) && !skip.has(key)) {
        skip.add(key)
        continue
      }
      throw err
    }
  }
}

/** One batch-addon producer. */
export class BatchClient<T> {
  readonly #addon: RdKafkaBatch
  readonly #handle: ProducerHandle
  readonly #report: BatchReport<T>
  readonly #logListeners: Array<(log: RdLogEvent) => void> = []
  readonly #errorListeners: Array<(err: RdError) => void> = []
  readonly #batches = new Map<number, T>()
  #nextId = 1
  #connected = false
  #closed = false

  /**
   * `queueFullMs`: how long the addon lets a record wait for room in librdkafka's full queue
   * before it reports it refused (`_QUEUE_FULL`).
   */
  constructor(addon: RdKafkaBatch, config: RdClientConfig, report: BatchReport<T>, queueFullMs = 30_000) {
    this.#addon = addon
    this.#report = report
    this.#handle = createHandle(addon, config, queueFullMs)
  }

  on(event: 'event.log', listener: (log: RdLogEvent) => void): this
  on(event: 'event.error', listener: (err: RdError) => void): this
  on(event: 'event.log' | 'event.error', listener: ((log: RdLogEvent) => void) | ((err: RdError) => void)): this {
    if (event === 'event.log') this.#logListeners.push(listener as (log: RdLogEvent) => void)
    else this.#errorListeners.push(listener as (err: RdError) => void)
    return this
  }

  isConnected(): boolean {
    return this.#connected && !this.#closed
  }

  /** Events are served while connecting too (they say why a connection fails). */
  pollable(): boolean {
    return !this.#closed
  }

  /** Connects: a metadata request, like node-rdkafka's `connect`. */
  connect(options: { readonly timeout?: number }, cb: (err: RdError | null, metadata: RdMetadata) => void): void {
    this.getMetadata(options, (err, metadata) => {
      if (!err) this.#connected = true
      cb(err, metadata)
    })
  }

  /** A metadata request; only its success matters to the producer. */
  getMetadata(options: { readonly timeout?: number }, cb: (err: RdError | null, metadata: RdMetadata) => void): void {
    const none = { orig_broker_id: -1, orig_broker_name: '', brokers: [], topics: [] } as unknown as RdMetadata
    if (this.#closed) {
      cb(rdError(codeByName('_DESTROY')?.errno ?? -197, 'the producer is closed'), none)
      return
    }
    this.#addon.metadata(this.#handle, options.timeout ?? 30_000, (code) => {
      this.poll() // the error events that explain a failure
      cb(code ? rdError(code) : null, none)
    })
  }

  /**
   * Queues `batch` (the batch codec's bytes) from message `start` on for the addon's hand-over
   * thread, its reports going to the owner registered as `id`. Returns the count, or the index of
   * the first malformed message and `_BAD_MSG`; every message queued is reported on a later poll
   * (delivered, or refused with librdkafka's error).
   */
  produce(topic: string, batch: Uint8Array, id: number, start: number): [next: number, err: RdError | undefined] {
    const [next, code] = this.#addon.produce(this.#handle, topic, batch, id, start)
    return [next, code === 0 ? undefined : rdError(code)]
  }

  /** A batch id whose reports go to `owner` until {@link release}. */
  register(owner: T): number {
    const id = this.#nextId
    this.#nextId = id >= 0x7fffffff ? 1 : id + 1
    this.#batches.set(id, owner)
    return id
  }

  /** Later reports of the batch are ignored (its send gave up on them). */
  release(id: number): void {
    this.#batches.delete(id)
  }

  /** Serves librdkafka's queue: delivery reports, then error events and log lines. */
  poll(): void {
    const out = this.#addon.poll(this.#handle)
    if (!out) return
    const [runs, events] = out
    if (runs) {
      for (let i = 0; i < runs.length; i += 3) {
        const owner = this.#batches.get(runs[i] as number)
        const code = runs[i + 1] as number
        if (owner !== undefined) this.#report(owner, code === 0 ? undefined : rdError(code), runs[i + 2] as number)
      }
    }
    if (events) {
      for (const [kind, code, fatal, fac, text] of events) {
        if (kind === 1) {
          const log: RdLogEvent = { severity: code, fac: fac ?? '', message: text ?? '' }
          for (const l of this.#logListeners) l(log)
        } else {
          const err = rdError(code, text, fatal)
          for (const l of this.#errorListeners) l(err)
        }
      }
    }
  }

  /** Records librdkafka still holds. */
  outq(): number {
    return this.#addon.outq(this.#handle)
  }

  /** Flushes for up to `flushMs`, purges the rest (their reports arrive here) and destroys. */
  disconnect(flushMs: number, cb: (err: unknown, metrics?: unknown) => void): void {
    if (this.#closed) {
      cb(undefined)
      return
    }
    this.#closed = true
    this.#addon.close(this.#handle, Math.max(0, Math.round(flushMs)), () => {
      this.#connected = false
      this.poll()
      cb(undefined)
    })
  }
}
