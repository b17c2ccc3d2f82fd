/**
 * Delivery's background loop, driven by the state: `paused` waits out the pause, `spooling`
 * probes Kafka with the shared backoff, and while the spool holds batches and Kafka answers it
 * replays them oldest first (dead letters within the per-minute cap). Idle otherwise.
 */
import type { Clock, Logger } from '@firefront/sdk'
import type { Redactor } from '../redact'
import type { ProducerTransport } from '../transport'
import type { DeadLetterWriter } from './dead-letters'
import type { DeliveryLink } from './delivery-link'
import type { DeliveryCounters } from './delivery-metrics'
import type { DeliverySpool, SpooledBatch } from './delivery-spool'
import type { DlqRateLimiter, FailureRateGuard } from './dlq-guards'
import type { BatchMeta } from './messages'
import type { Producer } from './produce'
import type { RetryController } from './retry-controller'

/** What a {@link SpoolReplay} works with. */
export interface SpoolReplayOptions {
  readonly transport: Pick<ProducerTransport, 'probe'>
  readonly link: DeliveryLink
  readonly spool: DeliverySpool
  readonly producer: Producer
  readonly deadLetters: DeadLetterWriter
  readonly limiter: DlqRateLimiter
  readonly guard: FailureRateGuard
  readonly retry: RetryController
  readonly counters: DeliveryCounters
  readonly logger: Logger
  readonly redactor: Redactor
  readonly clock: Clock
  /** Records a send's outcome for the failure-rate guard (which may pause delivery). */
  readonly observe: (delivered: number, failed: number) => void
}

const isAbort = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'AbortError' || (err as { code?: unknown }).code === 'ERR_ABORTED')

/** The replay loop and the waits on it (`drained`). */
export class SpoolReplay {
  readonly #o: SpoolReplayOptions
  #wake: (() => void) | undefined
  #drainWaiters: Array<() => void> = []
  #loop: Promise<void> | undefined

  constructor(options: SpoolReplayOptions) {
    this.#o = options
  }

  /** Starts the loop; it ends when `signal` aborts. */
  start(signal: AbortSignal): void {
    this.#loop = this.#run(signal)
  }

  /** Lets an idle loop look at the state again, and releases `drained()` waiters when Kafka went away. */
  wake(): void {
    this.#notifyIfDrained()
    this.#wake?.()
  }

  /** Waits for the loop to end (after its signal aborted). */
  async stopped(): Promise<void> {
    this.wake()
    await this.#loop?.catch(() => {})
    this.#loop = undefined
    this.#resolveDrainWaiters()
  }

  /** Resolves when the spool is empty, Kafka is found unreachable, or the loop stops. */
  drained(): Promise<void> {
    if (this.#o.spool.size === 0 || this.#o.link.away || !this.#loop) return Promise.resolve()
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve))
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { link, spool, guard, retry, clock, limiter, logger, redactor } = this.#o
    while (!signal.aborted) {
      try {
        this.#notifyIfDrained()
        if (link.paused) {
          if (guard.paused()) await clock.sleep(Math.max(1, guard.until - clock.now()), signal)
          else link.resumed()
          continue
        }
        if (link.away) {
          if (await this.#probe()) link.reachable(true)
          else {
            retry.failure()
            await retry.wait(signal)
          }
          continue
        }
        if (spool.size === 0) {
          if (link.state === 'replaying') link.reachable(false)
          await this.#idle(signal)
          continue
        }
        const entry = await spool.head()
        if (!entry) continue
        if (entry.deadLetter) {
          const wait = limiter.waitMs(entry.messages.length)
          if (wait > 0) {
            await clock.sleep(Math.min(wait, 5000), signal)
            continue
          }
          limiter.consume(entry.messages.length)
        }
        if (!(await this.#replay(entry))) {
          // Not sent and Kafka not known to be away (stopping): try again in a while, not in a spin.
          if (!link.away) await clock.sleep(1000, signal)
          continue
        }
        await spool.ack(entry)
      } catch (err) {
        if (signal.aborted || isAbort(err)) break
        logger.error({ error: redactor.message(err) }, `spool replay failed: ${redactor.message(err)}`)
        await clock.sleep(1000, signal).catch(() => {})
      }
    }
  }

  /** Sends one spooled entry; false when Kafka could not be reached (the entry stays). */
  async #replay(entry: SpooledBatch): Promise<boolean> {
    const { producer, counters, deadLetters } = this.#o
    const meta: BatchMeta = {
      topic: entry.deadLetter?.originalTopic ?? entry.topic,
      sourceId: entry.sourceId,
      sourceType: entry.sourceType,
    }
    const r = await producer.produce(entry.topic, entry.messages)
    if (r.unavailable) return false
    counters.retried(r.retries)
    counters.replayed(r.delivered)
    if (entry.deadLetter) {
      counters.deadLettered(r.delivered)
      if (r.dead.length > 0)
        await deadLetters.writeLocal(
          r.dead.map((d) => d.message),
          meta,
          'dlq-refused',
        )
    } else {
      counters.sent(r.delivered)
      await deadLetters.write(r.dead, meta)
      this.#o.observe(r.delivered, r.dead.length)
    }
    return true
  }

  async #probe(): Promise<boolean> {
    try {
      await this.#o.transport.probe()
      return true
    } catch (err) {
      this.#o.link.noteError(this.#o.link.classify(err))
      return false
    }
  }

  #idle(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#wake = undefined
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.#wake = done
      signal.addEventListener('abort', done, { once: true })
    })
  }

  #notifyIfDrained(): void {
    if (this.#drainWaiters.length > 0 && (this.#o.spool.size === 0 || this.#o.link.away)) this.#resolveDrainWaiters()
  }

  #resolveDrainWaiters(): void {
    const waiters = this.#drainWaiters
    this.#drainWaiters = []
    for (const w of waiters) w()
  }
}
