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
  /** The backend as test names say it (`native, producer process` for a variant). */
  readonly name: string
  /** The `kafka:` keys that pick it (the client, and a variant's own settings). */
  readonly settings: Readonly<Record<string, unknown>>
  /** Why it cannot run here; undefined when it can. */
  readonly missing?: string
}

const require = createRequire(import.meta.url)

async function missingReason(
  client: ClientUnderTest['client'],
  extra: Readonly<Record<string, unknown>> | undefined,
): Promise<string | undefined> {
  try {
    if (client === 'platformatic') require.resolve('@platformatic/kafka')
    await kafkaBackend(client)
    if (extra?.native_producer === 'batch') {
      const batch = (await import('@firefront/rdkafka-batch')) as { addon: unknown; reason?: string }
      if (!batch.addon) return `the batch producer: ${batch.reason}`
    }
    return undefined
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
}

/**
 * The backends; the native one with its batch producer (`native`), and with node-rdkafka's
 * per-record producer in a child process (`native-process`).
 */
const VARIANTS: Readonly<
  Record<string, { client: ClientUnderTest['client']; name: string; extra?: Record<string, unknown> }>
> = {
  ...Object.fromEntries(KAFKA_CLIENTS.map((c) => [c, { client: c, name: c }])),
  native: { client: 'native', name: 'native', extra: { native_producer: 'batch' } },
  'native-process': { client: 'native', name: 'native, producer process', extra: { producer_process: true } },
}

const wanted = (process.env.FIREFRONT_TEST_KAFKA_CLIENTS ?? [...KAFKA_CLIENTS, 'native-process'].join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s in VARIANTS)

/** Every backend wanted, each with the reason it cannot run here (if any). */
export const CLIENTS: readonly ClientUnderTest[] = await Promise.all(
  wanted.map(async (id) => {
    const { client, name, extra } = VARIANTS[id]!
    const missing = await missingReason(client, extra)
    if (missing && process.env.CI) throw new Error(`kafka client "${client}" must be installed in CI: ${missing}`)
    const settings = { client, ...extra }
    return missing ? { client, name, settings, missing } : { client, name, settings }
  }),
)

/** {@link CLIENTS} without the variants: one entry per backend (for what variants do not change). */
export const BACKENDS: readonly ClientUnderTest[] = CLIENTS.filter((c) => c.name === c.client)
