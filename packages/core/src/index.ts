/**
 * `@firefront/core`: the Firefront runtime and the `firefront` CLI.
 *
 * The public API, for programs that embed Firefront:
 * - **Running**: {@link StreamManager} (the seed's `StreamManagerV2`: `fromFile`, `start`,
 *   `startStream`, `startAll`, `runOnce`, `stop`, `getMetrics`, `healthCheck`, typed `events`),
 *   {@link StreamManagerV1} (the seed's V1 facade), the typed metrics ({@link RuntimeMetrics})
 *   and the stop report ({@link TeardownReport}).
 * - **Config**: {@link loadConfig} / {@link loadConfigText} (every problem at once, with lines),
 *   the config types and the JSON Schema.
 * - **Plugins**: {@link PluginRegistry}, the built-in plugins, {@link loadDeclaredPlugins}.
 * - **Parts of the seed usable on their own**: {@link PriorityQueue}, {@link FileCursorStore}.
 * - **Kafka client backends**: {@link KafkaBackend}, {@link KafkaTransport} and
 *   {@link resolveClientSettings}, for a package that adds one (`kafka.client: native`).
 * - **Observability**: {@link createLogger}, {@link startMetricsServer}.
 * - **CLI**: {@link main}.
 *
 * Plugin authors compile against `@firefront/sdk`, never against this package.
 * @packageDocumentation
 */

// Running
export { StreamManager, type SendHooks, type StreamManagerOptions } from './runtime/stream-manager'
export { StreamManagerV1, type StreamingConfig } from './runtime/v1-compat'
export { type ManagerMetrics, type RecordTotals, type RuntimeMetrics, recordTotals } from './runtime/metrics'
export type { StreamCounts, StreamMetrics, StreamStatus } from './runtime/stream'
export type { StopFailure, TeardownReport } from './runtime/supervisor'
export { type DropReason, RuntimeEmitter, type RuntimeEvents } from './runtime/events'
export type { ConsumerMetrics } from './runtime/queue-consumer'
export type { TopicChainMetrics } from './runtime/topic-chain'

// Config
export type { Environment } from './config/interpolate'
export { CONFIG_SCHEMA_ID, configJsonSchema, configJsonSchemaText } from './config/json-schema'
export {
  type ConfigFormat,
  type LoadedConfig,
  type LoadOptions,
  type LoadTextOptions,
  type LocatedIssue,
  loadConfig,
  loadConfigText,
  loadValidConfig,
} from './config/load'
export {
  type DlqConfig,
  FirefrontConfig,
  type KafkaConfig,
  type SinkConfig,
  SourceConfig,
  type ThrottlingConfig,
} from './config/schema'
export { REDACTED, redactConfig } from './config/secrets'

// Plugins
export { loadDeclaredPlugins } from './registry/load'
export { PluginRegistry, SUPPORTED_API_VERSIONS, type PluginOrigin, type RegisteredPlugin } from './registry/registry'
export { builtinPlugins, createBuiltinRegistry } from './runtime/builtins'
export { FileSinkConfig, fileSink } from './sinks/file/file-sink'
export { allowAllThrottlePolicy } from './throttle/allow-all'

// Parts of the seed usable on their own
export { DROP_REASONS, QUEUE_DROP_REASONS, type QueueDropReason } from './queue/drop-reasons'
export { OVERFLOW_STRATEGIES } from './queue/overflow'
export { type OverflowStrategy, PriorityQueue, type QueueMetrics } from './queue/priority-queue'
export { type CursorEntry, type CursorStore, FileCursorStore } from './cursors/file-cursor-store'

// Kafka client backends: what a package implementing one (such as @firefront/kafka-native) needs
export {
  type ClientSettings,
  resolveClientSettings,
  type SaslSettings,
  type TlsSettings,
} from './kafka/client-settings'
export type { Redactor } from './kafka/redact'
export type {
  FailureKind,
  KafkaBackend,
  KafkaFailure,
  KafkaMessage,
  KafkaTransport,
  KafkaTransportOptions,
  ReadTopicOptions,
  TopicRecord,
  TopicSpec,
  Transaction,
  TransactionalProducer,
} from './kafka/transport'

// Observability
export { createLogger, type LoggerOptions } from './observability/logger'
export {
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
  startMetricsServer,
} from './observability/metrics-server'
export {
  type MetricType,
  RUNTIME_METRICS,
  type RuntimeMetricSpec,
  type RuntimeMetricsSource,
  registerRuntimeMetrics,
} from './observability/runtime-metrics'
export type { DetectionPoint } from './observability/status/detections'
export type { HistorySample, SourceSample } from './observability/status/history'
export type { StatusReport, StreamStatusLine } from './observability/status/report'

// CLI
export { main } from './cli/main'
