/**
 * The `consumer-lag` throttle policy (the seed's ThrottlingManager): the send rate follows the
 * REAL lag of the watched consumer groups, read from Kafka every `check_interval_seconds`.
 * Below `target_consumer_lag` the rate grows additively toward `max_send_rate`; above it the rate
 * is divided by `adjustment_factor` (moderate); above `critical_consumer_lag` the policy also backs
 * off exponentially. It only delays batches — it never reorders or re-enqueues them.
 */
import { defineThrottlePolicy, type JsonValue, type Static, Type } from '@firefront/sdk'
import { type FirefrontConfig, KafkaConfig as KafkaBlock, ThrottlingConfig } from '../config/schema'
import { brokerList } from '../kafka/config'
import { createKafkaLagReader, type LagReader, type LagSnapshot } from '../kafka/lag-reader'

// The policy's tunables are the `throttling:` block's own keys, declared once in the config schema,
// so every one of them (max_backoff_seconds too) can be set from the file.
const { enabled: _enabled, policy: _policy, ...throttlingKeys } = ThrottlingConfig.properties

/** Config of the policy: the `throttling:` block (without `enabled` and `policy`) plus the brokers. */
export const ConsumerLagConfig = Type.Object(
  {
    ...throttlingKeys,
    brokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['localhost:9092'] }),
    kafka: Type.Optional(KafkaBlock),
  },
  { additionalProperties: true },
)
export type ConsumerLagConfig = Static<typeof ConsumerLagConfig>

/** The state machine, separate from Kafka so it can be tested with any lag. */
export class LagThrottle {
  readonly #c: ConsumerLagConfig
  rate: number
  backoffLevel = 0
  state: 'allow' | 'throttle_moderate' | 'throttle_critical' = 'allow'
  lastLag = 0
  adjustments = 0
  #nextSendAt = 0

  constructor(config: ConsumerLagConfig) {
    this.#c = config
    this.rate = config.max_send_rate
  }

  /** Takes a new lag reading and adjusts the rate (AIMD). */
  observe(lag: number): void {
    const c = this.#c
    this.lastLag = lag
    const before = this.rate
    if (lag >= c.critical_consumer_lag) {
      this.state = 'throttle_critical'
      this.backoffLevel++
      this.rate = Math.max(c.min_send_rate, this.rate / c.adjustment_factor ** 2)
    } else if (lag > c.target_consumer_lag) {
      this.state = 'throttle_moderate'
      this.backoffLevel = 0
      this.rate = Math.max(c.min_send_rate, this.rate / c.adjustment_factor)
    } else {
      this.state = 'allow'
      this.backoffLevel = 0
      this.rate = Math.min(c.max_send_rate, this.rate + (c.max_send_rate - c.min_send_rate) / 10)
    }
    if (this.rate !== before) this.adjustments++
  }

  /** Milliseconds to wait before the next batch at `now`, and books that slot. */
  delayFor(now: number): number {
    const c = this.#c
    const spacing = 1000 / this.rate
    const backoff =
      this.state === 'throttle_critical'
        ? Math.min(c.max_backoff_seconds * 1000, 1000 * c.adjustment_factor ** (this.backoffLevel - 1))
        : 0
    const at = Math.max(now, this.#nextSendAt) + backoff
    this.#nextSendAt = at + spacing
    return at - now
  }
}

/** The policy plugin. */
export const consumerLagThrottlePolicy = defineThrottlePolicy({
  name: 'consumer-lag',
  version: '0.1.0',
  description: 'send rate from the real lag of the watched consumer groups',
  configSchema: ConsumerLagConfig,
  // the `throttling:` block's tunables, and the brokers and client settings of `kafka:`
  configFromFile: (file) => {
    const config = file as FirefrontConfig
    const { enabled: _enabled, policy: _policy, ...throttling } = config.throttling
    return { ...throttling, brokers: brokerList(config.kafka), kafka: config.kafka }
  },
  create(config, ctx) {
    const throttle = new LagThrottle(config)
    let reader: LagReader | undefined
    let lastSnapshot: LagSnapshot | undefined
    let lastError: string | null = null
    let reads = 0
    let timer: NodeJS.Timeout | undefined
    const refresh = async () => {
      if (!reader) return
      try {
        lastSnapshot = await reader.read()
        reads++
        lastError = null
        const before = throttle.state
        throttle.observe(lastSnapshot.maxLag)
        if (throttle.state !== before) {
          ctx.logger.info(
            { state: throttle.state, lag: lastSnapshot.maxLag, rate: throttle.rate },
            'throttle state changed',
          )
        }
      } catch (err) {
        lastError = (err as Error).message
        ctx.logger.warn({ err }, 'consumer lag could not be read; keeping the current rate')
      }
    }
    return {
      async start() {
        if (config.consumer_groups.length === 0) {
          ctx.logger.warn(
            'throttling is enabled but throttling.consumer_groups is empty: no lag to follow, the rate stays at max_send_rate',
          )
          return
        }
        reader = createKafkaLagReader({
          brokers: config.brokers,
          groups: config.consumer_groups,
          ...(config.kafka ? { kafka: config.kafka } : {}),
        })
        await refresh()
        timer = setInterval(() => void refresh(), config.check_interval_seconds * 1000)
        timer.unref()
      },
      async check() {
        const delayMs = throttle.delayFor(ctx.clock.now())
        return { action: throttle.state, delayMs }
      },
      async close() {
        if (timer) clearInterval(timer)
        timer = undefined
        await reader?.close()
        reader = undefined
      },
      metrics(): Record<string, JsonValue> {
        return {
          enabled: true,
          current_state: throttle.state,
          current_rate: throttle.rate,
          backoff_level: throttle.backoffLevel,
          consumer_lag: throttle.lastLag,
          lag_by_group: (lastSnapshot?.byGroup ?? {}) as Record<string, number>,
          rate_adjustments: throttle.adjustments,
          lag_reads: reads,
          last_error: lastError,
          consumer_groups: [...config.consumer_groups],
          target_consumer_lag: config.target_consumer_lag,
          critical_consumer_lag: config.critical_consumer_lag,
          min_send_rate: config.min_send_rate,
          max_send_rate: config.max_send_rate,
        }
      },
    }
  },
})
