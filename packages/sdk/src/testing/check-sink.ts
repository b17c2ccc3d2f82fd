import type { TSchema } from '@sinclair/typebox'
import { isBranded, manifestProblems, type Plugin } from '../define'
import type { SinkBatch, SinkRecord } from '../instances'
import { validateConfig } from '../validate'
import { ContractError } from './check-connector'
import { createFakeContext } from './fake-context'

/** Options of {@link checkSinkContract}. */
export interface SinkContractOptions {
  /** A config the schema must accept; the sink is created with it. */
  readonly validConfig: unknown
  /** Configs the schema must reject, each one. */
  readonly invalidConfigs?: readonly unknown[]
  /** The batch sent during the check; default three small JSON records to topic `contract-check`. */
  readonly batch?: SinkBatch
}

const sample = (): SinkBatch => {
  const record = (n: number): SinkRecord => ({
    key: `k${n}`,
    value: { n },
    sourceId: 'contract',
    sourceType: 'contract',
    priority: 'normal',
    ingestedAt: new Date().toISOString(),
  })
  return {
    topic: 'contract-check',
    sourceId: 'contract',
    sourceType: 'contract',
    records: [record(1), record(2), record(3)],
  }
}

/**
 * Checks that a sink keeps the SDK's contract: manifest and brand valid, schema accepts the valid
 * config and rejects each invalid one, `start` works, `send` accounts for every record of a batch
 * (`delivered + deadLettered + spooled` equals its size), `flush` resolves, and `close` is
 * idempotent. Throws a {@link ContractError} listing each failure.
 */
export async function checkSinkContract<S extends TSchema>(
  plugin: Plugin<'sink', S>,
  options: SinkContractOptions,
): Promise<void> {
  const name = `sink:${(plugin as { name?: string }).name ?? '?'}`
  const failures: string[] = manifestProblems(plugin).map((p) => `manifest: ${p}`)
  if (!isBranded(plugin)) failures.push('manifest: not branded; make it with defineSink()')
  if (plugin.kind !== 'sink') failures.push(`manifest: kind is ${JSON.stringify(plugin.kind)}, expected "sink"`)
  if (failures.length > 0) throw new ContractError(name, failures)
  const valid = validateConfig(plugin.configSchema, options.validConfig)
  if (!valid.ok)
    throw new ContractError(name, [
      `schema rejects validConfig: ${valid.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    ])
  for (const [i, bad] of (options.invalidConfigs ?? []).entries()) {
    if (validateConfig(plugin.configSchema, bad).ok)
      failures.push(`schema accepts invalidConfigs[${i}]: ${JSON.stringify(bad)}`)
  }
  const fake = createFakeContext({ id: `${name}#contract` })
  const sink = await plugin.create(valid.value, fake.ctx)
  if (typeof sink.send !== 'function') throw new ContractError(name, [...failures, 'create returned no send()'])
  try {
    await sink.start?.()
    const batch = options.batch ?? sample()
    const result = await sink.send(batch)
    const counted = result.delivered + result.deadLettered + result.spooled
    if (counted !== batch.records.length) {
      failures.push(
        `send accounted for ${counted} of ${batch.records.length} records (delivered ${result.delivered}, dead-lettered ${result.deadLettered}, spooled ${result.spooled})`,
      )
    }
    await sink.flush?.()
  } catch (err) {
    failures.push(`start, send or flush threw: ${(err as Error).message}`)
  } finally {
    fake.abort()
    try {
      await sink.close?.()
      await sink.close?.()
    } catch (err) {
      failures.push(`close is not idempotent: ${(err as Error).message}`)
    }
  }
  if (failures.length > 0) throw new ContractError(name, failures)
}
