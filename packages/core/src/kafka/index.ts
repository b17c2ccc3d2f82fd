/**
 * The Kafka adapter: the {@link KafkaTransport} interface and its client backends (kafkajs, in
 * `kafkajs/`, the only folder that imports a Kafka client), delivery as a state machine
 * (`delivery/`), consumer lag, the compacted cursor topic, and the config they share.
 * @packageDocumentation
 */
export {
  brokerList,
  KafkaSinkConfig,
  kafkaSinkConfigFrom,
  localDeadLetterDirectory,
  resolveKafkaSinkConfig,
  spoolDirectory,
} from './config'
export { KafkaCursorStore, type KafkaCursorStoreOptions } from './cursor-store'
export { Delivery, type DeliveryOptions, type DeliveryResult, type SendMeta } from './delivery/delivery'
export { NOT_STARTED_METRICS, type ProducerMetrics } from './delivery/delivery-metrics'
export type { SpooledBatch, SpoolReason } from './delivery/delivery-spool'
export {
  type DeliveryEvent,
  type DeliveryState,
  DeliveryStateMachine,
  IllegalTransitionError,
  TRANSITIONS,
} from './delivery/delivery-state'
export { DlqRateLimiter, FailureRateGuard, type FailureRateOptions, type PauseEvent } from './delivery/dlq-guards'
export {
  CONTENT_TYPE,
  HEADERS,
  type OutMessage,
  prepareMessages,
  SINK_ERROR_CODES,
  safeJson,
} from './delivery/messages'
export { RetryController } from './delivery/retry-controller'
export {
  type ClientConfig,
  classifyFailure,
  KAFKAJS_RETRY,
  kafkajsClientConfig,
  kafkajsLogCreator,
  saslOptions,
  tlsOptions,
} from './kafkajs'
export {
  createKafkaLagReader,
  type KafkaLagReaderOptions,
  type LagReader,
  type LagSnapshot,
  readLagSnapshot,
} from './lag-reader'
export {
  type ClientSettings,
  resolveClientSettings,
  type SaslSettings,
  type TlsSettings,
} from './client-settings'
export { openGroupMembership } from './group-membership'
export { type KafkaClientName, kafkaBackend, NATIVE_BACKEND_PACKAGE, openKafkaTransport } from './open-transport'
export { createRedactor, REDACTED, type Redactor } from './redact'
export { configSecrets, describeKafkaConfig, redactorFor } from './safe-config'
export type {
  AdminTransport,
  AssignmentChange,
  GroupAssigner,
  GroupDescription,
  GroupMemberDescription,
  GroupMembership,
  GroupMembershipOptions,
  JoiningMember,
  MemberAssignment,
  FailureKind,
  KafkaBackend,
  KafkaFailure,
  KafkaMessage,
  KafkaTransport,
  KafkaTransportOptions,
  ProducerTransport,
  ReadTopicOptions,
  TopicRecord,
  TopicSpec,
} from './transport'
