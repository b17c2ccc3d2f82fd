/**
 * The @platformatic/kafka client backend: the only folder that imports @platformatic/kafka.
 * `open-transport.ts` loads it only when `kafka.client` is `platformatic`.
 * @packageDocumentation
 */
export {
  baseOptions,
  MAX_RECORDS_PER_SEND,
  PLATFORMATIC_RETRY,
  retryDelay,
  saslOptions,
  tlsOptions,
} from './client-options'
export { classifyFailure } from './failure'
export { createJavaCompatiblePartitioner, keyHash, murmur2 } from './partitioner'
export { openPlatformaticTransport } from './platformatic-transport'
