/**
 * `@firefront/kafka-native`: the native Kafka client backend of Firefront, librdkafka through
 * node-rdkafka. Firefront loads it when the config says `kafka: { client: native }`; install it
 * next to `@firefront/core`.
 * @packageDocumentation
 */
export {
  commonConfig,
  consumerConfig,
  PRODUCER_TUNING,
  type ProducerConfigOptions,
  producerConfig,
  type RdClientConfig,
  securityConfig,
} from './client-config'
export { classifyNativeFailure } from './failure'
export { assertNativeClient, DEBIAN_BUILD_PACKAGES, rdKafkaAvailable } from './load-rdkafka'
export { NativeKafkaError } from './native-error'
export { openNativeTransport } from './native-transport'
export type { RdConfig } from './rdkafka-api'
