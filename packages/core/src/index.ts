/**
 * `@firefront/core`: the Firefront runtime — config, registry, StreamManager, queue, modes,
 * throttling, sinks, cursors, metrics — and the `firefront` CLI.
 * @packageDocumentation
 */
export * from './config'
export { FileCursorStore, type CursorEntry, type CursorStore } from './cursors/file-cursor-store'
export { createLogger, type LoggerOptions } from './observability/logger'
export { startMetricsServer, type MetricsServer } from './observability/metrics-server'
export {
  DROP_REASONS,
  type DropReason as RuntimeDropReason,
  QUEUE_DROP_REASONS,
  type QueueDropReason,
} from './queue/drop-reasons'
export { OVERFLOW_STRATEGIES } from './queue/overflow'
export { PriorityQueue, type QueueMetrics, type OverflowStrategy } from './queue/priority-queue'
export { checkPlugins, registryFor } from './registry/check'
export { loadDeclaredPlugins } from './registry/load'
export { planOutputs, planRuntime, planSource, type RuntimePlan } from './registry/plan'
export { PluginRegistry, SUPPORTED_API_VERSIONS, type PluginOrigin, type RegisteredPlugin } from './registry/registry'
export { builtinPlugins, createBuiltinRegistry } from './runtime/builtins'
export { RuntimeEmitter, type DropReason, type RuntimeEvents } from './runtime/events'
export { type SendHooks, StreamManager, type StreamManagerOptions } from './runtime/stream-manager'
export { StreamManagerV1, type StreamingConfig } from './runtime/v1-compat'
export { fileSink, FileSinkConfig } from './sinks/file/file-sink'
export { allowAllThrottlePolicy } from './throttle/allow-all'
export { main } from './cli/main'
