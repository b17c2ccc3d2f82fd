import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConnector, type SourceRecord, Type } from '@firefront/sdk'
import { pino } from 'pino'
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
