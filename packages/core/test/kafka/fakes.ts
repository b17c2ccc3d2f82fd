/**
 * Fakes for the kafka sink's tests without a broker: a clock whose time the test moves, and a
 * transport whose failures the test scripts (shaped like kafkajs' errors).
 */
import type { Clock } from '@firefront/sdk'
import type { OutMessage } from '../../src/kafka/delivery/messages'
import { classifyFailure } from '../../src/kafka/kafkajs/failure'
import type { KafkaFailure, ProducerTransport } from '../../src/kafka/transport'

interface Timer {
  readonly at: number
  readonly resolve: () => void
}

/**
 * A clock for tests. With `auto`, `sleep(ms)` moves time forward at once and resolves (for
 * measuring backoff); without it, sleeps wait until {@link FakeClock.advance} passes them.
 */
export class FakeClock implements Clock {
  t = Date.parse('2026-01-01T00:00:00.000Z')
  readonly sleeps: number[] = []
  private timers: Timer[] = []

  constructor(private readonly auto = false) {}

  now = (): number => this.t

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms)
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.auto) {
      this.t += ms
      return new Promise((r) => setImmediate(r))
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer)
        reject(signal?.reason)
      }
      const timer: Timer = {
        at: this.t + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      this.timers.push(timer)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Moves time forward by `ms`, firing due sleeps in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms
    for (;;) {
      await settle()
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.timers = this.timers.filter((x) => x !== due)
      this.t = Math.max(this.t, due.at)
      due.resolve()
    }
    this.t = target
    await settle()
  }
}

/** Lets pending promise continuations and immediate callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r))
}

/** An error shaped like kafkajs' connection errors (wrapped as "retries exceeded", as kafkajs does). */
export function connectionError(broker = '127.0.0.1:1'): Error {
  const cause = Object.assign(new Error(`Connection error: connect ECONNREFUSED ${broker}`), {
    name: 'KafkaJSConnectionError',
    retriable: true,
    code: 'ECONNREFUSED',
  })
  return Object.assign(new Error(cause.message), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause })
}

/** An error shaped like a kafkajs protocol error from the broker. */
export function protocolError(
  type: string,
  retriable: boolean,
  message = type.toLowerCase().replace(/_/g, ' '),
): Error {
  const cause = Object.assign(new Error(message), { name: 'KafkaJSProtocolError', type, retriable })
  return retriable
    ? cause
    : Object.assign(new Error(message), { name: 'KafkaJSNonRetriableError', retriable: false, cause })
}

/** One produce request the fake transport received. */
export interface SentRequest {
  readonly topic: string
  readonly messages: readonly OutMessage[]
}

/** A scripted {@link ProducerTransport}; its errors are shaped like kafkajs' and classified as kafkajs' are. */
export class FakeTransport implements ProducerTransport {
  /** Every request, whether it failed or not. */
  readonly requests: SentRequest[] = []
  /** Requests that succeeded. */
  readonly delivered: SentRequest[] = []
  readonly created: string[] = []
  resets = 0
  probes = 0
  /** Return an error to fail this request. */
  failSend: (topic: string, messages: readonly OutMessage[], call: number) => Error | undefined = () => undefined
  failConnect: () => Error | undefined = () => undefined
  failProbe: (call: number) => Error | undefined = () => undefined
  failCreate: (topic: string) => Error | undefined = () => undefined

  async connect(): Promise<void> {
    const err = this.failConnect()
    if (err) throw err
  }

  async send(topic: string, messages: readonly OutMessage[]): Promise<void> {
    const call = this.requests.length
    this.requests.push({ topic, messages: [...messages] })
    const err = this.failSend(topic, messages, call)
    if (err) throw err
    this.delivered.push({ topic, messages: [...messages] })
  }

  async probe(): Promise<void> {
    const err = this.failProbe(this.probes++)
    if (err) throw err
  }

  async createTopics(topics: readonly string[]): Promise<string[]> {
    const out: string[] = []
    for (const t of topics) {
      const err = this.failCreate(t)
      if (err) throw err
      if (!this.created.includes(t)) {
        this.created.push(t)
        out.push(t)
      }
    }
    return out
  }

  async resetProducer(): Promise<void> {
    this.resets++
  }

  classify(err: unknown): KafkaFailure {
    return classifyFailure(err)
  }

  async disconnect(): Promise<void> {}

  /** Messages delivered to `topic`, in order. */
  deliveredTo(topic: string): OutMessage[] {
    return this.delivered.filter((r) => r.topic === topic).flatMap((r) => r.messages)
  }
}

/**
 * A {@link FakeTransport} that keeps order across sends in flight (like the native backend) and,
 * with `hold`, acknowledges each request only when the test releases it.
 */
export class PipelinedTransport extends FakeTransport {
  readonly maxInFlightBatches = 16
  hold = false
  /** Requests in progress now, and the most at once. */
  open = 0
  maxOpen = 0
  readonly #held: Array<() => void> = []

  override async send(topic: string, messages: readonly OutMessage[]): Promise<void> {
    this.open++
    this.maxOpen = Math.max(this.maxOpen, this.open)
    try {
      if (this.hold) {
        const call = this.requests.length
        this.requests.push({ topic, messages: [...messages] })
        await new Promise<void>((resolve) => {
          this.#held[call] = resolve
        })
        const err = this.failSend(topic, messages, call)
        if (err) throw err
        this.delivered.push({ topic, messages: [...messages] })
        return
      }
      await super.send(topic, messages)
    } finally {
      this.open--
    }
  }

  /** Lets held request `call` (0-based, over all requests) finish. */
  release(call: number): void {
    this.#held[call]?.()
  }
}
