/** The @platformatic/kafka backend of the Kafka adapter. */
import { FirefrontError } from '@firefront/sdk'
import type { KafkaBackend } from '../transport'

/** Opens a {@link KafkaTransport} on @platformatic/kafka. */
export const openPlatformaticTransport: KafkaBackend = async () => {
  throw new FirefrontError('ERR_PLUGIN_NOT_FOUND', 'kafka.client "platformatic" is being added; use kafkajs')
}
