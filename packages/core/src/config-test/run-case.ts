/**
 * Runs one case of `firefront test` through the real runtime — the config's connector, ingestion
 * mode, queue, send hooks, topic resolvers and the Kafka sink's serialisation — with the source's
 * input replaced by the case's recordings and the broker by a memory sink.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  type AnyPlugin,
  defineConnector,
  type Plugin,
  type PushConnector,
  type RecordedMessage,
  type SourceRecord,
} from '@firefront/sdk'
import type { LoadedConfig } from '../config/load'
import type { FirefrontConfig } from '../config/schema'
import { createLogger } from '../observability/logger'
import { planSource } from '../registry/plan'
import { PluginRegistry } from '../registry/registry'
import { StreamManager } from '../runtime/stream-manager'
import type { MqttMessageSpec, TestCase } from './cases'
import { compare } from './match'
import { createMemorySink, isDeadLetter } from './memory-sink'
import { recordedFetch } from './recorded-fetch'

/** How one case went. */
export interface CaseResult {
  readonly name: string
  readonly passed: boolean
  /** Each difference, one line each (empty when passed). */
  readonly failures: readonly string[]
  /** The HTTP requests the connector made. */
  readonly requests: readonly string[]
}

/** The config a case runs with: its source alone, state in `stateDir`, nothing that needs a broker. */
function caseConfig(config: FirefrontConfig, sourceId: string, stateDir: string): FirefrontConfig {
  const copy = structuredClone(config) as FirefrontConfig & { cluster?: unknown }
  const source = copy.sources[sourceId]!
  // one attempt: a missing recording fails the case at once instead of after backoff
  copy.sources = { [sourceId]: { ...source, enabled: true, max_poll_retries: 0 } }
  copy.state_dir = stateDir
  copy.cursors = { ...copy.cursors, store: 'file' }
  copy.throttling = { ...copy.throttling, enabled: false }
  copy.metrics = { ...copy.metrics, enabled: false }
  copy.delivery = 'at_least_once'
  delete copy.cluster
  return copy
}

const payloadOf = (m: MqttMessageSpec, dir: string): Uint8Array =>
  m.payload_file !== undefined
    ? readFileSync(resolve(dir, m.payload_file))
    : new TextEncoder().encode(m.payload_json !== undefined ? JSON.stringify(m.payload_json) : (m.payload ?? ''))

/**
 * Stands in for the source's connector under its own name and source types: it emits the case's
 * records, or replays its MQTT messages through the real connector's `replay`, in one poll.
 */
function standIn(real: Plugin<'connector'>, c: TestCase, dir: string): AnyPlugin {
  return defineConnector({
    name: real.name,
    version: real.version,
    sourceTypes: real.sourceTypes ?? [],
    ...(real.defaultTopic ? { defaultTopic: real.defaultTopic } : {}),
    configSchema: real.configSchema,
    async create(config, ctx) {
      if (c.input.records) {
        const records = c.input.records as SourceRecord[]
        return { mode: 'pull', poll: async () => ({ records }) }
      }
      const instance = await real.create(config as never, ctx)
      const replay = instance.mode === 'push' ? (instance as PushConnector).replay : undefined
      if (!replay) {
        throw new Error(
          `connector:${real.name} cannot replay recorded messages (it has no replay()); use records: or http: input`,
        )
      }
      return {
        mode: 'pull',
        async poll() {
          const records: SourceRecord[] = []
          const emit = async (r: SourceRecord | readonly SourceRecord[]) => {
            for (const one of Array.isArray(r) ? r : [r]) records.push(one as SourceRecord)
          }
          for (const m of c.input.mqtt ?? []) {
            const message: RecordedMessage = {
              topic: m.topic,
              payload: payloadOf(m, dir),
              ...(m.retain ? { retain: true } : {}),
            }
            await replay.call(instance, message, emit)
          }
          return { records }
        },
        close: () => instance.close?.() ?? Promise.resolve(),
      }
    },
  })
}

/** A registry like `registry`, with the source's connector replaced by `replacement`. */
function withConnector(registry: PluginRegistry, connector: string, replacement: AnyPlugin): PluginRegistry {
  const copy = new PluginRegistry()
  for (const entry of registry.list()) {
    copy.register(entry.id === `connector:${connector}` ? replacement : entry.plugin, entry.origin)
  }
  return copy
}

/** Runs one case; never throws for a failure of the case itself, which is in the result. */
export async function runCase(
  c: TestCase,
  loaded: LoadedConfig,
  registry: PluginRegistry,
  testDir: string,
): Promise<CaseResult> {
  const fail = (failures: string[], requests: readonly string[] = []): CaseResult => ({
    name: c.name,
    passed: failures.length === 0,
    failures,
    requests,
  })
  if (!loaded.config.sources[c.source]) {
    return fail([`no source "${c.source}" in the config (sources: ${Object.keys(loaded.config.sources).join(', ')})`])
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'firefront-test-'))
  try {
    const config = caseConfig(loaded.config, c.source, stateDir)
    const planned = planSource(config, registry, c.source, {
      baseDir: loaded.file ? resolve(loaded.file, '..') : undefined,
    })
    const real = planned.parts?.connector?.entry.plugin as Plugin<'connector'> | undefined
    if (!real) return fail(planned.issues.map((i) => `${i.path}: ${i.message}`))
    const caseRegistry = c.input.http ? registry : withConnector(registry, real.name, standIn(real, c, testDir))
    const http = recordedFetch(c.input.http ?? [], testDir)
    const memory = createMemorySink(config.kafka.max_message_bytes, config.dlq.topic)
    const manager = new StreamManager({
      config,
      ...(loaded.file ? { configFile: loaded.file } : {}),
      raw: loaded.raw as { kafka?: unknown },
      registry: caseRegistry,
      logger: createLogger({ level: 'silent', pretty: false }),
      sink: memory.sink,
      fetch: http.fetch,
    })
    let runError: Error | undefined
    manager.events.on('error', (err) => {
      runError ??= err
    })
    try {
      await manager.runOnce([c.source])
    } catch (err) {
      runError ??= err as Error
    } finally {
      await manager.stop()
    }
    const dlq = config.dlq.topic
    const failures = compare(
      c.expect,
      memory.written.filter((m) => !isDeadLetter(m, dlq)),
      memory.written.filter((m) => isDeadLetter(m, dlq)),
    )
    if (c.expect.error !== undefined) {
      if (!runError) failures.push(`expected the poll to fail with "${c.expect.error}"; it did not fail`)
      else if (!runError.message.includes(c.expect.error))
        failures.push(`expected the poll to fail with "${c.expect.error}"; it failed with: ${runError.message}`)
    } else if (runError) {
      failures.unshift(`the poll failed: ${runError.message}`)
    }
    return fail(failures, http.requests)
  } finally {
    rmSync(stateDir, { recursive: true, force: true })
  }
}
