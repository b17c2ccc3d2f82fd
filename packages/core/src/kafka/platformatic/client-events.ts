/**
 * @platformatic/kafka reports connections through events rather than a logger: broker
 * connections that fail or close go to the transport's logger at debug level (delivery reports
 * what failed at warn and error), redacted.
 */
import type { Logger } from '@firefront/sdk'
import type { Redactor } from '../redact'

interface BrokerEvent {
  readonly broker?: { readonly host?: unknown; readonly port?: unknown }
}

interface EventSource {
  on(event: string, listener: (payload: BrokerEvent) => void): unknown
}

const EVENTS = {
  'client:broker:failed': 'connection to broker failed',
  'client:broker:disconnect': 'broker connection closed',
} as const

/** Routes a client's broker connection events to `logger` (nothing without one). */
export function logClientEvents(
  client: EventSource,
  role: string,
  logger: Logger | undefined,
  redactor: Redactor,
): void {
  if (!logger) return
  for (const [event, text] of Object.entries(EVENTS)) {
    client.on(event, (payload) => {
      const broker = payload?.broker ? `${String(payload.broker.host)}:${String(payload.broker.port)}` : undefined
      logger.debug(redactor.fields({ kafka_client: role, broker }), `platformatic ${role}: ${text}`)
    })
  }
}
