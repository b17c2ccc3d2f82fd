/**
 * StreamManager (the seed's `StreamManagerV2`): owns the queue, the queue consumer, the throttle
 * policy, the topic chain, the sink and the cursor store, and starts one {@link Stream} per source.
 */
import { dirname, resolve } from 'node:path'
import {
  type AnyPlugin,
  type Clock,
  ConfigValidationError,
  type ConnectorInstance,
  FirefrontError,
  isBranded,
  type JsonValue,
  type Plugin,
  PluginHookError,
  type Priority,
  type SinkBatch,
  type SinkInstance,
  type SinkResult,
  type SourceInfo,
  systemClock,
  type ThrottlePolicyInstance,
  validateConfig,
} from '@firefront/sdk'
import type { Logger as PinoLogger } from 'pino'
import client from 'prom-client'
import type { FirefrontConfig, SourceConfig } from '../config/schema'
import type { CursorStore } from '../cursors/file-cursor-store'
import { openCursorStore } from '../cursors/open'
import { lockSource, unlockSource } from '../cursors/source-lock'
import { asSdkLogger, createLogger } from '../observability/logger'
import { hasDone } from '../modes/mode-runner'
import { EnqueueInterruptedError, PriorityQueue } from '../queue/priority-queue'
import { planOutputs, planSource, type PlannedPlugin } from '../registry/plan'
import type { PluginRegistry } from '../registry/registry'
import { builtinSinkMappers, builtinThrottleMappers, createBuiltinRegistry } from './builtins'
import { type DropReason, RuntimeEmitter } from './events'
import { createPluginContext } from './plugin-context'
import { QueueConsumer } from './queue-consumer'
import type { QueuedRecord } from './queued-record'
import { Stream } from './stream'
import { TopicChain } from './topic-chain'

/**
 * Hooks around each send. `beforeSend` runs in registration order and may return a batch whose
 * records replace the batch's, one for one (e.g. enrich or redact values); `afterSend` observes the
 * batch and how the sink accounted for it. A hook that throws is reported as an `error` event with
 * its name: a failing `beforeSend` leaves the batch as it was; `afterSend` errors never reach the
 * pipeline.
 */
export interface SendHooks {
  readonly name: string
  beforeSend?(batch: SinkBatch): SinkBatch | undefined | Promise<SinkBatch | undefined>
  afterSend?(batch: SinkBatch, result: SinkResult): void | Promise<void>
}

/** Options of {@link StreamManager}. */
export interface StreamManagerOptions {
  /** The validated config (defaults applied). */
  readonly config: FirefrontConfig
  /** The file it came from, for messages. */
  readonly configFile?: string
  /**
   * The config as written, to tell what the file sets from what defaults fill in: an absent
   * `kafka:` block (file sink by default), a source without an ingestion mode (a push connector
   * then runs under continuous_streaming).
   */
  readonly raw?: { kafka?: unknown }
  /** A registry with plugins loaded; default: the built-ins only. */
  readonly registry?: PluginRegistry
  /** Plugin objects to register in code. */
  readonly plugins?: readonly AnyPlugin[]
  readonly logger?: PinoLogger
  readonly clock?: Clock
  /** A sink instance to use instead of the configured one (tests, embedding). */
  readonly sink?: SinkInstance
  /** Send hooks; more can be added with {@link StreamManager.addHooks}. */
  readonly hooks?: readonly SendHooks[]
}

const STREAM_ID_SAFE = /[^A-Za-z0-9_.-]/g

/** The seed's StreamManager; see the module comment. */
export class StreamManager {
  /** Typed runtime events (`stream:started`, `batch:sent`, `record:dropped`, ...). */
  readonly events = new RuntimeEmitter()
  readonly config: FirefrontConfig
  readonly registry: PluginRegistry
  readonly logger: PinoLogger
  readonly metricsRegistry = new client.Registry()
  readonly #o: StreamManagerOptions
  readonly #clock: Clock
  readonly #streams = new Map<string, Stream>()
  readonly #rootAbort = new AbortController()
  #queue?: PriorityQueue<QueuedRecord>
  #consumer?: QueueConsumer
  #sink?: SinkInstance
  #sinkName = 'custom'
  #throttle?: ThrottlePolicyInstance
  #chain?: TopicChain
  #cursors?: CursorStore
  #started = false
  #startedAt = 0
  #streamsStarted = 0
  #seq = 0
  readonly #dropped = new Map<DropReason | string, number>()
  readonly #hooks: SendHooks[] = []

  constructor(options: StreamManagerOptions) {
    this.#o = options
    this.config = options.config
    this.#clock = options.clock ?? systemClock
    this.logger = options.logger ?? createLogger({ level: options.config.log_level })
    this.registry = options.registry ?? createBuiltinRegistry()
    for (const p of options.plugins ?? []) this.registry.register(p, { via: 'code' })
    this.#hooks.push(...(options.hooks ?? []))
  }

  /** Adds send hooks (see {@link SendHooks}); they apply to batches sent from now on. */
  addHooks(...hooks: SendHooks[]): void {
    this.#hooks.push(...hooks)
  }

  async #send(batch: SinkBatch): Promise<SinkResult> {
    let current = batch
    for (const hook of this.#hooks) {
      if (!hook.beforeSend) continue
      try {
        const next = await hook.beforeSend(current)
        if (next && next.records.length !== current.records.length) {
          throw new Error(
            `beforeSend returned ${next.records.length} records for a batch of ${current.records.length}; records are replaced one for one`,
          )
        }
        if (next) current = next
      } catch (err) {
        const error = new PluginHookError(`hook:${hook.name}`, 'beforeSend', err)
        this.logger.error({ err: error }, 'a beforeSend hook failed; the batch is sent as it was')
        this.events.emit('error', error, { sourceId: batch.sourceId, component: 'hooks' })
      }
    }
    const result = await this.#sink!.send(current)
    for (const hook of this.#hooks) {
      if (!hook.afterSend) continue
      try {
        await hook.afterSend(current, result)
      } catch (err) {
        const error = new PluginHookError(`hook:${hook.name}`, 'afterSend', err)
        this.logger.warn({ err: error }, 'an afterSend hook failed')
        this.events.emit('error', error, { sourceId: batch.sourceId, component: 'hooks' })
      }
    }
    return result
  }

  /**
   * The seed's `StreamManagerV2(config_file=...)`: loads and validates a config file and the
   * plugins it declares (every problem at once, as a {@link ConfigValidationError} with lines),
   * then builds a manager. Call {@link start}, then {@link startStream} or {@link startAll}.
   */
  static async fromFile(
    file: string,
    options: Omit<StreamManagerOptions, 'config' | 'raw' | 'registry' | 'configFile'> = {},
  ): Promise<StreamManager> {
    const { loadConfig } = await import('../config/load')
    const { checkPlugins, registryFor } = await import('../registry/check')
    const loaded = await loadConfig(file)
    // embedding code may hand a source's connector to startStream(): a missing one is not an error here
    const checks = loaded.ok ? await checkPlugins(loaded, { allowMissingConnectors: true }) : []
    loaded.addIssues(checks.filter((i) => i.severity !== 'warning'))
    const error = loaded.toError()
    if (error) throw error
    const { registry } = await registryFor(loaded)
    return new StreamManager({
      ...options,
      config: loaded.config,
      raw: loaded.raw as { kafka?: unknown },
      registry,
      configFile: file,
    })
  }

  /** The folder of cursors, spool and dead-letter files. */
  get stateDir(): string {
    return resolve(this.config.state_dir)
  }

  /** The cursor store (available after `start`). */
  get cursors(): CursorStore {
    if (!this.#cursors) throw new FirefrontError('ERR_STOPPED', 'the StreamManager is not started')
    return this.#cursors
  }

  /**
   * Starts the shared parts: sink, throttle policy, topic chain, queue and queue consumer. Streams
   * are started with {@link startStream} or {@link startAll}.
   */
  async start(): Promise<void> {
    if (this.#started) return
    const cfg = this.config
    const outputs = planOutputs(cfg, this.registry, {
      baseDir: this.#baseDir,
      raw: this.#o.raw,
      sinkMappers: builtinSinkMappers,
      throttleMappers: builtinThrottleMappers,
    })
    if (
      outputs.issues.length > 0 &&
      !(this.#o.sink && outputs.issues.every((i) => i.path.startsWith('sink') || i.path === 'kafka'))
    ) {
      throw new ConfigValidationError(outputs.issues)
    }
    this.#cursors = await openCursorStore(cfg)
    this.#throttle = await this.#create(outputs.throttle!, 'throttle')
    await this.#throttle.start?.()
    if (this.#o.sink) {
      this.#sink = this.#o.sink
    } else {
      this.#sinkName = outputs.sink!.entry.plugin.name
      this.#sink = await this.#create(outputs.sink!, 'sink')
    }
    try {
      await this.#sink.start?.()
    } catch (err) {
      throw new FirefrontError(
        'ERR_PLUGIN_START',
        `sink:${this.#sinkName} failed to start: ${(err as Error).message}`,
        { cause: err },
      )
    }
    await this.#sink.ensureTopics?.(this.#knownTopics())
    this.#chain = await this.#buildChain(outputs.topics ?? [])
    this.#queue = new PriorityQueue<QueuedRecord>({
      maxSize: cfg.queue_max_size,
      overflowStrategy: cfg.queue_overflow_strategy,
      clock: this.#clock,
      onDrop: (drop) =>
        this.#onDrop(
          [drop.entry.item],
          drop.reason === 'drop_newest' ? 'queue_overflow_newest' : 'queue_overflow_oldest',
        ),
    })
    const anyRealtime = Object.values(cfg.sources).some(
      (s) => s.enabled && (s.ingestion as { mode?: string }).mode !== 'batch',
    )
    const lingerSeconds = cfg.kafka.batch_timeout_seconds ?? (anyRealtime ? 1 : 5)
    this.#consumer = new QueueConsumer({
      queue: this.#queue,
      send: (batch) => (this.#hooks.length > 0 ? this.#send(batch) : this.#sink!.send(batch)),
      throttle: this.#throttle,
      resolveTopic: (item) => this.#chain!.resolve(item.record, this.#infoOf(item.record.sourceId)),
      batchSize: cfg.kafka.batch_size,
      lingerMs: lingerSeconds * 1000,
      events: this.events,
      logger: asSdkLogger(this.logger.child({ component: 'queue-consumer' })),
      clock: this.#clock,
      retryBaseMs: cfg.kafka.retry_backoff_base * 1000,
      retryMaxMs: cfg.kafka.retry_backoff_max * 1000,
      callbacks: {
        settled: (items, result) => this.#onSettled(items, result),
        abandoned: (items, error) => this.#onAbandoned(items, error),
      },
    })
    this.#consumer.start()
    this.#started = true
    this.#startedAt = this.#clock.now()
    this.logger.info(
      { sink: this.#sinkName, queue_max_size: cfg.queue_max_size, batch_size: cfg.kafka.batch_size },
      'stream manager started',
    )
  }

  async #create<K extends 'sink' | 'throttle-policy' | 'topic-resolver'>(
    planned: PlannedPlugin<K>,
    role: string,
  ): Promise<import('@firefront/sdk').InstanceOf[K]> {
    const plugin = planned.entry.plugin as Plugin<K>
    const ctx = createPluginContext({
      id: `${plugin.kind}:${plugin.name}#${role}`,
      logger: asSdkLogger(this.logger),
      metricsRegistry: this.metricsRegistry,
      signal: this.#rootAbort.signal,
      clock: this.#clock,
    })
    try {
      return (await plugin.create(planned.config as never, ctx)) as import('@firefront/sdk').InstanceOf[K]
    } catch (err) {
      throw new FirefrontError('ERR_PLUGIN_START', `${planned.entry.id} failed to create: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }

  /** Creates the topic chain from its plan; each resolver's config was validated once, by the plan. */
  async #buildChain(planned: readonly PlannedPlugin<'topic-resolver'>[]): Promise<TopicChain> {
    const cfg = this.config
    const steps = []
    for (const step of planned) {
      steps.push({ name: step.entry.plugin.name, resolver: await this.#create(step, 'topics') })
    }
    return new TopicChain(
      steps,
      cfg.default_topic,
      // the built-in steps other than content rules answer from the source alone
      cfg.topic_rules.length === 0 && cfg.topic_resolvers.length === 0,
    )
  }

  /** The config file's folder: relative paths in plugin blocks are resolved from it. */
  get #baseDir(): string | undefined {
    return this.#o.configFile ? dirname(resolve(this.#o.configFile)) : undefined
  }

  /** Whether the file itself sets `sources.<id>.ingestion.mode` (rather than the default). */
  #modeWritten(sourceId: string): boolean {
    const raw = this.#o.raw as { sources?: Record<string, { ingestion?: { mode?: unknown } }> } | undefined
    // Without the config as written, keep the configured mode.
    if (!raw) return true
    return raw.sources?.[sourceId]?.ingestion?.mode !== undefined
  }

  /** The topics the config names: sources' topics, custom mappings, connectors' defaults, the DLQ. */
  #knownTopics(): string[] {
    const cfg = this.config
    const topics = new Set<string>(Object.values(cfg.custom_topic_mappings))
    for (const source of Object.values(cfg.sources)) {
      if (!source.enabled) continue
      if (source.topic) topics.add(source.topic)
      const connector = source.connector
        ? this.registry.get('connector', source.connector)
        : this.registry.connectorFor(source.source_type)
      const suggested = (connector?.plugin as Plugin<'connector'> | undefined)?.defaultTopic
      if (suggested && !source.topic) topics.add(suggested)
    }
    if (cfg.enable_dlq) topics.add(cfg.dlq.topic)
    return [...topics]
  }

  #infoCache = new Map<string, SourceInfo>()
  #infoOf(sourceId: string): SourceInfo {
    return (
      this.#infoCache.get(sourceId) ?? { sourceId, sourceType: this.config.sources[sourceId]?.source_type ?? sourceId }
    )
  }

  #priorityOf(sourceId: string, source: SourceConfig): Priority {
    if (source.priority) return source.priority
    return this.config.priority_sources.includes(sourceId) ? 'high' : 'normal'
  }

  /**
   * Starts one source's stream and returns its stream id. `connector` may be a connector instance
   * or plugin handed in (as the seed does); otherwise the source's connector plugin is created from
   * its `source_type` (or `connector`). An unknown or disabled source is an error that names it.
   */
  async startStream(sourceId: string, connector?: ConnectorInstance | Plugin<'connector'>): Promise<string> {
    return this.#open(sourceId, connector, true)
  }

  async #open(
    sourceId: string,
    connector: ConnectorInstance | Plugin<'connector'> | undefined,
    loop: boolean,
  ): Promise<string> {
    if (!this.#started) await this.start()
    const source = this.config.sources[sourceId]
    if (!source) throw new FirefrontError('ERR_SOURCE_UNKNOWN', `Source not configured: ${sourceId}`)
    if (!source.enabled) throw new FirefrontError('ERR_SOURCE_DISABLED', `Source is disabled: ${sourceId}`)
    for (const s of this.#streams.values()) {
      if (s.d.sourceId === sourceId && (s.status === 'running' || s.status === 'starting')) {
        throw new FirefrontError('ERR_SOURCE_RUNNING', `Source ${sourceId} already runs as stream ${s.d.streamId}`)
      }
    }
    const instanceGiven = connector !== undefined && !isBranded(connector)
    const { parts, issues } = planSource(this.config, this.registry, sourceId, {
      baseDir: this.#baseDir,
      connectorProvided: instanceGiven,
    })
    if (!parts) throw new ConfigValidationError(issues)
    let connectorPlugin = parts.connector?.entry.plugin as Plugin<'connector'> | undefined
    let connectorConfig = parts.connector?.config
    if (connector && isBranded(connector)) {
      connectorPlugin = connector
      const checked = (await import('@firefront/sdk')).validateConfig(
        connector.configSchema,
        source.config,
        `sources.${sourceId}.config`,
      )
      if (!checked.ok) throw new ConfigValidationError(checked.issues)
      connectorConfig = checked.value
    }
    const connectorName = connectorPlugin?.name ?? (connector as { name?: string } | undefined)?.name ?? 'custom'
    const streamId = `${sourceId.replace(STREAM_ID_SAFE, '_')}_${++this.#seq}`
    const info: SourceInfo = {
      sourceId,
      sourceType: source.source_type,
      ...(source.topic ? { topic: source.topic } : {}),
      ...(connectorPlugin?.defaultTopic ? { defaultTopic: connectorPlugin.defaultTopic } : {}),
    }
    this.#infoCache.set(sourceId, info)
    const logger = asSdkLogger(this.logger.child({ source: sourceId, stream: streamId }))
    // The stream object is created first so the contexts can hand rejected inputs to it.
    let stream: Stream | undefined
    const streamAbort = new AbortController()
    const ctxFor = (id: string) =>
      createPluginContext({
        id,
        source: info,
        logger: asSdkLogger(this.logger.child({ source: sourceId })),
        metricsRegistry: this.metricsRegistry,
        signal: streamAbort.signal,
        clock: this.#clock,
        reject: (input) => stream?.reject(input),
      })
    let instance: ConnectorInstance
    try {
      instance =
        instanceGiven && connector && !isBranded(connector)
          ? connector
          : await connectorPlugin!.create(connectorConfig as never, ctxFor(`connector:${connectorName}#${sourceId}`))
    } catch (err) {
      throw new FirefrontError(
        'ERR_PLUGIN_START',
        `connector:${connectorName} for source ${sourceId} failed to create: ${(err as Error).message}`,
        {
          cause: err,
        },
      )
    }
    let modePlan = parts.mode
    if (
      instance.mode === 'push' &&
      modePlan.entry.plugin.name !== 'continuous-streaming' &&
      !this.#modeWritten(sourceId)
    ) {
      // No mode in the file and a push connector: it can only run under continuous_streaming.
      const entry = this.registry.get('ingestion-mode', 'continuous-streaming')
      if (entry) {
        const { mode: _mode, ...keys } = source.ingestion as { mode?: string } & Record<string, unknown>
        const checked = validateConfig(entry.plugin.configSchema, keys, `sources.${sourceId}.ingestion`)
        if (!checked.ok) throw new ConfigValidationError(checked.issues)
        modePlan = { entry, config: checked.value }
      }
    }
    const modeName = modePlan.entry.plugin.name
    const mode = await (modePlan.entry.plugin as Plugin<'ingestion-mode'>).create(
      modePlan.config as never,
      ctxFor(`ingestion-mode:${modeName}#${sourceId}`),
    )
    stream = new Stream({
      streamId,
      sourceId,
      source,
      info,
      connectorName,
      connector: instance,
      mode,
      modeName,
      priority: this.#priorityOf(sourceId, source),
      cursorStore: this.cursors,
      events: this.events,
      logger,
      clock: this.#clock,
      enqueue: (items, signal) => this.#enqueue(items, signal),
      dlqTopic: this.config.enable_dlq ? this.config.dlq.topic : undefined,
      onFatal: (error) => {
        void this.stopStream(streamId, 'failed', error).catch(() => {})
      },
    })
    stream.signal.addEventListener('abort', () => streamAbort.abort(stream?.signal.reason), { once: true })
    this.#streams.set(streamId, stream)
    try {
      if (loop) await stream.start()
      else await stream.prepare()
    } catch (err) {
      await stream.stop().catch(() => {})
      stream.status = 'failed'
      stream.lastError = err as Error
      this.events.emit('stream:stopped', { streamId, sourceId, reason: 'failed to start', error: err as Error })
      throw err
    }
    if (loop && hasDone(mode)) {
      // A mode that ends by itself (a push subscription that failed, a refused configuration, a
      // schedule that ran out) ends its stream too, with the reason.
      void mode.done().then((exit) => {
        if (exit.reason === 'stopped') return
        const error =
          exit.reason === 'fatal' ? (exit.error ?? new Error('the ingestion mode stopped on an error')) : undefined
        void this.#stopStream(streamId, exit.reason === 'fatal' ? 'failed' : 'ended', error).catch(() => {})
      })
    }
    lockSource(this.stateDir, sourceId)
    this.#streamsStarted++
    this.events.emit('stream:started', { streamId, sourceId, mode: modeName, connector: connectorName })
    this.logger.info({ stream: streamId, source: sourceId, mode: modeName, connector: connectorName }, 'stream started')
    return streamId
  }

  /** Starts every enabled source; returns the stream ids. */
  async startAll(): Promise<string[]> {
    const ids: string[] = []
    for (const [sourceId, source] of Object.entries(this.config.sources)) {
      if (source.enabled) ids.push(await this.startStream(sourceId))
    }
    return ids
  }

  async #enqueue(items: QueuedRecord[], signal: AbortSignal): Promise<void> {
    const queue = this.#queue!
    const sourceId = items[0]!.record.sourceId
    const stream = this.#streams.get(items[0]!.streamId)
    try {
      const result = await queue.enqueueAll(items, (i) => i.record.priority, sourceId, signal)
      if (stream) stream.counts.enqueued += result.accepted
    } catch (err) {
      // Interrupted while waiting for room (stop, or queue closed): what was not queued is counted
      // and its cursor stays uncommitted, so a pull source fetches it again at the next start.
      const accepted = err instanceof EnqueueInterruptedError ? err.accepted : 0
      const left = items.length - accepted
      if (stream) {
        stream.counts.enqueued += accepted
        stream.counts.failed += left
      }
      this.#dropped.set('stream_stopped', (this.#dropped.get('stream_stopped') ?? 0) + left)
      this.events.emit('record:dropped', { sourceId, reason: 'stream_stopped', count: left })
      throw err
    }
  }

  #onDrop(items: readonly QueuedRecord[], reason: DropReason): void {
    for (const item of items) {
      const stream = this.#streams.get(item.streamId)
      if (stream) {
        stream.counts.dropped++
        stream.settle([item])
      }
    }
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + items.length)
    this.events.emit('record:dropped', { sourceId: items[0]?.record.sourceId ?? '', reason, count: items.length })
  }

  #onSettled(items: readonly QueuedRecord[], result: import('@firefront/sdk').SinkResult): void {
    const stream = this.#streams.get(items[0]!.streamId)
    if (stream) {
      stream.counts.sent += result.delivered
      stream.counts.dead_lettered += result.deadLettered
      stream.counts.spooled += result.spooled
      stream.settle(items)
    }
    if (result.deadLettered > 0) {
      this.events.emit('dlq:written', {
        sourceId: items[0]!.record.sourceId,
        topic: this.config.dlq.topic,
        count: result.deadLettered,
        reason: 'sink',
      })
    }
  }

  #onAbandoned(items: readonly QueuedRecord[], error: Error): void {
    const bySource = new Map<string, number>()
    for (const item of items) {
      const stream = this.#streams.get(item.streamId)
      if (stream) stream.counts.failed++
      bySource.set(item.record.sourceId, (bySource.get(item.record.sourceId) ?? 0) + 1)
    }
    for (const [sourceId, count] of bySource) {
      this.#dropped.set('shutdown_timeout', (this.#dropped.get('shutdown_timeout') ?? 0) + count)
      this.events.emit('record:dropped', { sourceId, reason: 'shutdown_timeout', count })
      this.logger.error(
        { source: sourceId, count, err: error },
        'records were not sent before shutdown; their cursor stays uncommitted, so a pull source fetches them again at the next start',
      )
    }
  }

  /** Stops one stream: its mode finishes the cycle in flight; queued records are still sent. */
  async stopStream(streamId: string, reason = 'stopped', error?: Error): Promise<void> {
    return this.#stopStream(streamId, reason, error)
  }

  async #stopStream(streamId: string, reason: string, error: Error | undefined, graceMs?: number): Promise<void> {
    const stream = this.#streams.get(streamId)
    if (!stream) throw new FirefrontError('ERR_SOURCE_UNKNOWN', `Stream not found: ${streamId}`)
    if (stream.status === 'stopped' || stream.status === 'stopping' || stream.status === 'failed') return
    await stream.stop(graceMs)
    if (error) {
      stream.status = 'failed'
      stream.lastError = error
    }
    unlockSource(this.stateDir, stream.d.sourceId)
    this.events.emit('stream:stopped', { streamId, sourceId: stream.d.sourceId, reason, ...(error ? { error } : {}) })
    this.logger.info({ stream: streamId, source: stream.d.sourceId, reason }, 'stream stopped')
  }

  /**
   * Runs one cycle of every enabled pull source (or of `sourceIds`), then waits until everything
   * fetched is acknowledged and the cursors are committed. Push sources are skipped.
   */
  async runOnce(sourceIds?: readonly string[]): Promise<void> {
    if (!this.#started) await this.start()
    const ids =
      sourceIds ??
      Object.entries(this.config.sources)
        .filter(([, s]) => s.enabled)
        .map(([id]) => id)
    for (const sourceId of ids) {
      const streamId = await this.#open(sourceId, undefined, false)
      const stream = this.#streams.get(streamId)!
      if (stream.d.connector.mode !== 'pull') {
        this.logger.warn({ source: sourceId }, 'push sources have no single cycle; skipped by --once')
        continue
      }
      try {
        await stream.runOnce()
      } catch (err) {
        stream.status = 'failed'
        stream.lastError = err as Error
        this.logger.error({ err, source: sourceId }, 'the cycle failed')
        this.events.emit('error', err as Error, { sourceId, component: 'stream' })
      }
    }
    await this.#consumer!.idle()
    await this.#sink!.flush?.()
    for (const s of this.#streams.values()) await s.flushCommits()
  }

  /**
   * Graceful stop, bounded by `shutdown_timeout_seconds`: stop polling, drain the queue, flush the
   * sink, commit cursors, close everything in reverse order of start.
   */
  async stop(timeoutMs = this.config.shutdown_timeout_seconds * 1000): Promise<void> {
    if (!this.#started) return
    const deadline = this.#clock.now() + timeoutMs
    // Streams stop together; each may finish its cycle in flight within half the shutdown budget.
    const grace = Math.min(10_000, timeoutMs / 2)
    await Promise.all(
      [...this.#streams.keys()]
        .reverse()
        .map((id) => this.#stopStream(id, 'stopped', undefined, grace).catch(() => {})),
    )
    this.#queue!.close()
    await this.#consumer!.stop(Math.max(0, deadline - this.#clock.now()))
    await this.#sink!.flush?.().catch((err: unknown) => this.logger.error({ err }, 'sink flush failed'))
    for (const s of this.#streams.values()) await s.flushCommits()
    this.#rootAbort.abort()
    await this.#sink!.close?.().catch((err: unknown) => this.logger.error({ err }, 'sink close failed'))
    await this.#throttle!.close?.().catch(() => {})
    await this.#cursors?.close?.().catch(() => {})
    this.#started = false
    this.logger.info({ uptime_seconds: (this.#clock.now() - this.#startedAt) / 1000 }, 'stream manager stopped')
  }

  /** Stream ids and their state. */
  listStreams(): Array<{ streamId: string; sourceId: string; status: string }> {
    return [...this.#streams.values()].map((s) => ({
      streamId: s.d.streamId,
      sourceId: s.d.sourceId,
      status: s.status,
    }))
  }

  /** The seed's metrics object: `stream_manager`, `queue`, `producer`, `throttling`, `topic_resolver`, per-stream `mode` and `api`. */
  async getMetrics(): Promise<Record<string, JsonValue>> {
    const streams: Record<string, JsonValue> = {}
    for (const [id, s] of this.#streams) streams[id] = s.getMetrics()
    const active = [...this.#streams.values()].filter((s) => s.status === 'running').length
    return {
      stream_manager: {
        running: this.#started,
        active_streams: active,
        total_streams: this.#streams.size,
        total_streams_started: this.#streamsStarted,
        uptime_seconds: this.#started ? (this.#clock.now() - this.#startedAt) / 1000 : 0,
        dropped_by_reason: Object.fromEntries(this.#dropped),
        sink: this.#sinkName,
      },
      queue: (this.#queue?.getMetrics() ?? null) as unknown as JsonValue,
      consumer: this.#consumer?.getMetrics() ?? null,
      producer: this.#sink?.metrics?.() ?? null,
      throttling: this.#throttle?.metrics() ?? null,
      topic_resolver: this.#chain?.getMetrics() ?? null,
      streams,
    }
  }

  /** Health: the sink's own health, queue fullness and each stream's state. */
  async healthCheck(): Promise<{ healthy: boolean; [k: string]: JsonValue }> {
    const sink = (await this.#sink
      ?.health?.()
      .catch((err: unknown) => ({ healthy: false, error: (err as Error).message }))) ?? { healthy: this.#started }
    const queueFull = this.#queue?.isFull() ?? false
    const failed = [...this.#streams.values()].filter((s) => s.status === 'failed').map((s) => s.d.sourceId)
    return {
      healthy: this.#started && sink.healthy && !queueFull && failed.length === 0,
      running: this.#started,
      sink: sink as JsonValue,
      queue: { size: this.#queue?.size() ?? 0, full: queueFull },
      failed_streams: failed,
      streams: this.listStreams() as unknown as JsonValue,
    }
  }
}
