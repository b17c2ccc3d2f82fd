/**
 * One retry controller per producer: exponential backoff with jitter and a cap, shared by every
 * send. While the producer backs off, every send waits at the same gate, so a broker outage
 * costs one retry every 1, 2, 4 s... instead of one per batch or per message (a retry storm).
 */
import { type BackoffOptions, backoffDelay, type Clock } from '@firefront/sdk'

/** Figures of the controller for metrics. */
export interface RetryControllerState {
  /** Failures in a row since the last success. */
  readonly consecutiveFailures: number
  /** Epoch ms before which no attempt starts (0 when not backing off). */
  readonly backoffUntil: number
}

/**
 * The producer's shared backoff. `failure()` pushes the gate forward by the next delay;
 * `success()` resets it; `wait()` resolves when the gate is open.
 */
export class RetryController {
  private failures = 0
  private until = 0

  constructor(
    private readonly options: BackoffOptions,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {}

  /** Records a failed attempt; returns the delay the gate now imposes. */
  failure(): number {
    this.failures++
    const delay = backoffDelay(this.failures, { ...this.options, random: this.random })
    this.until = Math.max(this.until, this.clock.now() + delay)
    return delay
  }

  /** Records a successful request: the gate opens and the next failure starts from `base` again. */
  success(): void {
    this.failures = 0
    this.until = 0
  }

  /** Resolves once the gate is open (at once when not backing off). */
  async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const left = this.until - this.clock.now()
      if (left <= 0) return
      await this.clock.sleep(left, signal)
    }
  }

  state(): RetryControllerState {
    return { consecutiveFailures: this.failures, backoffUntil: this.until }
  }
}
