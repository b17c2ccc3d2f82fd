/**
 * Kafka delivery: the `kafka` sink plugin, its producer wrapper (retries, dead-letter topic,
 * disk spool, topics, metrics) and the dead-letter inspection behind `firefront dlq`.
 * kafkajs is imported in this folder only.
 * @packageDocumentation
 */
export {
  type ClientConfig,
  configSecrets,
  describeKafkaConfig,
  KAFKAJS_RETRY,
  kafkajsClientConfig,
  kafkajsLogCreator,
  saslOptions,
  tlsOptions,
} from './client-options'
export {
  brokerList,
  KafkaSinkConfig,
  kafkaSinkConfigFrom,
  localDeadLetterDirectory,
  resolveKafkaSinkConfig,
  spoolDirectory,
} from './config'
export {
  type DlqFilter,
  type DlqInspection,
  type DlqRecordSummary,
  type DlqReplayResult,
  inspectDlq,
  replayDlq,
} from './dlq-inspect'
export { DlqRateLimiter, FailureRateGuard, type FailureRateOptions, type PauseEvent } from './dlq-guards'
export { classifyFailure, type FailureKind, type KafkaFailure } from './failure'
export { createKafkaSink, hasEnsureTopics, type KafkaSinkDeps, type KafkaSinkInstance, kafkaSink } from './kafka-sink'
export {
  CONTENT_TYPE,
  HEADERS,
  type OutMessage,
  prepareMessages,
  SINK_ERROR_CODES,
  safeJson,
} from './messages'
export {
  type DeliveryResult,
  type ProducerMetrics,
  ProducerWrapper,
  type ProducerWrapperOptions,
  type SendMeta,
  type SpooledBatch,
  type SpoolReason,
} from './producer-wrapper'
export { createRedactor, REDACTED, type Redactor } from './redact'
export { RetryController } from './retry-controller'
export { createKafkajsTransport, type KafkaTransport } from './transport'
export { createKafkaLagReader, type KafkaLagReaderOptions, type LagReader, type LagSnapshot } from './lag-reader'
