/**
 * What one librdkafka client knows about its brokers, from its error events and log lines:
 * whether every broker connection is down, and the last thing librdkafka logged about a failing
 * broker ("Connect to ipv4#127.0.0.1:1 failed: Connection refused"). Requests are guarded with it,
 * so a metadata or admin request fails as soon as no broker can be reached (or credentials are
 * refused) instead of after its whole timeout. librdkafka delivers error events only while the
 * client is polled, so the watch polls it while anything waits.
 */
import { type LogForwarder, logText } from './log-forwarder'
import {
  brokerCodeInText,
  codeByDescription,
  codeByName,
  NativeKafkaError,
  type RdErrorCode,
  rdCodeOf,
  toNativeError,
} from './native-error'
import type { RdError, RdLogEvent } from './rdkafka-api'

/** A client the watch listens to and, when it can, polls. */
export interface WatchedClient {
  on(event: 'event.log', listener: (log: RdLogEvent) => void): unknown
  on(event: 'event.error', listener: (err: RdError) => void): unknown
  poll?(): unknown
  isConnected(): boolean
  /** Whether `poll` may be called now (default: while connected; node-rdkafka throws otherwise). */
  pollable?(): boolean
}

const canPoll = (c: WatchedClient): boolean => (c.pollable ? c.pollable() : c.isConnected())

/** How long a broker failure logged by librdkafka stays the explanation of a later error. */
const DETAIL_TTL_MS = 60_000
/** How often an idle client is polled (its queued events drained). */
const IDLE_POLL_MS = 1000
/** Error events that mean librdkafka gave the client up. */
const FATAL = new Set(['_FENCED', '_FATAL', '_INCONSISTENT', '_GAPLESS_GUARANTEE'])
/** Error events that end a guarded request at once. */
const ENDS_REQUEST = new Set(['_ALL_BROKERS_DOWN', '_AUTHENTICATION'])

/** Options of {@link BrokerWatch}. */
export interface BrokerWatchOptions {
  /** The client's role in logs (`producer`, `metadata`, `consumer`). */
  readonly role: string
  readonly forward: LogForwarder
  readonly redact: (text: string) => string
  /** Poll period while something waits on the client. */
  readonly pollMs?: number
  readonly now?: () => number
}

/** Broker reachability as one client sees it. */
export class BrokerWatch {
  readonly #o: BrokerWatchOptions
  readonly #now: () => number
  #down = false
  #detail: { text: string; at: number } | undefined
  #fatal: RdErrorCode | undefined
  readonly #fatalWaiters = new Set<() => void>()
  readonly #waiters = new Set<(err: NativeKafkaError) => void>()
  #client: WatchedClient | undefined
  #holds = 0
  #timer: NodeJS.Timeout | undefined
  #idle: NodeJS.Timeout | undefined

  constructor(options: BrokerWatchOptions) {
    this.#o = options
    this.#now = options.now ?? Date.now
  }

  /** Listens to `client`'s error events and log lines (a replaced client is listened to too). */
  attach(client: WatchedClient): void {
    this.#client = client
    client.on('event.log', (log) => this.#onLog(log))
    client.on('event.error', (err) => this.#onError(err))
    if (client.poll && !this.#idle) {
      // librdkafka queues error events until polled: an idle client in a long outage would pile
      // them up (one per reconnect attempt), so it is polled now and then even when nothing waits.
      this.#idle = setInterval(() => {
        const c = this.#client
        if (this.#holds === 0 && c && canPoll(c)) c.poll?.()
      }, IDLE_POLL_MS)
      this.#idle.unref()
    }
  }

  /** True after librdkafka reported every broker connection down, until a request succeeds. */
  get down(): boolean {
    return this.#down
  }

  /** A request succeeded: a broker answers. */
  answered(): void {
    this.#down = false
  }

  /**
   * Why librdkafka gave this client up (a fatal error: e.g. `_FENCED`, a newer transactional
   * producer took over), once it said so. Every later failure of the client stems from it.
   */
  get fatal(): RdErrorCode | undefined {
    return this.#fatal
  }

  /** Resolves once a fatal error is known, or after `ms` (the client is polled meanwhile). */
  async fatalKnown(ms: number): Promise<RdErrorCode | undefined> {
    if (this.#fatal) return this.#fatal
    const release = this.hold()
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms)
        timer.unref()
        function done(): void {
          clearTimeout(timer)
          resolve()
        }
        this.#fatalWaiters.add(done)
      })
    } finally {
      release()
    }
    return this.#fatal
  }

  /** What librdkafka last logged about a failing broker, when recent. */
  get detail(): string | undefined {
    const d = this.#detail
    return d && this.#now() - d.at < DETAIL_TTL_MS ? d.text : undefined
  }

  /**
   * Turns an error from this client into a {@link NativeKafkaError} with the broker detail, or,
   * once librdkafka gave the client up, with the fatal error's code (a record purged from the
   * queue of a fenced producer fails as `_FENCED`).
   */
  error(err: unknown): unknown {
    const fatal = this.#fatal
    if (fatal && rdCodeOf(err)?.name !== fatal.name) {
      const text = err instanceof Error ? err.message : String(err)
      return new NativeKafkaError(fatal, this.#o.redact(`${fatal.description}: ${text}`), { cause: err, fatal: true })
    }
    if (err instanceof NativeKafkaError) return err
    const code = rdCodeOf(err)
    // The broker detail explains failures to reach or talk to a broker, not a refused record.
    const explain = code !== undefined && (code.errno < -1 || code.name === 'REQUEST_TIMED_OUT')
    return toNativeError(err, explain ? this.detail : undefined, this.#o.redact)
  }

  /**
   * Settles with `request`'s result, unless every broker connection goes down or credentials are
   * refused first, or `timeoutMs` passes: then it rejects with that error, naming `what` and the
   * broker's failure. The client is polled meanwhile (librdkafka's error events need it); the
   * request itself runs on (librdkafka cannot cancel it) and its late answer is ignored.
   */
  guard<T>(what: string, timeoutMs: number, request: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const release = this.hold()
      const finish = (fn: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.#waiters.delete(onDown)
        release()
        fn()
      }
      const onDown = (err: NativeKafkaError): void => finish(() => reject(err))
      const timer = setTimeout(() => finish(() => reject(this.timedOut(what, timeoutMs))), timeoutMs)
      timer.unref()
      this.#waiters.add(onDown)
      let pending: Promise<T>
      try {
        pending = request()
      } catch (err) {
        pending = Promise.reject(err)
      }
      pending.then(
        (value) =>
          finish(() => {
            this.answered()
            resolve(value)
          }),
        (err: unknown) => finish(() => reject(this.error(err))),
      )
    })
  }

  /** The error of a request that took longer than `timeoutMs`, with the broker detail. */
  timedOut(what: string, timeoutMs: number): NativeKafkaError {
    const detail = this.detail
    return new NativeKafkaError(
      codeByName('_TIMED_OUT') as RdErrorCode,
      this.#o.redact(`${what} timed out after ${timeoutMs} ms${detail ? ` (${detail})` : ''}`),
    )
  }

  /** Polls the client until the returned function is called (nested holds share one timer). */
  hold(): () => void {
    this.#holds++
    if (!this.#timer && this.#client?.poll) {
      const client = this.#client
      this.#timer = setInterval(() => {
        if (canPoll(client)) client.poll?.()
      }, this.#o.pollMs ?? 50)
      this.#timer.unref()
    }
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.#holds === 0 && this.#timer) {
        clearInterval(this.#timer)
        this.#timer = undefined
      }
    }
  }

  /** Stops polling and fails whatever waits (the client is going away). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer)
    if (this.#idle) clearInterval(this.#idle)
    this.#timer = undefined
    this.#idle = undefined
    this.#holds = 0
    const err = new NativeKafkaError(codeByName('_DESTROY') as RdErrorCode, `the ${this.#o.role} client was closed`)
    for (const fail of [...this.#waiters]) fail(err)
  }

  #onLog(log: RdLogEvent): void {
    this.#o.forward(this.#o.role, log)
    if (log.severity > 3) return
    const text = logText(log)
    this.#detail = { text: this.#o.redact(text), at: this.#now() }
    // "Fatal error: Local: This instance has been fenced by a newer instance: ..."
    const fatal = /^Fatal error: (.*)$/.exec(text)
    if (fatal?.[1]) {
      const code = codeByDescription(fatal[1].split(': ').slice(0, 2).join(': '))
      if (code) this.#setFatal(code)
    }
  }

  #setFatal(code: RdErrorCode): void {
    // the first reason stays: later errors follow from it
    this.#fatal ??= code
    for (const wake of [...this.#fatalWaiters]) wake()
    this.#fatalWaiters.clear()
  }

  #onError(raw: RdError): void {
    const code = rdCodeOf(raw)
    if (!code) return
    if (code.name === '_ALL_BROKERS_DOWN') this.#down = true
    if (raw.isFatal === true || FATAL.has(code.name)) this.#setFatal(code)
    if (!ENDS_REQUEST.has(code.name) || this.#waiters.size === 0) return
    const err = this.#explained(code, raw)
    for (const fail of [...this.#waiters]) fail(err)
  }

  /**
   * The error a guarded request fails with. A refused SASL handshake is reported by librdkafka as
   * a local authentication failure with the broker's reason only in the log line; that reason is
   * the error's code, so an unsupported mechanism is refused like kafkajs refuses it.
   */
  #explained(code: RdErrorCode, raw: RdError): NativeKafkaError {
    const detail = this.detail
    const brokerReason = code.name === '_AUTHENTICATION' && detail ? brokerCodeInText(detail) : undefined
    const message = this.#o.redact(detail ? `${code.description}: ${detail}` : code.description)
    return new NativeKafkaError(brokerReason ?? code, message, { cause: raw })
  }
}
