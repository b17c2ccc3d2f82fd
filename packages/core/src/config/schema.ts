/**
 * The TypeBox schema of a Firefront config file. Keys are the seed's snake_case ones, so its
 * `stream_config.yaml` stays valid; Firefront's own additions follow the same style.
 * Plugin-specific blocks (`sources.*.config`, `sources.*.ingestion`, `sink.config`) are validated
 * afterwards against the plugin's own `configSchema`.
 *
 * Every key carries a `description`: `firefront schema` and docs/configuration.md are generated
 * from them.
 */
import { ContentRule } from '@firefront/topic-resolvers'
import { Duration, FilePath, PRIORITIES } from '@firefront/sdk'
import { type Static, type TLiteral, Type } from '@sinclair/typebox'
import { OVERFLOW_STRATEGIES } from '../queue/overflow'

// Every duration is bounded to what Node's timers can honour (about 24.8 days).
const Seconds = (description: string, def: number, minimum = 0) =>
  Duration.seconds({ minimum, default: def, description })

export const BUILTIN_MODES = ['batch', 'real_time', 'continuous_streaming'] as const

// A union of literals, so TypeBox checks it natively (Value.Check/Errors throw on an Unsafe
// `enum`). `firefront schema` prints such a union as `{ type: 'string', enum: [...] }`.
/** The delivery guarantees `delivery` may name. */
export const DELIVERY_GUARANTEES = ['at_least_once', 'exactly_once'] as const

/** The Kafka client backends `kafka.client` may name. */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic', 'native'] as const

const StringEnum = <T extends readonly string[]>(
  values: T,
  options: { default?: T[number]; description?: string } = {},
) => Type.Union(values.map((value) => Type.Literal(value)) as TLiteral<T[number]>[], options)

export const SaslConfig = Type.Object(
  {
    mechanism: StringEnum(['plain', 'scram-sha-256', 'scram-sha-512'] as const, { description: 'SASL mechanism' }),
    username: Type.String({ minLength: 1, description: 'SASL user name' }),
    password: Type.String({ description: 'SASL password (secret: never logged)' }),
  },
  { additionalProperties: false, description: 'SASL authentication with the brokers' },
)

export const TlsConfig = Type.Object(
  {
    ca: Type.Optional(FilePath({ description: 'path to a PEM CA bundle (relative to the config file)' })),
    cert: Type.Optional(FilePath({ description: 'path to a PEM client certificate (relative to the config file)' })),
    key: Type.Optional(FilePath({ description: 'path to a PEM client key (secret; relative to the config file)' })),
    reject_unauthorized: Type.Boolean({
      default: true,
      description: 'refuse brokers whose certificate the CA does not vouch for',
    }),
  },
  { additionalProperties: false },
)

export const KafkaConfig = Type.Object(
  {
    bootstrap_servers: Type.Union(
      [Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })],
      {
        default: 'localhost:9092',
        description: 'comma-separated host:port list, or a list',
      },
    ),
    client: StringEnum(KAFKA_CLIENTS, {
      default: 'kafkajs',
      description:
        'Kafka client library: kafkajs (pure JS, the default), platformatic (@platformatic/kafka, pure JS, faster) or native (librdkafka through the optional @firefront/kafka-native package, fastest)',
    }),
    client_id: Type.String({ default: 'firefront', description: 'Kafka client id (shows in broker logs and quotas)' }),
    batch_size: Type.Integer({ minimum: 1, maximum: 100000, default: 500, description: 'records per send' }),
    batch_timeout_seconds: Type.Optional(
      Duration.seconds({
        minimum: 0,
        description: 'send a partial batch after this long (seed 5 s; 1 s by default when a source is real_time)',
      }),
    ),
    max_in_flight_batches: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 16,
        description:
          'batches sent to one topic before the first is acknowledged, in order; more than 1 only with the native client (its default: 4; the others: 1)',
      }),
    ),
    native_producer: StringEnum(['auto', 'batch', 'node-rdkafka'] as const, {
      default: 'auto',
      description:
        'native client only: how records reach librdkafka: batch (the @firefront/rdkafka-batch addon, one call per batch), node-rdkafka (one call and one delivery report per record), or auto (batch where the addon is built, else node-rdkafka)',
    }),
    producer_process: Type.Boolean({
      default: false,
      description:
        "native client only: run node-rdkafka's per-record producer in a child process (the batch producer makes this unnecessary; auto then picks node-rdkafka)",
    }),
    max_retries: Type.Integer({
      minimum: 0,
      maximum: 20,
      default: 3,
      description: 'send attempts after the first before a batch goes to the dead-letter topic',
    }),
    retry_backoff_base: Seconds('first retry delay, doubled each attempt (1, 2, 4 s)', 1),
    retry_backoff_max: Seconds('cap of the retry delay', 30),
    request_timeout_ms: Duration.milliseconds({
      minimum: 100,
      default: 10000,
      description: 'how long a produce or admin request may take',
    }),
    connection_timeout_ms: Duration.milliseconds({
      minimum: 100,
      default: 3000,
      description: 'how long connecting to a broker may take',
    }),
    compression: StringEnum(['none', 'gzip'] as const, {
      default: 'none',
      description: 'compression of produced batches',
    }),
    max_message_bytes: Type.Integer({
      minimum: 1024,
      default: 1000000,
      description: 'largest record value sent; a larger one goes to the dead-letter topic',
    }),
    topics: Type.Object(
      {
        auto_create: Type.Boolean({ default: true, description: 'create missing topics at start' }),
        partitions: Type.Integer({ minimum: 1, default: 3, description: 'partitions of a created topic' }),
        replication_factor: Type.Integer({
          minimum: 1,
          default: 1,
          description: 'replication factor of a created topic',
        }),
      },
      { additionalProperties: false, default: {}, description: 'topics Firefront creates' },
    ),
    ssl: Type.Optional(
      Type.Union([Type.Boolean(), TlsConfig], {
        description: 'TLS to the brokers: true, or CA and client certificate files',
      }),
    ),
    sasl: Type.Optional(SaslConfig),
  },
  { additionalProperties: false, default: {}, description: 'the Kafka cluster records are sent to' },
)

export const ThrottlingConfig = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'slow sending down when consumers lag' }),
    policy: Type.String({ default: 'consumer-lag', description: 'throttle-policy plugin name' }),
    min_send_rate: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'batches per second at the slowest' }),
    max_send_rate: Type.Number({ exclusiveMinimum: 0, default: 100, description: 'batches per second at the fastest' }),
    target_consumer_lag: Type.Integer({
      minimum: 0,
      default: 1000,
      description: 'lag (messages) above which sending slows',
    }),
    critical_consumer_lag: Type.Integer({
      minimum: 0,
      default: 5000,
      description: 'lag (messages) above which sending backs off hard',
    }),
    adjustment_factor: Type.Number({
      exclusiveMinimum: 1,
      default: 1.5,
      description: 'factor by which the send rate falls and recovers',
    }),
    consumer_groups: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'consumer groups whose lag is watched',
    }),
    check_interval_seconds: Seconds('how often consumer lag is read', 5, 0.1),
    max_backoff_seconds: Seconds('cap of the extra wait between batches while lag stays critical', 60),
  },
  { additionalProperties: false, default: {}, description: 'lag-aware throttling of the send rate' },
)

export const IngestionConfig = Type.Object(
  {
    mode: Type.String({
      default: 'real_time',
      description: 'batch | real_time | continuous_streaming, or an ingestion-mode plugin',
      examples: [...BUILTIN_MODES],
    }),
  },
  {
    additionalProperties: true,
    default: {},
    description:
      "how the source is polled; the other keys (polling_interval_seconds, buffer_size, ...) belong to the mode's own schema",
  },
)

export const SourceConfig = Type.Object(
  {
    source_type: Type.String({ minLength: 1, description: 'e.g. nasa_firms, noaa_weather, iot_mqtt' }),
    connector: Type.Optional(
      Type.String({ minLength: 1, description: 'connector plugin name; defaults to the one serving source_type' }),
    ),
    enabled: Type.Boolean({ default: true, description: 'a disabled source is validated but not run' }),
    topic: Type.Optional(
      Type.String({ minLength: 1, description: "the source's Kafka topic; otherwise the topic resolvers choose" }),
    ),
    priority: Type.Optional(StringEnum(PRIORITIES, { description: "queue priority of the source's records" })),
    ingestion: IngestionConfig,
    rate_limit_per_minute: Type.Number({
      exclusiveMinimum: 0,
      default: 60,
      description: 'API calls per minute at most',
    }),
    timeout_seconds: Seconds('timeout of one poll', 30, 0.001),
    cache_ttl_seconds: Seconds('how long a poll result is reused for the same cursor (0 disables)', 60),
    max_poll_retries: Type.Integer({ minimum: 0, default: 3, description: 'retries of a failed poll within a cycle' }),
    // Optional (defaulted where it is read) so configs built in code without it stay valid.
    max_retry_after_seconds: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 86_400,
        default: 300,
        description:
          'longest Retry-After wait honoured before a retry; a remote asking for longer fails the poll at once, and the source is tried again at its next scheduled poll (with --once, at the next run)',
      }),
    ),
    journal: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean({
            default: true,
            description:
              'push sources (MQTT): write each record to <state_dir>/journal/<source>.jsonl before the message is acknowledged upstream, and send what was not delivered yet at the next start, so a killed process loses nothing it acknowledged',
          }),
          fsync: Type.Boolean({
            default: false,
            description:
              'flush every journal write to the disk: also survives a power loss of the host, at one disk flush per message',
          }),
        },
        {
          additionalProperties: false,
          default: {},
          description: "a push source's intake journal (pull sources have their cursor instead and ignore it)",
        },
      ),
    ),
    config: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: "the connector's own settings" }),
  },
  { additionalProperties: false },
)

export const SinkConfig = Type.Object(
  {
    type: Type.String({ description: 'kafka | file, or a sink plugin' }),
    config: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: "the sink's own settings" }),
  },
  {
    additionalProperties: false,
    description: 'where records go; default: kafka when a kafka: block is present, else file',
  },
)

export const DlqConfig = Type.Object(
  {
    topic: Type.String({ default: 'firefront-dlq', description: 'dead-letter topic' }),
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
  { additionalProperties: false, default: {}, description: 'the dead-letter queue (when enable_dlq is true)' },
)

export const SpoolConfig = Type.Object(
  {
    directory: Type.Optional(FilePath({ description: 'default: <state_dir>/spool (relative to the config file)' })),
    max_bytes: Type.Integer({ minimum: 1024, default: 1073741824, description: 'size cap of the spool' }),
  },
  { additionalProperties: false, default: {}, description: 'the on-disk spool that holds batches while Kafka is down' },
)

export const CursorConfig = Type.Object(
  {
    store: StringEnum(['file', 'kafka'] as const, { default: 'file', description: 'where source cursors are kept' }),
    path: Type.Optional(
      FilePath({ description: 'file store: default <state_dir>/cursors.json (relative to the config file)' }),
    ),
    topic: Type.String({ default: 'firefront-cursors', description: 'kafka store: compacted topic' }),
  },
  { additionalProperties: false, default: {}, description: 'where the position of each pull source is committed' },
)

export const MetricsConfig = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'serve /metrics (Prometheus), /health and the status page' }),
    host: Type.String({ default: '127.0.0.1', description: 'address the HTTP server listens on' }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 9464,
      description: 'port of the HTTP server (0: any free port)',
    }),
  },
  { additionalProperties: false, default: {}, description: 'the metrics and health HTTP server' },
)

export const ClusterConfig = Type.Object(
  {
    group_id: Type.String({
      minLength: 1,
      pattern: '^[A-Za-z0-9._-]+$',
      description:
        "the Kafka consumer group the workers share; every process with this group_id runs a share of the sources, and must run the same config file. Also the prefix of each source's stable identity <group_id>.<source_id>",
    }),
    worker_id: Type.Optional(
      Type.String({
        minLength: 1,
        pattern: '^[A-Za-z0-9._-]+$',
        description:
          "this process's name in the group (default: <hostname>-<pid>); its state (spool, dead-letter files) lives under <state_dir>/workers/<worker_id>, so a stable one (systemd %i, a StatefulSet pod name) lets a restarted worker pick its spool up again",
      }),
    ),
    session_timeout_seconds: Duration.seconds({
      minimum: 6,
      maximum: 300,
      default: 10,
      description:
        "how long the group waits for a silent worker (killed, partitioned) before its sources move to the others; at least 6 s, the broker's default group.min.session.timeout.ms",
    }),
    heartbeat_interval_seconds: Duration.seconds({
      minimum: 0.1,
      maximum: 100,
      default: 3,
      description:
        'how often a worker tells the group it is alive; also how fast it notices a rebalance. Below session_timeout_seconds (a third of it or less is usual)',
    }),
    assignment_topic: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'the internal topic whose partitions stand for the sources (partition i is the i-th enabled source by id); default <group_id>.firefront-assignments',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      "run the sources across several processes: Kafka's consumer group protocol assigns each source to one worker (see docs/scaling.md); needs cursors.store: kafka",
  },
)

export const FirefrontConfig = Type.Object(
  {
    plugins: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'npm package names or relative paths',
    }),
    kafka: KafkaConfig,
    throttling: ThrottlingConfig,
    queue_max_size: Type.Integer({
      minimum: 1,
      default: 10000,
      description: 'records the priority queue holds at most',
    }),
    queue_overflow_strategy: StringEnum(OVERFLOW_STRATEGIES, {
      default: 'drop_oldest',
      description: 'what a full queue does: drop its oldest record, refuse the new one, or make the source wait',
    }),
    enable_dlq: Type.Boolean({
      default: true,
      description: 'send batches that still fail after max_retries to the dead-letter topic',
    }),
    priority_sources: Type.Array(Type.String(), {
      default: [],
      description: 'source ids whose records are queued as high',
    }),
    custom_topic_mappings: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: {},
      description: 'source id or source_type → topic',
    }),
    topic_rules: Type.Array(ContentRule, {
      default: [],
      description:
        'content rules, tried after custom_topic_mappings: the first rule whose field matches (equals, in, matches, min) picks the topic',
    }),
    topic_resolvers: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'a topic-resolver plugin' }),
          config: Type.Record(Type.String(), Type.Unknown(), {
            default: {},
            description: "the resolver's own settings",
          }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'topic-resolver plugins tried after topic_rules, in order' },
    ),
    default_topic: Type.String({ default: 'wildfire-default', description: 'topic used when no resolver chooses one' }),
    sink: Type.Optional(SinkConfig),
    delivery: StringEnum(DELIVERY_GUARANTEES, {
      default: 'at_least_once',
      description:
        'at_least_once: records may repeat after a crash, never lost; exactly_once: each poll of a pull source and its cursor are written in one Kafka transaction (needs the kafka sink and cursors.store: kafka; consumers read with isolation.level=read_committed)',
    }),
    dlq: DlqConfig,
    spool: SpoolConfig,
    cursors: CursorConfig,
    cluster: Type.Optional(ClusterConfig),
    metrics: MetricsConfig,
    state_dir: FilePath({
      default: '.firefront',
      description: 'cursors, spool and DLQ files live here (relative to the config file, not the current directory)',
    }),
    shutdown_timeout_seconds: Seconds('bound of a graceful stop', 30, 0),
    log_level: StringEnum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, {
      default: 'info',
      description: 'pino log level',
    }),
    sources: Type.Record(Type.String({ minLength: 1 }), SourceConfig, {
      default: {},
      description: 'the data sources, by source id',
    }),
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
export type ClusterConfig = Static<typeof ClusterConfig>
