/**
 * The parts every stream shares, in the order the supervisor starts them (and the reverse it
 * stops them in): the state directory's lock, the cursor store, the throttle policy, the sink
 * (and its topics), the topic resolvers, the pipeline, and with `cluster:` the group membership.
 */
import {
  type Clock,
  FirefrontError,
  type InstanceOf,
  type Plugin,
  type SinkInstance,
  type SourceInfo,
  type ThrottlePolicyInstance,
} from '@firefront/sdk'
import type { Logger as PinoLogger } from 'pino'
import type { FirefrontConfig } from '../config/schema'
import type { CursorStore } from '../cursors/file-cursor-store'
import { openCursorStore } from '../cursors/open'
import { lockStateDir, type StateLock } from '../cursors/state-lock'
import { asSdkLogger } from '../observability/logger'
import type { ClusterCoordinator } from './cluster/coordinator'
import type { OutputsPlan, PlannedPlugin } from '../registry/plan'
import type { PluginRegistry } from '../registry/registry'
import type { RuntimeEmitter } from './events'
import { KafkaCursorStore } from '../kafka/cursor-store'
import { hasTransactions, sinkInFlightBatches } from '../sinks/kafka/kafka-sink'
import { sourceIdentity } from './cluster/identity'
import { Pipeline, type PipelineTransactions } from './pipeline'
import type { SendHookRunner } from './send-hooks'
import { type StopFailure, Supervisor } from './supervisor'
import { TopicChain, type TopicStep } from './topic-chain'

/** The shared parts, set as the supervisor starts them. */
export interface SharedParts {
  lock?: StateLock
  cursors?: CursorStore
  throttle?: ThrottlePolicyInstance
  sink?: SinkInstance
  chain?: TopicChain
  pipeline?: Pipeline
  cluster?: ClusterCoordinator
}

/** What building the shared parts needs from the manager. */
export interface SharedPartsContext {
  readonly config: FirefrontConfig
  readonly registry: PluginRegistry
  readonly outputs: OutputsPlan
  readonly stateDir: string
  /** The config file, written into the state lock for the next process's message. */
  readonly configFile?: string
  /** A sink instance handed in (tests, embedding) instead of the planned one. */
  readonly sink?: SinkInstance
  readonly sinkName: string
  readonly hooks: SendHookRunner
  readonly events: RuntimeEmitter
  readonly logger: PinoLogger
  readonly clock: Clock
  /** Creates a shared plugin instance with its context. */
  create<K extends 'sink' | 'throttle-policy' | 'topic-resolver'>(
    planned: PlannedPlugin<K>,
    role: string,
  ): Promise<InstanceOf[K]>
  readonly sourceInfo: (sourceId: string) => SourceInfo
  /** The shutdown budget left, read when the pipeline drains. */
  readonly drainTimeoutMs: () => number
  /** Runs after the drain and the sink's flush (the streams' last cursor commits). */
  readonly afterDrain: () => Promise<void>
  readonly reportStopFailure: (failure: StopFailure) => void
  /**
   * With `cluster:`, the worker's membership of the group: the last part, so it starts once the
   * pipeline can take records and stops first (drains its sources, then leaves the group).
   */
  readonly cluster?: () => ClusterCoordinator
}

/** Adds the shared parts to `sv`, in start order; each sets its field of `parts` when it starts. */
export async function superviseSharedParts(sv: Supervisor, parts: SharedParts, c: SharedPartsContext): Promise<void> {
  const { config: cfg, outputs } = c
  await sv.add({
    name: `state_dir lock (${c.stateDir})`,
    start: () => {
      parts.lock = lockStateDir(c.stateDir, c.configFile)
    },
    stop: () => parts.lock?.release(),
  })
  await sv.add({
    name: `cursor store (${cfg.cursors.store})`,
    start: async () => {
      parts.cursors = await openCursorStore(cfg)
    },
    stop: () => parts.cursors?.close?.(),
  })
  await sv.add({
    name: `throttle-policy:${outputs.throttle!.entry.plugin.name}`,
    start: async () => {
      parts.throttle = await c.create(outputs.throttle!, 'throttle')
      c.hooks.addGlobal(parts.throttle.hooks)
      await parts.throttle.start?.()
    },
    stop: () => parts.throttle?.close?.(),
  })
  await sv.add({
    name: `sink:${c.sinkName}`,
    start: async () => {
      parts.sink = c.sink ?? (await c.create(outputs.sink!, 'sink'))
      c.hooks.addGlobal(parts.sink.hooks)
      await parts.sink.start?.()
      await parts.sink.ensureTopics?.(knownTopics(cfg, c.registry))
    },
    stop: () => parts.sink?.close?.(),
  })
  const resolvers = new Supervisor({ onStopError: c.reportStopFailure })
  await sv.add({
    name: 'topic resolvers',
    start: async () => {
      parts.chain = await buildChain(cfg, outputs.topics ?? [], c.create)
      for (const step of parts.chain.steps) {
        c.hooks.addGlobal(step.resolver.hooks)
        await resolvers.add({
          name: `topic-resolver:${step.name}`,
          start: () => step.resolver.start?.(),
          stop: () => step.resolver.close?.(),
        })
      }
      await resolvers.start()
    },
    stop: async () => {
      const report = await resolvers.stop()
      // each failure was reported already; the supervisor only needs to know there was one
      if (report.failures.length > 0) throw new Error(`${report.failures.length} topic resolver(s) failed to stop`)
    },
  })
  const anyRealtime = Object.values(cfg.sources).some(
    (s) => s.enabled && (s.ingestion as { mode?: string }).mode !== 'batch',
  )
  const lingerSeconds = cfg.kafka.batch_timeout_seconds ?? (anyRealtime ? 1 : 5)
  await sv.add({
    name: 'pipeline',
    start: () => {
      parts.pipeline = new Pipeline({
        sink: parts.sink!,
        throttle: parts.throttle!,
        chain: parts.chain!,
        hooks: c.hooks,
        events: c.events,
        logger: asSdkLogger(c.logger.child({ component: 'pipeline' })),
        clock: c.clock,
        queueMaxSize: cfg.queue_max_size,
        overflowStrategy: cfg.queue_overflow_strategy,
        batchSize: cfg.kafka.batch_size,
        // exactly_once writes polls in transactions, one at a time; the queue keeps one batch in flight
        maxInFlightBatches: cfg.delivery === 'exactly_once' ? 1 : sinkInFlightBatches(parts.sink!),
        lingerMs: lingerSeconds * 1000,
        retryBaseMs: cfg.kafka.retry_backoff_base * 1000,
        retryMaxMs: cfg.kafka.retry_backoff_max * 1000,
        sourceInfo: c.sourceInfo,
        drainTimeoutMs: c.drainTimeoutMs,
        ...(cfg.delivery === 'exactly_once' ? { transactions: transactionsOf(cfg, parts) } : {}),
      })
      parts.pipeline.onDrained(c.afterDrain)
      parts.pipeline.start()
    },
    stop: () => parts.pipeline?.stop(),
  })
  if (c.cluster) {
    const coordinator = c.cluster()
    await sv.add({
      name: coordinator.name,
      start: async () => {
        parts.cluster = coordinator
        await coordinator.start()
      },
      stop: () => coordinator.stop(),
    })
  }
}

/**
 * `delivery: exactly_once`: the kafka sink's transactional write, the Kafka cursor store's commit
 * message, and one `transactional.id` per source — `<cluster.group_id>.<source id>` in a cluster,
 * else `<kafka.client_id>.<source id>` — the same on every worker and every restart, so the broker
 * fences an older writer of the source.
 */
function transactionsOf(cfg: FirefrontConfig, parts: SharedParts): PipelineTransactions {
  const sink = parts.sink!
  const cursors = parts.cursors
  if (!hasTransactions(sink)) {
    throw new FirefrontError('ERR_CONFIG_INVALID', 'delivery: exactly_once needs the kafka sink')
  }
  if (!(cursors instanceof KafkaCursorStore)) {
    throw new FirefrontError('ERR_CONFIG_INVALID', 'delivery: exactly_once needs cursors: { store: kafka }')
  }
  return {
    write: (request) => sink.writeTransaction(request),
    prepareCursor: (sourceId, cursor, records) => cursors.prepareCommit(sourceId, cursor, records),
    open: (transactionalId) => sink.openTransactional(transactionalId),
    release: (transactionalId) => sink.releaseTransactional(transactionalId),
    transactionalId: (sourceId) =>
      cfg.cluster ? sourceIdentity(cfg.cluster, sourceId) : `${cfg.kafka.client_id}.${sourceId}`,
  }
}

/** Creates the topic chain from its plan; each resolver's config was validated once, by the plan. */
async function buildChain(
  cfg: FirefrontConfig,
  planned: readonly PlannedPlugin<'topic-resolver'>[],
  create: SharedPartsContext['create'],
): Promise<TopicChain> {
  const steps: TopicStep[] = []
  for (const step of planned) steps.push({ name: step.entry.plugin.name, resolver: await create(step, 'topics') })
  return new TopicChain(
    steps,
    cfg.default_topic,
    // the built-in steps other than content rules answer from the source alone
    cfg.topic_rules.length === 0 && cfg.topic_resolvers.length === 0,
  )
}

/** The topics the config names: sources' topics, custom mappings, connectors' defaults, the DLQ. */
function knownTopics(cfg: FirefrontConfig, registry: PluginRegistry): string[] {
  const topics = new Set<string>(Object.values(cfg.custom_topic_mappings))
  for (const source of Object.values(cfg.sources)) {
    if (!source.enabled) continue
    if (source.topic) topics.add(source.topic)
    const connector = source.connector
      ? registry.get('connector', source.connector)
      : registry.connectorFor(source.source_type)
    const suggested = (connector?.plugin as Plugin<'connector'> | undefined)?.defaultTopic
    if (suggested && !source.topic) topics.add(suggested)
  }
  if (cfg.enable_dlq) topics.add(cfg.dlq.topic)
  return [...topics]
}
