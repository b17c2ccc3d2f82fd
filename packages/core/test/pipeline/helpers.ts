import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConnector, type SourceRecord, Type } from '@firefront/sdk'
import { pino } from 'pino'
import type { ManualClock } from '../../src/api/manual-clock'
import { loadConfigText } from '../../src/config/load'
import type { FirefrontConfig } from '../../src/config/schema'

/** A fresh temporary folder. */
export const tempDir = (prefix = 'firefront-pipeline-'): string => mkdtempSync(join(tmpdir(), prefix))

/** Loads a YAML config text (defaults applied), failing the test on any issue. */
export function configFrom(yaml: string, knownModes?: readonly string[]): FirefrontConfig {
  const loaded = loadConfigText(yaml, { file: 'test.yaml', env: {}, ...(knownModes ? { knownModes } : {}) })
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.path}: ${i.message}`).join('\n'))
  return loaded.config
}

/** Every JSONL line of every topic file under `dir`, by topic. */
export function readOutput(dir: string): Map<string, Array<Record<string, unknown>>> {
  const out = new Map<string, Array<Record<string, unknown>>>()
  let files: string[] = []
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
  } catch {
    return out
  }
  for (const f of files) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)
    out.set(
      f.replace(/\.jsonl$/, ''),
      lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    )
  }
  return out
}

/** One turn of the event loop: pending promise callbacks and finished I/O run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Whether I/O requests are in flight: a sink's write or fsync, a cursor commit's rename, a file
 * handle closing (`FSReqPromise`, `FSReqCallback`, `CloseReq`, ...). Long-lived handles (pipes,
 * timers) are not requests and do not count.
 */
const ioBusy = (): boolean => process.getActiveResourcesInfo().some((r) => r.includes('Req'))

/**
 * Yields to the event loop until `condition` holds. It never sleeps: time that matters to the
 * runtime moves only on the manual clock. The wall-clock bound only turns a hang into a failure
 * that says what was awaited.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what = 'the condition',
  limitMs = 10_000,
): Promise<void> {
  const giveUp = performance.now() + limitMs
  while (!(await condition())) {
    if (performance.now() > giveUp) throw new Error(`gave up waiting for ${what}`)
    await turn()
  }
}

/**
 * Moves `clock` forward `stepMs` at a time until `condition` holds, failing past `maxMs` of clock
 * time. Time moves only while something waits on the clock and no I/O is in flight, so a
 * slow disk or a module still loading does not make the runtime's timers fire early.
 */
export async function advanceUntil(
  clock: ManualClock,
  condition: () => boolean | Promise<boolean>,
  { stepMs, maxMs, what = 'the condition' }: { stepMs: number; maxMs: number; what?: string },
): Promise<void> {
  const limit = clock.now() + maxMs
  // below the test timeout, so a hang fails with what it waited for
  const giveUp = performance.now() + 20_000
  for (;;) {
    if (await condition()) return
    if (clock.now() >= limit) throw new Error(`${what} did not happen within ${maxMs} ms of clock time`)
    if (clock.pendingTimers > 0 && !ioBusy()) await clock.advance(stepMs)
    else if (performance.now() > giveUp) throw new Error(`gave up waiting for ${what}`)
    else await turn()
  }
}

/**
 * Moves `clock` forward (as {@link advanceUntil} does) until `work` settles, and returns its
 * outcome: for what waits on the clock on its way, such as a stop that lets a poll in flight end.
 */
export async function advanceWhile<T>(
  clock: ManualClock,
  work: Promise<T>,
  { stepMs, maxMs, what = 'the work to settle' }: { stepMs: number; maxMs: number; what?: string },
): Promise<T> {
  let settled = false
  // handled at once, so a rejection is not reported as unhandled while the clock moves
  const outcome = work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  void outcome.then(() => {
    settled = true
  })
  await advanceUntil(clock, () => settled, { stepMs, maxMs, what })
  const result = await outcome
  if (!result.ok) throw result.error
  return result.value
}

/** A silent logger for tests. */
export const quietLogger = () => pino({ level: 'silent' })

/**
 * A numbered test connector: a finite sequence of `total` records, `per_poll` per poll, cursor =
 * next number; every `reject_every`-th number is handed to ctx.reject instead.
 */
export const sequenceConnector = defineConnector({
  name: 'sequence',
  version: '1.0.0',
  sourceTypes: ['sequence'],
  configSchema: Type.Object(
    {
      total: Type.Integer({ minimum: 0, default: 100 }),
      per_poll: Type.Integer({ minimum: 1, default: 10 }),
      reject_every: Type.Integer({ minimum: 0, default: 0 }),
      skip_every: Type.Integer({ minimum: 0, default: 0 }),
      priority: Type.Optional(
        Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('normal'), Type.Literal('low')]),
      ),
    },
    { additionalProperties: false },
  ),
  create(config, ctx) {
    return {
      mode: 'pull',
      async poll({ cursor }) {
        const from = typeof cursor === 'number' ? cursor : 0
        const until = Math.min(config.total, from + config.per_poll)
        const records: SourceRecord[] = []
        for (let n = from; n < until; n++) {
          if (config.reject_every > 0 && (n + 1) % config.reject_every === 0) {
            ctx.reject({ reason: `number ${n} is malformed`, input: `raw-${n}`, location: `item ${n}` })
            continue
          }
          if (config.skip_every > 0 && (n + 1) % config.skip_every === 0) {
            ctx.skip?.('duplicate')
            continue
          }
          records.push({
            key: `${ctx.source?.sourceId}-${n}`,
            value: { n, source: ctx.source?.sourceId },
            ...(config.priority ? { priority: config.priority } : {}),
          })
        }
        return { records, cursor: until, hasMore: until < config.total }
      },
    }
  },
})

/** A push test connector: emits `total` numbered records in one burst, then waits until stopped. */
export const burstConnector = defineConnector({
  name: 'burst',
  version: '1.0.0',
  sourceTypes: ['burst'],
  configSchema: Type.Object({ total: Type.Integer({ minimum: 0, default: 100 }) }, { additionalProperties: false }),
  create(config, ctx) {
    return {
      mode: 'push',
      async subscribe(emit, signal) {
        const records: SourceRecord[] = Array.from({ length: config.total }, (_, n) => ({
          key: `${ctx.source?.sourceId}-${n}`,
          value: { n },
        }))
        await emit(records)
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
      },
    }
  },
})
