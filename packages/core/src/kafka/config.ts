/**
 * The kafka sink's config: the config file's `kafka:`, `dlq:`, `spool:` and `enable_dlq` blocks
 * plus `state_dir`, gathered into one object, and a few tunables of the sink's own.
 */
import { join, resolve } from 'node:path'
import { Duration, type Static, Type, validateConfig } from '@firefront/sdk'
import { ConfigValidationError } from '@firefront/sdk'
import { DlqConfig, type FirefrontConfig, KafkaConfig, SpoolConfig } from '../config/schema'

/** Config of the `kafka` sink plugin. Every block has defaults, so `{}` is a valid config. */
export const KafkaSinkConfig = Type.Object(
  {
    kafka: KafkaConfig,
    enable_dlq: Type.Boolean({ default: true, description: 'dead-letter records Kafka refuses instead of failing' }),
    dlq: DlqConfig,
    spool: SpoolConfig,
    state_dir: Type.String({
      default: '.firefront',
      description: 'the spool and the local dead-letter file live here',
    }),
    idempotent: Type.Boolean({ default: true, description: 'idempotent producer (acks all, one request in flight)' }),
    failure_rate_min_records: Type.Integer({
      minimum: 1,
      default: 20,
      description: 'records needed in the window before dlq.failure_rate_threshold can pause sending',
    }),
    spool_segment_bytes: Type.Optional(Type.Integer({ minimum: 1024, description: 'size of one spool segment file' })),
    close_timeout_seconds: Duration.seconds({
      minimum: 0,
      default: 10,
      description: 'how long close() tries to drain the spool before leaving it for the next start',
    }),
  },
  { additionalProperties: false },
)

/** The kafka sink's config, defaults applied. */
export type KafkaSinkConfig = Static<typeof KafkaSinkConfig>

/** Tunables a config file may set under `sink.config` when `sink.type` is `kafka`. */
const SINK_TUNABLES = [
  'idempotent',
  'failure_rate_min_records',
  'spool_segment_bytes',
  'close_timeout_seconds',
] as const

/**
 * Maps a loaded config file onto the kafka sink's config: its `kafka`, `dlq`, `spool`,
 * `enable_dlq` and `state_dir`, plus the sink's tunables from `sink.config` when `sink.type` is
 * `kafka`. The result still goes through the plugin's `configSchema` (defaults, checks).
 *
 * @example
 * ```ts
 * const sink = await registry.createSink('kafka', kafkaSinkConfigFrom(config), ctx)
 * ```
 */
export function kafkaSinkConfigFrom(config: FirefrontConfig): KafkaSinkConfig {
  const tunables: Record<string, unknown> = {}
  if (config.sink?.type === 'kafka') {
    for (const key of SINK_TUNABLES) if (key in config.sink.config) tunables[key] = config.sink.config[key]
  }
  return resolveKafkaSinkConfig({
    kafka: config.kafka,
    dlq: config.dlq,
    spool: config.spool,
    enable_dlq: config.enable_dlq,
    state_dir: config.state_dir,
    ...tunables,
  })
}

/**
 * Applies defaults to a partial kafka sink config and checks it; throws
 * {@link ConfigValidationError} listing every problem.
 */
export function resolveKafkaSinkConfig(input: unknown): KafkaSinkConfig {
  const result = validateConfig(KafkaSinkConfig, input, 'sink.config')
  if (!result.ok) throw new ConfigValidationError(result.issues, 'ERR_PLUGIN_CONFIG')
  return result.value
}

/** The spool's folder: `spool.directory`, or `<state_dir>/spool`. */
export function spoolDirectory(config: KafkaSinkConfig): string {
  return resolve(config.spool.directory ?? join(config.state_dir, 'spool'))
}

/**
 * The local dead-letter folder, `<state_dir>/dead-letter`: records that neither their topic nor
 * the dead-letter topic accepts (DLQ disabled, or larger than the broker takes) are kept here.
 */
export function localDeadLetterDirectory(config: KafkaSinkConfig): string {
  return resolve(join(config.state_dir, 'dead-letter'))
}

/** The bootstrap servers as a list. */
export function brokerList(config: KafkaSinkConfig['kafka']): string[] {
  const raw = Array.isArray(config.bootstrap_servers) ? config.bootstrap_servers : [config.bootstrap_servers]
  return raw
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/**
 * Batches in flight per topic when `kafka.max_in_flight_batches` is not set, for a client that
 * keeps order across sends in flight (the native one). Measured through `firefront run --once`
 * with the native client (docs/performance.md): 1 → 2 batches of 500 is most of the gain.
 */
export const DEFAULT_IN_FLIGHT_BATCHES = 4

/**
 * How many batches delivery keeps in flight per topic: `kafka.max_in_flight_batches` (or
 * {@link DEFAULT_IN_FLIGHT_BATCHES}), never more than the transport keeps in order (1 unless it
 * says otherwise).
 */
export function inFlightBatches(
  kafka: Pick<KafkaSinkConfig['kafka'], 'max_in_flight_batches'>,
  transport: { readonly maxInFlightBatches?: number },
): number {
  const wanted = kafka.max_in_flight_batches ?? DEFAULT_IN_FLIGHT_BATCHES
  return Math.max(1, Math.min(wanted, transport.maxInFlightBatches ?? 1))
}
