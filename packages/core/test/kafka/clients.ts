/**
 * The Kafka client backends the tests run against: every one that is installed. Outside CI a
 * backend that is not installed is skipped with its reason; in CI (`CI` set) every backend must
 * be there, since CI installs them all. `FIREFRONT_TEST_KAFKA_CLIENTS=kafkajs,native` narrows it.
 */
import { createRequire } from 'node:module'
import { KAFKA_CLIENTS } from '../../src/config/schema'
import { kafkaBackend } from '../../src/kafka/open-transport'

/** A backend and whether it can run here. */
export interface ClientUnderTest {
  readonly client: (typeof KAFKA_CLIENTS)[number]
  /** Why it cannot run here; undefined when it can. */
  readonly missing?: string
}

const require = createRequire(import.meta.url)

async function missingReason(client: ClientUnderTest['client']): Promise<string | undefined> {
  try {
    if (client === 'platformatic') require.resolve('@platformatic/kafka')
    await kafkaBackend(client)
    return undefined
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

const wanted = (process.env.FIREFRONT_TEST_KAFKA_CLIENTS ?? KAFKA_CLIENTS.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is ClientUnderTest['client'] => (KAFKA_CLIENTS as readonly string[]).includes(s))

/** Every backend wanted, each with the reason it cannot run here (if any). */
export const CLIENTS: readonly ClientUnderTest[] = await Promise.all(
  wanted.map(async (client) => {
    const missing = await missingReason(client)
    if (missing && process.env.CI) throw new Error(`kafka client "${client}" must be installed in CI: ${missing}`)
    return missing ? { client, missing } : { client }
  }),
)
