/**
 * Delivery's view of Kafka: the {@link DeliveryStateMachine} and what goes with each transition
 * (the log line, the gauges, the shared backoff gate, waking the replay loop). The producer, the
 * dead-letter writer and the replay loop report what happened here; nothing else changes the state.
 */
import type { Clock, Logger } from '@firefront/sdk'
import { brokerList, type KafkaSinkConfig } from '../config'
import type { Redactor } from '../redact'
import type { KafkaFailure, ProducerTransport } from '../transport'
import type { PauseEvent } from './dlq-guards'
import type { DeliveryCounters } from './delivery-metrics'
import { type DeliveryState, DeliveryStateMachine } from './delivery-state'
import type { RetryController } from './retry-controller'

/** What a {@link DeliveryLink} works with. */
export interface DeliveryLinkOptions {
  readonly config: KafkaSinkConfig
  readonly transport: Pick<ProducerTransport, 'classify'>
  readonly retry: RetryController
  readonly counters: DeliveryCounters
  readonly logger: Logger
  readonly redactor: Redactor
  readonly clock: Clock
  /** Batches in the spool: decides between `backlog` and `drained` when Kafka answers. */
  readonly backlog: () => number
  /** Where the spool is, for log lines. */
  readonly spoolDirectory: string
}

/** The delivery state with its side effects. */
export class DeliveryLink {
  readonly #o: DeliveryLinkOptions
  readonly #machine = new DeliveryStateMachine()
  #lastError: string | null = null
  #lastSuccessAt = 0
  /** Called when the loop has something new to do (Kafka away, a pause, a batch spooled). */
  onWake: () => void = () => {}

  constructor(options: DeliveryLinkOptions) {
    this.#o = options
    this.#machine.onTransition(() => this.onWake())
  }

  get state(): DeliveryState {
    return this.#machine.state
  }
  /** True while Kafka is known to be unreachable. */
  get away(): boolean {
    return this.#machine.state === 'spooling'
  }
  get paused(): boolean {
    return this.#machine.state === 'paused'
  }
  get lastError(): string | null {
    return this.#lastError
  }
  /** Epoch ms of the last acknowledged request (0 before the first). */
  get lastSuccessAt(): number {
    return this.#lastSuccessAt
  }

  /** Classifies an error, its message redacted: everything logged or dead-lettered comes from here. */
  classify(err: unknown): KafkaFailure {
    const failure = this.#o.transport.classify(err)
    return { ...failure, message: this.#o.redactor.text(failure.message) }
  }

  noteError(failure: KafkaFailure): void {
    this.#lastError = `${failure.code}: ${this.#o.redactor.text(failure.message)}`
  }

  /** A request failed and will be retried after the shared backoff. */
  retrying(failure: KafkaFailure): void {
    this.noteError(failure)
    this.#machine.fire('fail')
  }

  /** Kafka cannot be reached: batches go to the spool until it answers. */
  gaveUp(failure: KafkaFailure): void {
    this.noteError(failure)
    const wasAway = this.away
    this.#machine.fire('give-up')
    this.#o.counters.connected(false)
    if (wasAway || this.paused) return
    const brokers = brokerList(this.#o.config.kafka).join(',')
    this.#o.logger.error(
      { brokers, code: failure.code, spool: this.#o.spoolDirectory },
      failure.authentication
        ? `kafka at ${brokers} refused the credentials (${failure.message}); batches go to the spool until it accepts them`
        : `cannot reach kafka at ${brokers} (${failure.message}); batches go to the spool until it answers`,
    )
  }

  /** A request was acknowledged: Kafka answers (see {@link DeliveryLink.reachable}). */
  answered(): void {
    this.#lastSuccessAt = this.#o.clock.now()
    this.reachable(true)
  }

  /**
   * Kafka answers (a request, a connect or the probe succeeded): the backoff gate opens and the
   * state follows the spool. `announce` logs the return after an outage.
   */
  reachable(announce: boolean): void {
    this.#o.retry.success()
    const wasAway = this.away
    this.#machine.fire(this.#o.backlog() > 0 ? 'backlog' : 'drained')
    this.#o.counters.connected(true)
    if (announce && wasAway) {
      this.#o.logger.info(
        { spool_entries: this.#o.backlog() },
        `kafka is reachable again; replaying ${this.#o.backlog()} spooled batch(es)`,
      )
    }
  }

  /** A batch was spooled while Kafka answers: the loop replays it. */
  spooled(): void {
    if (this.#machine.state === 'delivering') this.#machine.fire('backlog')
  }

  /** The failure rate crossed its threshold. */
  tripped(pause: PauseEvent): void {
    // A pause that ends while the loop has not woken yet is extended, not restarted.
    if (this.#machine.can('trip')) this.#machine.fire('trip')
    this.#o.counters.paused(true)
    const c = this.#o.config.dlq
    this.#o.logger.warn(
      {
        failed: pause.failed,
        total: pause.total,
        rate: Number(pause.rate.toFixed(3)),
        threshold: c.failure_rate_threshold,
        pause_seconds: c.pause_seconds,
      },
      `kafka sink paused for ${c.pause_seconds} s: ${pause.failed} of ${pause.total} records failed over the last ${c.window_seconds} s (threshold ${Math.round(c.failure_rate_threshold * 100)} %); new batches go to the spool meanwhile`,
    )
  }

  /** The pause is over: the spool (which took batches meanwhile) is replayed. */
  resumed(): void {
    this.#machine.fire('resume')
    this.#o.counters.paused(false)
    this.#o.logger.info({ spool_entries: this.#o.backlog() }, 'kafka sink resumed after its pause')
  }
}
