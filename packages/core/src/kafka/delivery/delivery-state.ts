/**
 * Delivery as a state machine: one state field, changed only by {@link DeliveryStateMachine.fire}
 * through the {@link TRANSITIONS} table. The state decides where a new batch goes (Kafka or the
 * spool) and what the background loop does (idle, replay the spool, probe Kafka, wait out a pause).
 */

/**
 * - `delivering`: Kafka answers and the spool is empty: batches go straight to Kafka.
 * - `retrying`: a request failed and every send waits at the shared backoff gate.
 * - `spooling`: Kafka cannot be reached: batches go to the spool; the loop probes with backoff.
 * - `replaying`: Kafka answers and the spool holds batches: the loop sends them oldest first, and
 *   a topic's new batches queue behind its spooled ones.
 * - `paused`: too many records failed lately: batches go to the spool until the pause ends.
 */
export type DeliveryState = 'delivering' | 'retrying' | 'spooling' | 'replaying' | 'paused'

/**
 * - `fail`: a request failed and will be retried after a backoff;
 * - `give-up`: Kafka cannot be reached (retries used up, connect or probe failed, stopping);
 * - `backlog`: Kafka answered and the spool holds batches;
 * - `drained`: Kafka answered and the spool is empty;
 * - `trip`: the failure rate crossed its threshold;
 * - `resume`: the pause is over.
 */
export type DeliveryEvent = 'fail' | 'give-up' | 'backlog' | 'drained' | 'trip' | 'resume'

/** Where each event leads from each state; an event missing from a state's row is not allowed there. */
export const TRANSITIONS: Readonly<Record<DeliveryState, Readonly<Partial<Record<DeliveryEvent, DeliveryState>>>>> = {
  delivering: { fail: 'retrying', 'give-up': 'spooling', backlog: 'replaying', drained: 'delivering', trip: 'paused' },
  retrying: { fail: 'retrying', 'give-up': 'spooling', backlog: 'replaying', drained: 'delivering', trip: 'paused' },
  replaying: { fail: 'retrying', 'give-up': 'spooling', backlog: 'replaying', drained: 'delivering', trip: 'paused' },
  // While Kafka is away no request is retried (a failure is a give-up); a send that was already in
  // flight may still come back refused often enough to trip the pause.
  spooling: { 'give-up': 'spooling', backlog: 'replaying', drained: 'delivering', trip: 'paused' },
  // A pause outlasts whatever requests still in flight report; only its end leaves it.
  paused: { fail: 'paused', 'give-up': 'paused', backlog: 'paused', drained: 'paused', resume: 'replaying' },
}

/** Thrown by {@link DeliveryStateMachine.fire} for an event its state does not allow: a bug. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError'

  constructor(
    readonly from: DeliveryState,
    readonly event: DeliveryEvent,
  ) {
    super(`delivery: event "${event}" is not allowed in state "${from}"`)
  }
}

/** Called after each transition that changed the state. */
export type TransitionListener = (from: DeliveryState, to: DeliveryState, event: DeliveryEvent) => void

/** The delivery state and its transitions. */
export class DeliveryStateMachine {
  #state: DeliveryState
  readonly #listeners: TransitionListener[] = []

  constructor(initial: DeliveryState = 'delivering') {
    this.#state = initial
  }

  /** The current state. */
  get state(): DeliveryState {
    return this.#state
  }

  /** True when `event` is allowed in the current state. */
  can(event: DeliveryEvent): boolean {
    return TRANSITIONS[this.#state][event] !== undefined
  }

  /** Applies `event`; returns the new state. Throws {@link IllegalTransitionError} when not allowed. */
  fire(event: DeliveryEvent): DeliveryState {
    const from = this.#state
    const to = TRANSITIONS[from][event]
    if (to === undefined) throw new IllegalTransitionError(from, event)
    this.#state = to
    if (to !== from) for (const l of this.#listeners) l(from, to, event)
    return to
  }

  /** Calls `listener` after every change of state. */
  onTransition(listener: TransitionListener): void {
    this.#listeners.push(listener)
  }
}
