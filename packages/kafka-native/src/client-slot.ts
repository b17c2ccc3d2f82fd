/**
 * One librdkafka client, connected on first use: a connection attempt in progress is shared, an
 * attempt that failed is dropped so the next use starts afresh, and closing never waits longer
 * than it is told to.
 */
import { bounded, callback } from './async-util'
import type { BrokerWatch, WatchedClient } from './broker-watch'
import type { RdError, RdMetadata } from './rdkafka-api'

/** What the slot needs of a client: node-rdkafka's producer, or the batch addon's. */
export interface SlotClient extends WatchedClient {
  connect(
    options: { readonly timeout?: number; readonly allTopics?: boolean },
    cb: (err: RdError | null | undefined, metadata: RdMetadata) => void,
  ): unknown
  /** Flushes for up to `flushMs`, then destroys the client. */
  disconnect(flushMs: number, cb: (err: unknown, metrics?: unknown) => void): unknown
}

/** Options of {@link ClientSlot}. */
export interface ClientSlotOptions<C> {
  /** Makes a new client (not connected). */
  readonly create: () => C
  readonly watch: BrokerWatch
  /** How long connecting (a metadata request) may take. */
  readonly connectTimeoutMs: number
  /** What connecting is called in errors. */
  readonly what: string
}

/** A lazily connected librdkafka producer handle (also used for metadata). */
export class ClientSlot<C extends SlotClient> {
  readonly #o: ClientSlotOptions<C>
  #client: C | undefined
  #connecting: Promise<C> | undefined
  #closed = false

  constructor(options: ClientSlotOptions<C>) {
    this.#o = options
  }

  /** The connected client, if any. */
  get current(): C | undefined {
    return this.#client?.isConnected() ? this.#client : undefined
  }

  /** The connected client; connects first when needed. Fails fast when no broker answers. */
  async ensure(): Promise<C> {
    const ready = this.current
    if (ready) return ready
    if (this.#closed) throw new Error(`${this.#o.what}: the client is closed`)
    this.#connecting ??= this.#connect()
    const attempt = this.#connecting
    return this.#o.watch.guard(this.#o.what, this.#o.connectTimeoutMs, () => attempt)
  }

  #connect(): Promise<C> {
    const client = this.#o.create()
    this.#o.watch.attach(client)
    return callback<RdMetadata>((cb) =>
      client.connect({ timeout: this.#o.connectTimeoutMs, allTopics: false }, cb),
    ).then(
      () => {
        this.#connecting = undefined
        if (this.#closed) {
          // closed while connecting: this client has no one to serve
          client.disconnect(0, () => {})
          throw new Error(`${this.#o.what}: the client is closed`)
        }
        this.#client = client
        return client
      },
      (err: unknown) => {
        // node-rdkafka already destroyed the client; the next use makes a new one
        this.#connecting = undefined
        throw err
      },
    )
  }

  /**
   * Disconnects, flushing queued records for up to `flushMs`; never waits more than `flushMs`
   * plus `graceMs` for librdkafka to shut down.
   */
  async close(flushMs: number, graceMs = 5000): Promise<void> {
    this.#closed = true
    const client = this.#client
    this.#client = undefined
    this.#o.watch.close()
    if (!client?.isConnected()) return
    await bounded(
      callback<unknown>((cb) => client.disconnect(flushMs, cb)),
      flushMs + graceMs,
    )
  }
}
