import type { TSchema } from '@sinclair/typebox'
import type { FetchFn } from '../context'
import { PLUGIN_API_VERSION, isBranded, manifestProblems, type Plugin } from '../define'
import { FirefrontError } from '../errors'
import type { Cursor } from '../record'
import { validateConfig } from '../validate'
import { recordProblems } from './check-record'
import { createFakeContext } from './fake-context'

/** Options of {@link checkConnectorContract}. */
export interface ConnectorContractOptions {
  /** A config the schema must accept; used for the behavioural checks. */
  readonly validConfig: unknown
  /** Configs the schema must reject, each one. */
  readonly invalidConfigs?: readonly unknown[]
  /** HTTP the connector uses during the checks (a fake, or a real fetch to a local server). */
  readonly fetch?: FetchFn
  /** A cursor to resume from; the connector must accept it. Defaults to the cursor of the first poll. */
  readonly resumeCursor?: Cursor
  /** How long an aborted poll or subscription may take to end. Default 2000 ms. */
  readonly abortWithinMs?: number
}

/** Thrown by {@link checkConnectorContract} with every failed check. */
export class ContractError extends FirefrontError {
  readonly failures: readonly string[]

  constructor(plugin: string, failures: readonly string[]) {
    super(
      'ERR_PLUGIN_INVALID',
      `${plugin} breaks the connector contract:\n${failures.map((f) => `  - ${f}`).join('\n')}`,
    )
    this.failures = failures
  }
}

const within = async <T>(promise: Promise<T>, ms: number): Promise<'settled' | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  const settled = promise.then(
    () => 'settled' as const,
    () => 'settled' as const,
  )
  const result = await Promise.race([settled, timeout])
  clearTimeout(timer)
  return result
}

/**
 * Checks that a connector keeps the SDK's contract: manifest and brand valid, schema accepts the
 * valid config and rejects each invalid one, records are well-formed, the cursor is JSON and can be
 * resumed from, an aborted poll or subscription ends promptly, and `close` is idempotent.
 * Resolves when every check passes; otherwise throws a {@link ContractError} listing each failure.
 * Needs no test runner: call it from any test framework.
 */
export async function checkConnectorContract<S extends TSchema>(
  plugin: Plugin<'connector', S>,
  options: ConnectorContractOptions,
): Promise<void> {
  const failures: string[] = []
  const name = `connector:${(plugin as { name?: string }).name ?? '?'}`
  failures.push(...manifestProblems(plugin).map((p) => `manifest: ${p}`))
  if (!isBranded(plugin)) failures.push('manifest: not branded; make it with defineConnector()')
  if (plugin.kind !== 'connector')
    failures.push(`manifest: kind is ${JSON.stringify(plugin.kind)}, expected "connector"`)
  if (plugin.apiVersion !== PLUGIN_API_VERSION)
    failures.push(`manifest: apiVersion ${plugin.apiVersion}, this SDK writes ${PLUGIN_API_VERSION}`)
  if (failures.length > 0) throw new ContractError(name, failures)

  const valid = validateConfig(plugin.configSchema, options.validConfig)
  if (!valid.ok) {
    failures.push(`schema rejects validConfig: ${valid.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
    throw new ContractError(name, failures)
  }
  for (const [i, bad] of (options.invalidConfigs ?? []).entries()) {
    if (validateConfig(plugin.configSchema, bad).ok)
      failures.push(`schema accepts invalidConfigs[${i}]: ${JSON.stringify(bad)}`)
  }

  const abortMs = options.abortWithinMs ?? 2000
  const fake = createFakeContext({ id: `${name}#contract`, fetch: options.fetch })
  const instance = await plugin.create(valid.value, fake.ctx)
  if (instance.mode !== 'pull' && instance.mode !== 'push') {
    failures.push(
      `create returned mode ${JSON.stringify((instance as { mode?: unknown }).mode)}, expected "pull" or "push"`,
    )
    throw new ContractError(name, failures)
  }
  try {
    await instance.start?.()
    if (instance.mode === 'pull') {
      const first = await instance
        .poll({ cursor: undefined, signal: new AbortController().signal })
        .catch((err: unknown) => {
          failures.push(`poll without a cursor threw: ${(err as Error).message}`)
          return undefined
        })
      if (first) {
        if (!Array.isArray(first.records)) failures.push('poll returned no records array')
        else for (const [i, r] of first.records.entries()) failures.push(...recordProblems(r, `records[${i}]`))
        if (first.cursor !== undefined) {
          try {
            JSON.parse(JSON.stringify(first.cursor))
          } catch {
            failures.push('the cursor is not JSON-serialisable')
          }
        }
        const resume = options.resumeCursor ?? first.cursor
        if (resume !== undefined) {
          await instance.poll({ cursor: resume, signal: new AbortController().signal }).catch((err: unknown) => {
            failures.push(`poll resuming from cursor ${JSON.stringify(resume)} threw: ${(err as Error).message}`)
          })
        }
      }
      const aborted = new AbortController()
      aborted.abort(new Error('contract check'))
      if ((await within(instance.poll({ cursor: undefined, signal: aborted.signal }), abortMs)) === 'timeout') {
        failures.push(`poll with an aborted signal did not settle within ${abortMs} ms`)
      }
    } else {
      const controller = new AbortController()
      const subscribed = instance.subscribe(async () => {}, controller.signal)
      setTimeout(() => controller.abort(new Error('contract check')), 50)
      if ((await within(subscribed, abortMs + 50)) === 'timeout') {
        failures.push(`subscribe did not end within ${abortMs} ms of its signal aborting`)
      }
    }
  } catch (err) {
    failures.push(`start threw: ${(err as Error).message}`)
  } finally {
    fake.abort()
    try {
      await instance.close?.()
      await instance.close?.()
    } catch (err) {
      failures.push(`close is not idempotent: ${(err as Error).message}`)
    }
  }
  if (failures.length > 0) throw new ContractError(name, failures)
}
