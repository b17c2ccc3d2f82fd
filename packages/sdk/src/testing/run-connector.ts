import type { TSchema } from '@sinclair/typebox'
import type { CapturedLog } from './fake-context'
import { createFakeContext } from './fake-context'
import type { FetchFn, RejectedInput } from '../context'
import type { Plugin } from '../define'
import { errorCode, FirefrontError } from '../errors'
import type { Cursor, SourceInfo, SourceRecord } from '../record'
import { validateConfig } from '../validate'

/** When {@link runConnector} stops. Whichever limit is reached first wins. */
export interface RunUntil {
  /** Stop once at least this many records were collected. */
  readonly records?: number
  /** Stop after this many polls (pull connectors). Default 1 when nothing else is given. */
  readonly polls?: number
  /** Stop after this many milliseconds. */
  readonly ms?: number
}

/** Options of {@link runConnector}. */
export interface RunConnectorOptions {
  /** The connector's config block; validated against its schema, defaults applied. */
  readonly config: unknown
  /** HTTP used by the connector (a fake, or a real fetch to a local server). */
  readonly fetch?: FetchFn
  readonly until?: RunUntil
  /** Cursor of the first poll, as if the runtime had committed it. */
  readonly cursor?: Cursor
  readonly source?: SourceInfo
  /**
   * When true, an error thrown by `poll` or `subscribe` ends the run and is returned as `error`
   * (to test how a connector fails). Default false: the run rejects with a
   * {@link ConnectorRunError}, so a test that only counts records cannot pass on a failure.
   */
  readonly allowErrors?: boolean
}

/** What {@link runConnector} collected. */
export interface RunConnectorResult {
  readonly records: SourceRecord[]
  /** The cursor after each poll, in order. */
  readonly cursors: Cursor[]
  readonly lastCursor: Cursor | undefined
  readonly rejected: RejectedInput[]
  readonly logs: CapturedLog[]
  readonly polls: number
  /** The error `poll` or `subscribe` threw (only with `allowErrors: true`); the run stops at the first one. */
  readonly error?: unknown
}

/**
 * A connector threw while {@link runConnector} ran it (without `allowErrors`). `cause` is what it
 * threw; `result` holds what the run collected until then.
 */
export class ConnectorRunError extends FirefrontError {
  readonly result: RunConnectorResult

  constructor(plugin: string, where: string, cause: unknown, result: RunConnectorResult) {
    super(
      errorCode(cause) ?? 'ERR_HOOK_FAILED',
      `connector:${plugin} threw in ${where}: ${cause instanceof Error ? cause.message : String(cause)} (pass allowErrors: true to runConnector to get the error in the result instead)`,
      { cause },
    )
    this.result = result
  }
}

/**
 * Runs a connector outside the runtime with a fake context: validates its config (throws
 * `ERR_PLUGIN_CONFIG` with every issue when it is refused), creates it, polls (or subscribes)
 * until a limit, closes it, and returns everything it produced. A `poll` or `subscribe` that
 * throws rejects the run with {@link ConnectorRunError} naming the poll, unless `allowErrors` is
 * set, in which case the run stops there and the error is in `error`.
 */
export async function runConnector<S extends TSchema>(
  plugin: Plugin<'connector', S>,
  options: RunConnectorOptions,
): Promise<RunConnectorResult> {
  const checked = validateConfig(plugin.configSchema, options.config)
  if (!checked.ok) {
    throw new FirefrontError(
      'ERR_PLUGIN_CONFIG',
      `config of connector:${plugin.name} is invalid: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    )
  }
  const fake = createFakeContext({
    id: `connector:${plugin.name}#test`,
    fetch: options.fetch,
    source: options.source ?? { sourceId: 'test', sourceType: plugin.sourceTypes?.[0] ?? plugin.name },
  })
  const until = options.until ?? {}
  const maxPolls = until.polls ?? (until.records === undefined && until.ms === undefined ? 1 : Number.POSITIVE_INFINITY)
  const deadline = until.ms === undefined ? Number.POSITIVE_INFINITY : Date.now() + until.ms
  const records: SourceRecord[] = []
  const cursors: Cursor[] = []
  let cursor = options.cursor
  let polls = 0
  let error: unknown
  const instance = await plugin.create(checked.value, fake.ctx)
  try {
    await instance.start?.()
    if (instance.mode === 'pull') {
      while (
        polls < maxPolls &&
        Date.now() < deadline &&
        records.length < (until.records ?? Number.POSITIVE_INFINITY)
      ) {
        polls++
        try {
          const result = await instance.poll({ cursor, signal: fake.ctx.signal })
          records.push(...result.records)
          if (result.cursor !== undefined) cursor = result.cursor
          cursors.push(cursor ?? null)
        } catch (err) {
          error = err
          break
        }
      }
    } else {
      const controller = new AbortController()
      const limitMs = Math.min(deadline - Date.now(), 60_000)
      const timer = setTimeout(() => controller.abort(), limitMs)
      const emit = async (batch: SourceRecord | readonly SourceRecord[]): Promise<void> => {
        const list = Array.isArray(batch) ? (batch as readonly SourceRecord[]) : [batch as SourceRecord]
        records.push(...list)
        if (until.records !== undefined && records.length >= until.records) controller.abort()
      }
      try {
        await instance.subscribe(emit, controller.signal)
      } catch (err) {
        if (!controller.signal.aborted) error = err
      } finally {
        clearTimeout(timer)
      }
    }
  } finally {
    fake.abort()
    await instance.close?.()
  }
  const result = { records, cursors, lastCursor: cursor, rejected: fake.rejected, logs: fake.logs, polls, error }
  if (error !== undefined && !options.allowErrors) {
    throw new ConnectorRunError(plugin.name, instance.mode === 'pull' ? `poll ${polls}` : 'subscribe', error, result)
  }
  return result
}
