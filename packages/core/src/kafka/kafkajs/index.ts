/**
 * The kafkajs client backend: the only folder that imports kafkajs.
 * @packageDocumentation
 */
export {
  type ClientConfig,
  configSecrets,
  describeKafkaConfig,
  KAFKAJS_RETRY,
  kafkajsClientConfig,
  kafkajsLogCreator,
  redactorFor,
  saslOptions,
  tlsOptions,
} from './client-options'
export { classifyFailure } from './failure'
export { openKafkajsTransport } from './kafkajs-transport'
export { openKafkajsGroupMembership } from './group-membership'
