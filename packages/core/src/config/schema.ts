/**
 * The TypeBox schema of a Firefront config file. Keys are the seed's snake_case ones, so its
 * `stream_config.yaml` stays valid; Firefront's own additions follow the same style.
 * Plugin-specific blocks (`sources.*.config`, `sources.*.ingestion`, `sink.config`) are validated
 * afterwards against the plugin's own `configSchema`.
 */
import { type Static, Type } from '@sinclair/typebox'

const Seconds = (description: string, def: number, minimum = 0) =>
  Type.Number({ minimum, default: def, description })

export const PRIORITY_NAMES = ['critical', 'high', 'normal', 'low'] as const
export const OVERFLOW_STRATEGIES = ['drop_oldest', 'drop_newest', 'block'] as const
export const BUILTIN_MODES = ['batch', 'real_time', 'continuous_streaming'] as const

const StringEnum = <T extends readonly string[]>(values: T, options: { default?: T[number]; description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })

export const SaslConfig = Type.Object(
  {
    mechanism: StringEnum(['plain', 'scram-sha-256', 'scram-sha-512'] as const, { description: 'SASL mechanism' }),
    username: Type.String({ minLength: 1 }),
    password: Type.String({ description: 'secret: never logged' }),
  },
  { additionalProperties: false },
)

export const TlsConfig = Type.Object(
  {
    ca: Type.Optional(Type.String({ description: 'path to a PEM CA bundle' })),
    cert: Type.Optional(Type.String({ description: 'path to a PEM client certificate' })),
    key: Type.Optional(Type.String({ description: 'path to a PEM client key (secret)' })),
    reject_unauthorized: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
)

export const KafkaConfig = Type.Object(
  {
    bootstrap_servers: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
      default: 'localhost:9092',
      description: 'comma-separated host:port list, or a list',
    }),
    client_id: Type.String({ default: 'firefront' }),
    batch_size: Type.Integer({ minimum: 1, maximum: 100000, default: 500, description: 'records per send' }),
    batch_timeout_seconds: Type.Optional(
      Type.Number({ minimum: 0, description: 'send a partial batch after this long (seed 5 s; 1 s by default when a source is real_time)' }),
    ),
    max_retries: Type.Integer({ minimum: 0, maximum: 20, default: 3 }),
    retry_backoff_base: Seconds('first retry delay, doubled each attempt (1, 2, 4 s)', 1),
    retry_backoff_max: Seconds('cap of the retry delay', 30),
    request_timeout_ms: Type.Integer({ minimum: 100, default: 10000 }),
    connection_timeout_ms: Type.Integer({ minimum: 100, default: 3000 }),
    compression: StringEnum(['none', 'gzip'] as const, { default: 'none' }),
    max_message_bytes: Type.Integer({ minimum: 1024, default: 1000000 }),
    topics: Type.Object(
      {
        auto_create: Type.Boolean({ default: true }),
        partitions: Type.Integer({ minimum: 1, default: 3 }),
        replication_factor: Type.Integer({ minimum: 1, default: 1 }),
      },
      { additionalProperties: false, default: {} },
    ),
    ssl: Type.Optional(Type.Union([Type.Boolean(), TlsConfig])),
    sasl: Type.Optional(SaslConfig),
  },
  { additionalProperties: false, default: {} },
)

export const ThrottlingConfig = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    policy: Type.String({ default: 'consumer-lag', description: 'throttle-policy plugin name' }),
    min_send_rate: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'batches per second at the slowest' }),
    max_send_rate: Type.Number({ exclusiveMinimum: 0, default: 100, description: 'batches per second at the fastest' }),
    target_consumer_lag: Type.Integer({ minimum: 0, default: 1000 }),
    critical_consumer_lag: Type.Integer({ minimum: 0, default: 5000 }),
    adjustment_factor: Type.Number({ exclusiveMinimum: 1, default: 1.5 }),
    consumer_groups: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'consumer groups whose lag is watched' }),
    check_interval_seconds: Seconds('how often consumer lag is read', 5, 0.1),
  },
  { additionalProperties: false, default: {} },
)

export const IngestionConfig = Type.Object(
  {
    mode: Type.String({ default: 'real_time', description: 'batch | real_time | continuous_streaming, or an ingestion-mode plugin' }),
  },
  { additionalProperties: true, default: {} },
)

export const SourceConfig = Type.Object(
  {
    source_type: Type.String({ minLength: 1, description: 'e.g. nasa_firms, noaa_weather, iot_mqtt' }),
    connector: Type.Optional(Type.String({ minLength: 1, description: 'connector plugin name; defaults to the one serving source_type' })),
    enabled: Type.Boolean({ default: true }),
    topic: Type.Optional(Type.String({ minLength: 1 })),
    priority: Type.Optional(StringEnum(PRIORITY_NAMES)),
    ingestion: IngestionConfig,
    rate_limit_per_minute: Type.Number({ exclusiveMinimum: 0, default: 60 }),
    timeout_seconds: Seconds('timeout of one poll', 30, 0.001),
    cache_ttl_seconds: Seconds('how long a poll result is reused for the same cursor (0 disables)', 60),
    max_poll_retries: Type.Integer({ minimum: 0, default: 3, description: 'retries of a failed poll within a cycle' }),
    config: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: "the connector's own settings" }),
  },
  { additionalProperties: false },
)

export const SinkConfig = Type.Object(
  {
    type: Type.String({ description: 'kafka | file, or a sink plugin' }),
    config: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
)

export const DlqConfig = Type.Object(
  {
    topic: Type.String({ default: 'firefront-dlq' }),
    max_records_per_minute: Type.Integer({ minimum: 1, default: 10000, description: 'cap on dead-letter volume' }),
    failure_rate_threshold: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'share of failed records over the window above which the stream pauses',
    }),
    window_seconds: Seconds('window of the failure rate', 60, 1),
    pause_seconds: Seconds('how long a stream pauses when the threshold is crossed', 30),
  },
  { additionalProperties: false, default: {} },
)

export const SpoolConfig = Type.Object(
  {
    directory: Type.Optional(Type.String({ description: 'default: <state_dir>/spool' })),
    max_bytes: Type.Integer({ minimum: 1024, default: 1073741824 }),
  },
  { additionalProperties: false, default: {} },
)

export const CursorConfig = Type.Object(
  {
    store: StringEnum(['file', 'kafka'] as const, { default: 'file' }),
    path: Type.Optional(Type.String({ description: 'file store: default <state_dir>/cursors.json' })),
    topic: Type.String({ default: 'firefront-cursors', description: 'kafka store: compacted topic' }),
  },
  { additionalProperties: false, default: {} },
)

export const MetricsConfig = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 9464 }),
  },
  { additionalProperties: false, default: {} },
)

export const FirefrontConfig = Type.Object(
  {
    plugins: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'npm package names or relative paths' }),
    kafka: KafkaConfig,
    throttling: ThrottlingConfig,
    queue_max_size: Type.Integer({ minimum: 1, default: 10000 }),
    queue_overflow_strategy: StringEnum(OVERFLOW_STRATEGIES, { default: 'drop_oldest' }),
    enable_dlq: Type.Boolean({ default: true }),
    priority_sources: Type.Array(Type.String(), { default: [], description: 'source ids whose records are queued as high' }),
    custom_topic_mappings: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: {},
      description: 'source id or source_type → topic',
    }),
    default_topic: Type.String({ default: 'wildfire-default' }),
    sink: Type.Optional(SinkConfig),
    dlq: DlqConfig,
    spool: SpoolConfig,
    cursors: CursorConfig,
    metrics: MetricsConfig,
    state_dir: Type.String({ default: '.firefront', description: 'cursors, spool and DLQ files live here' }),
    shutdown_timeout_seconds: Seconds('bound of a graceful stop', 30, 0),
    log_level: StringEnum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, { default: 'info' }),
    sources: Type.Record(Type.String({ minLength: 1 }), SourceConfig, { default: {} }),
  },
  { additionalProperties: false },
)

/** A loaded, validated config with defaults applied. */
export type FirefrontConfig = Static<typeof FirefrontConfig>
export type SourceConfig = Static<typeof SourceConfig>
export type KafkaConfig = Static<typeof KafkaConfig>
export type ThrottlingConfig = Static<typeof ThrottlingConfig>
export type SinkConfig = Static<typeof SinkConfig>
export type DlqConfig = Static<typeof DlqConfig>
