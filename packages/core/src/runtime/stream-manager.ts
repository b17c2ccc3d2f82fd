/**
 * StreamManager (the seed's `StreamManagerV2`): the runtime's front door. It plans the config
 * against the registry, hands the shared parts (state lock, cursor store, throttle policy, sink,
 * topic resolvers, pipeline) to a {@link Supervisor} that starts them in order and stops them in
 * reverse, and opens one {@link Stream} per source, which feeds the {@link Pipeline}.
 */
import { readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import {
  type AnyPlugin,
  type Clock,
  ConfigValidationError,
  type ConnectorInstance,
  type FetchFn,
  FirefrontError,
  type InstanceOf,
  isBranded,
  type JsonValue,
  type Plugin,
  type Priority,
  type SendHooks,
  type SinkInstance,
  type SourceInfo,
  systemClock,
  validateConfig,
} from '@firefront/sdk'
import type { Logger as PinoLogger } from 'pino'
import client from 'prom-client'
import type { FirefrontConfig, SourceConfig } from '../config/schema'
import type { CursorStore } from '../cursors/file-cursor-store'
import { lockSource, unlockSource } from '../cursors/source-lock'
import { IntakeJournal } from '../journal/intake-journal'
import { asSdkLogger, createLogger } from '../observability/logger'
import { type PlannedPlugin, planOutputs, planSource } from '../registry/plan'
import type { PluginRegistry } from '../registry/registry'
import { createBuiltinRegistry } from './builtins'
import { type ConfigChanges, configChanges } from './config-changes'
import { ClusterCoordinator } from './cluster/coordinator'
import { workerConfig } from './cluster/identity'
import { RuntimeEmitter } from './events'
import type { RuntimeMetrics } from './metrics'
import type { Pipeline } from './pipeline'
import { createPluginContext } from './plugin-context'
import { RejectMemory } from './reject-memory'
import { SendHookRunner } from './send-hooks'
import { type SharedParts, superviseSharedParts } from './shared-parts'
import { Stream, type StreamMetrics } from './stream'
import { type StopFailure, Supervisor, type TeardownReport } from './supervisor'

/** Send hooks (see the SDK's `SendHooks`); re-exported for code that embeds the runtime. */
export type { SendHooks } from '@firefront/sdk'

/** What a reload did: the config's changes, and the sources started again or for the first time. */
export interface ReloadReport extends ConfigChanges {
  readonly started: readonly string[]
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
  /** The `fetch` connectors get in their context (default the global one): recorded answers in `firefront test`. */
  readonly fetch?: FetchFn
}

const STREAM_ID_SAFE = /[^A-Za-z0-9_.-]/g

/** The seed's StreamManager; see the module comment. */
export class StreamManager {
  /** Typed runtime events (`stream:started`, `batch:sent`, `record:dropped`, ...). */
  readonly events = new RuntimeEmitter()
  readonly logger: PinoLogger
  readonly metricsRegistry = new client.Registry()
  #o: StreamManagerOptions
  #config: FirefrontConfig
  #registry: PluginRegistry
  #reloading: Promise<unknown> = Promise.resolve()
  readonly #clock: Clock
  readonly #streams = new Map<string, Stream>()
  readonly #rejects = new Map<string, RejectMemory>()
  readonly #journals = new Map<string, IntakeJournal>()
  readonly #rootAbort = new AbortController()
  readonly #hooks: SendHookRunner
  readonly #supervisor: Supervisor
  readonly #parts: SharedParts = {}
  #sinkName = 'custom'
  #state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle'
  #starting: Promise<void> | undefined
  #startedAt = 0
  #streamsStarted = 0
  #seq = 0
  #stopDeadline = Number.POSITIVE_INFINITY
  #haltWith: ((error: FirefrontError) => void) | undefined
  /** Resolves when a part says this process cannot go on (a worker the cluster refused). */
  readonly halted: Promise<FirefrontError> = new Promise((resolve) => {
    this.#haltWith = resolve
  })

  constructor(options: StreamManagerOptions) {
    this.#o = options
    // with `cluster:`, this worker's id and its own state folder
    this.#config = workerConfig(options.config)
    this.#clock = options.clock ?? systemClock
    this.logger = options.logger ?? createLogger({ level: options.config.log_level })
    this.#registry = options.registry ?? createBuiltinRegistry()
    for (const p of options.plugins ?? []) this.registry.register(p, { via: 'code' })
    this.#hooks = new SendHookRunner((error, batch, phase) => {
      if (phase === 'beforeSend')
        this.logger.error({ err: error }, 'a beforeSend hook failed; the batch is sent as it was')
      else this.logger.warn({ err: error }, 'an afterSend hook failed')
      this.events.emit('error', error, { sourceId: batch.sourceId, component: 'hooks' })
    })
    this.#hooks.addGlobal(...(options.hooks ?? []))
    this.#supervisor = new Supervisor({ onStopError: (f) => this.#reportStopFailure(f) })
  }

  /** The config in force (a reload replaces its sources). */
  get config(): FirefrontConfig {
    return this.#config
  }

  /** The registry sources are planned against (a reload replaces it). */
  get registry(): PluginRegistry {
    return this.#registry
  }

  /**
   * Applies a new config to the running manager (`firefront run --watch`, SIGHUP): the sources
   * whose blocks changed are stopped — their queued records delivered and cursors committed
   * first — and started again with the new block, from their committed cursor; removed sources
   * stop, added ones start, the others run on untouched. Throws `ERR_CONFIG_INVALID`, changing
   * nothing, when keys outside `sources:` (and `plugins:`) changed: those need a restart.
   * `select` says which sources this process runs (the run's `--source`); default every one.
   * Reloads run one at a time.
   */
  reconfigure(
    next: { config: FirefrontConfig; registry: PluginRegistry; raw?: unknown },
    select: (sourceId: string) => boolean = () => true,
  ): Promise<ReloadReport> {
    const run = this.#reloading.then(() => this.#reconfigure(next, select))
    this.#reloading = run.catch(() => undefined)
    return run
  }

  async #reconfigure(
    next: { config: FirefrontConfig; registry: PluginRegistry; raw?: unknown },
    select: (sourceId: string) => boolean,
  ): Promise<ReloadReport> {
    if (this.#state !== 'running') throw new FirefrontError('ERR_STOPPED', `the StreamManager is ${this.#state}`)
    if (this.#config.cluster || next.config.cluster) {
      throw new FirefrontError(
        'ERR_CONFIG_INVALID',
        'reload refused: with cluster:, restart the workers one by one instead',
      )
    }
    const config = workerConfig(next.config)
    const diff = configChanges(this.#config, config, this.#o.raw, next.raw)
    if (diff.outside.length > 0) {
      throw new FirefrontError(
        'ERR_CONFIG_INVALID',
        `reload refused: ${diff.outside.join(', ')} changed, and changes outside sources: take a restart; the running configuration goes on`,
      )
    }
    const running = (sourceId: string) =>
      [...this.#streams.values()].filter(
        (s) => s.d.sourceId === sourceId && (s.status === 'running' || s.status === 'starting'),
      )
    const wasRunning = new Set<string>()
    const budget = this.#config.shutdown_timeout_seconds * 1000
    for (const id of [...diff.changed, ...diff.removed]) {
      for (const stream of running(id)) {
        wasRunning.add(id)
        const failures = await this.#stopStream(stream.d.streamId, 'reconfigured', undefined, budget / 2)
        if (failures.length > 0) this.logger.warn({ source: id, err: failures[0] }, 'the source stopped with an error')
        // its queued records are delivered and its cursor committed before it starts again
        await this.drainStream(stream.d.streamId, budget / 2)
      }
    }
    this.#config = config
    this.#registry = next.registry
    this.#o = {
      ...this.#o,
      config: next.config,
      ...(next.raw !== undefined ? { raw: next.raw as { kafka?: unknown } } : {}),
    }
    for (const id of [...diff.changed, ...diff.removed]) this.#infoCache.delete(id)
    const started: string[] = []
    for (const id of [...diff.changed, ...diff.added]) {
      const source = config.sources[id]
      const restart = diff.changed.includes(id) ? wasRunning.has(id) || select(id) : select(id)
      if (!source?.enabled || !restart) continue
      await this.startStream(id)
      started.push(id)
    }
    return { ...diff, started }
  }

  /** Adds send hooks (see `SendHooks`); they apply to batches sent from now on. */
  addHooks(...hooks: SendHooks[]): void {
    this.#hooks.addGlobal(...hooks)
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
    if (!this.#parts.cursors) throw new FirefrontError('ERR_STOPPED', 'the StreamManager is not started')
    return this.#parts.cursors
  }

  #pipeline(): Pipeline {
    if (!this.#parts.pipeline) throw new FirefrontError('ERR_STOPPED', 'the StreamManager is not started')
    return this.#parts.pipeline
  }

  /**
   * Starts the shared parts in order: the state directory's lock, the cursor store, the throttle
   * policy, the sink (and its topics), the topic resolvers, the pipeline. A part that fails stops
   * the ones already started, in reverse. Streams are started with {@link startStream} or
   * {@link startAll}.
   */
  async start(): Promise<void> {
    if (this.#state === 'running') return
    if (this.#starting) return this.#starting
    if (this.#state !== 'idle') throw new FirefrontError('ERR_STOPPED', `the StreamManager is ${this.#state}`)
    this.#starting = this.#start()
    try {
      await this.#starting
    } finally {
      this.#starting = undefined
    }
  }

  async #start(): Promise<void> {
    const cfg = this.config
    const outputs = planOutputs(cfg, this.registry, {
      baseDir: this.#baseDir,
      raw: this.#o.raw,
    })
    if (
      outputs.issues.length > 0 &&
      !(this.#o.sink && outputs.issues.every((i) => i.path.startsWith('sink') || i.path === 'kafka'))
    ) {
      throw new ConfigValidationError(outputs.issues)
    }
    this.#state = 'starting'
    if (!this.#o.sink) this.#sinkName = outputs.sink!.entry.plugin.name
    const sv = this.#supervisor
    await superviseSharedParts(sv, this.#parts, {
      config: cfg,
      registry: this.registry,
      outputs,
      stateDir: this.stateDir,
      ...(this.#o.configFile ? { configFile: resolve(this.#o.configFile) } : {}),
      ...(this.#o.sink ? { sink: this.#o.sink } : {}),
      sinkName: this.#sinkName,
      hooks: this.#hooks,
      events: this.events,
      logger: this.logger,
      clock: this.#clock,
      create: (planned, role) => this.#create(planned, role),
      sourceInfo: (id) => this.#infoOf(id),
      drainTimeoutMs: () => Math.max(0, this.#stopDeadline - this.#clock.now()),
      afterDrain: async () => {
        for (const s of this.#streams.values()) await s.flushCommits()
      },
      reportStopFailure: (f) => this.#reportStopFailure(f),
      ...(cfg.cluster ? { cluster: () => this.#clusterCoordinator() } : {}),
    })
    try {
      await sv.start()
    } catch (err) {
      this.#state = 'stopped'
      this.#rootAbort.abort()
      throw err
    }
    this.#state = 'running'
    this.#startedAt = this.#clock.now()
    this.logger.info(
      { sink: this.#sinkName, queue_max_size: cfg.queue_max_size, batch_size: cfg.kafka.batch_size },
      'stream manager started',
    )
  }

  #clusterCoordinator(): ClusterCoordinator {
    return new ClusterCoordinator({
      config: this.config,
      logger: this.logger.child({ component: 'cluster' }),
      stopBudgetMs: () => Math.max(0, this.#stopDeadline - this.#clock.now()),
      halt: (error) => this.#haltWith?.(error),
      ownership: {
        acquire: (sourceId) => this.startStream(sourceId),
        release: async (streamId, _identity, budgetMs) => {
          const failures = await this.#stopStream(streamId, 'moved to another worker', undefined, budgetMs / 2)
          if (failures.length > 0) throw failures[0]
          await this.drainStream(streamId, budgetMs / 2)
          const sourceId = this.#streams.get(streamId)?.d.sourceId
          if (sourceId !== undefined) await this.#parts.pipeline?.unfence([sourceId])
        },
        fence: async (sourceIds) => {
          await this.#parts.pipeline?.fence(sourceIds)
        },
        refreshCursors: async (sourceIds) => {
          await this.#parts.cursors?.refresh?.(sourceIds)
        },
        isRunning: (streamId) => {
          const status = this.#streams.get(streamId)?.status
          return status !== undefined && status !== 'stopped' && status !== 'failed'
        },
      },
    })
  }

  /**
   * Waits until every record a stopped stream fetched is settled (delivered, dead-lettered,
   * spooled or dropped) and its cursor committed, for at most `timeoutMs`. Resolves with whether
   * everything settled. The pipeline keeps sending meanwhile.
   */
  async drainStream(streamId: string, timeoutMs: number): Promise<boolean> {
    const stream = this.#streams.get(streamId)
    if (!stream) throw new FirefrontError('ERR_SOURCE_UNKNOWN', `Stream not found: ${streamId}`)
    const deadline = this.#clock.now() + timeoutMs
    while (stream.unsettled > 0 && this.#clock.now() < deadline) await this.#clock.sleep(20)
    await stream.flushCommits()
    return stream.unsettled === 0
  }

  #reportStopFailure(failure: StopFailure): void {
    this.logger.error({ err: failure.error, component: failure.name }, `${failure.name} failed to stop`)
    this.events.emit('error', failure.error, { component: failure.name })
  }

  async #create<K extends 'sink' | 'throttle-policy' | 'topic-resolver'>(
    planned: PlannedPlugin<K>,
    role: string,
  ): Promise<InstanceOf[K]> {
    const plugin = planned.entry.plugin as Plugin<K>
    const ctx = createPluginContext({
      id: `${plugin.kind}:${plugin.name}#${role}`,
      logger: asSdkLogger(this.logger),
      metricsRegistry: this.metricsRegistry,
      signal: this.#rootAbort.signal,
      clock: this.#clock,
    })
    try {
      return (await plugin.create(planned.config as never, ctx)) as InstanceOf[K]
    } catch (err) {
      throw new FirefrontError('ERR_PLUGIN_START', `${planned.entry.id} failed to create: ${(err as Error).message}`, {
        cause: err,
      })
    }
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

  readonly #infoCache = new Map<string, SourceInfo>()
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
    return (await this.#open(sourceId, connector, true)).d.streamId
  }

  async #open(
    sourceId: string,
    connector: ConnectorInstance | Plugin<'connector'> | undefined,
    loop: boolean,
  ): Promise<Stream> {
    await this.start()
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
      const checked = validateConfig(connector.configSchema, source.config, `sources.${sourceId}.config`)
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
    // The stream is created after its plugins, but their contexts hand rejected inputs to it.
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
        ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
        reject: (input) => stream?.reject(input),
        skip: (reason, count) => stream?.skip(reason, count),
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
        { cause: err },
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
      pipeline: this.#pipeline(),
      dlqTopic: this.config.enable_dlq ? this.config.dlq.topic : undefined,
      onFatal: (error) => void this.#endStream(streamId, 'failed', error),
      rejects: this.#rejectMemory(sourceId),
      journal: this.#journalFor(sourceId, source, instance),
    })
    const opened = stream
    opened.signal.addEventListener('abort', () => streamAbort.abort(opened.signal.reason), { once: true })
    this.#streams.set(streamId, opened)
    this.#pipeline().attach(streamId, opened)
    this.#hooks.addForSource(sourceId, instance.hooks, mode.hooks)
    try {
      await opened.start(loop)
    } catch (err) {
      this.#hooks.removeSource(sourceId)
      this.events.emit('stream:stopped', { streamId, sourceId, reason: 'failed to start', error: err as Error })
      throw err
    }
    if (loop && mode.done) {
      // A mode that ends by itself (a push subscription that failed, a refused configuration, a
      // schedule that ran out) ends its stream too, with the reason.
      void mode.done().then((exit) => {
        if (exit.reason === 'stopped') return
        const error =
          exit.reason === 'fatal' ? (exit.error ?? new Error('the ingestion mode stopped on an error')) : undefined
        void this.#endStream(streamId, exit.reason === 'fatal' ? 'failed' : 'ended', error)
      })
    }
    lockSource(this.stateDir, sourceId)
    this.#streamsStarted++
    this.events.emit('stream:started', { streamId, sourceId, mode: modeName, connector: connectorName })
    this.logger.info({ stream: streamId, source: sourceId, mode: modeName, connector: connectorName }, 'stream started')
    return opened
  }

  /** A push source's intake journal, opened at its first stream and kept across its streams. */
  #journalFor(sourceId: string, source: SourceConfig, instance: ConnectorInstance): IntakeJournal | undefined {
    if (instance.mode !== 'push' || source.journal?.enabled === false) return undefined
    let journal = this.#journals.get(sourceId)
    if (!journal) {
      journal = IntakeJournal.open({
        file: join(this.stateDir, 'journal', `${encodeURIComponent(sourceId)}.jsonl`),
        fsync: source.journal?.fsync ?? false,
      })
      this.#journals.set(sourceId, journal)
      const { tornLines } = journal.stats
      if (tornLines > 0) {
        this.logger.warn(
          { source: sourceId, file: journal.file, torn_lines: tornLines },
          'the intake journal held lines cut short by a crash; they were skipped',
        )
      }
    }
    return journal
  }

  #rejectMemory(sourceId: string): RejectMemory {
    let memory = this.#rejects.get(sourceId)
    if (!memory) {
      memory = new RejectMemory()
      this.#rejects.set(sourceId, memory)
    }
    return memory
  }

  /** Starts every enabled source; returns the stream ids. */
  async startAll(): Promise<string[]> {
    const ids: string[] = []
    for (const [sourceId, source] of Object.entries(this.config.sources)) {
      if (source.enabled) ids.push(await this.startStream(sourceId))
    }
    this.#warnOrphanJournals()
    return ids
  }

  /**
   * Journals left with entries by a source that does not run now (disabled, renamed, removed):
   * their records were acknowledged upstream and wait for the source to run again.
   */
  #warnOrphanJournals(): void {
    const dir = join(this.stateDir, 'journal')
    let files: string[]
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
    } catch {
      return
    }
    for (const file of files) {
      const name = file.slice(0, -'.jsonl'.length)
      let sourceId = name
      try {
        sourceId = decodeURIComponent(name)
      } catch {
        // a file this runtime did not name: reported under its own name
      }
      if (this.#journals.has(sourceId)) continue
      const path = join(dir, file)
      if (statSync(path).size === 0) continue
      this.logger.warn(
        { source: sourceId, file: path },
        `the intake journal of source ${sourceId}, which does not run now, holds records acknowledged upstream and not yet delivered; they are sent when the source runs again`,
      )
    }
  }

  /** Ends a stream by itself (fatal error, an ended schedule); errors are reported, not thrown. */
  async #endStream(streamId: string, reason: string, error: Error | undefined): Promise<void> {
    try {
      await this.#stopStream(streamId, reason, error)
    } catch (err) {
      this.logger.error({ err, stream: streamId }, 'the stream could not be ended cleanly')
      this.events.emit('error', err as Error, { component: `stream ${streamId}` })
    }
    // a fenced stream in a group: the coordinator decides whether the source is still ours
    if ((error as { code?: unknown } | undefined)?.code === 'ERR_FENCED') {
      const sourceId = this.#streams.get(streamId)?.d.sourceId
      if (sourceId !== undefined) this.#parts.cluster?.fenced(sourceId, streamId)
    }
  }

  /** Stops one stream: its mode finishes the cycle in flight; queued records are still sent. */
  async stopStream(streamId: string, reason = 'stopped', error?: Error): Promise<void> {
    const failures = await this.#stopStream(streamId, reason, error)
    if (failures.length > 0) throw failures[0]
  }

  async #stopStream(streamId: string, reason: string, error: Error | undefined, graceMs?: number): Promise<Error[]> {
    const stream = this.#streams.get(streamId)
    if (!stream) throw new FirefrontError('ERR_SOURCE_UNKNOWN', `Stream not found: ${streamId}`)
    if (stream.status === 'stopped' || stream.status === 'stopping') return []
    const failures = await stream.stop(graceMs, error)
    this.#hooks.removeSource(stream.d.sourceId)
    for (const f of failures) {
      this.logger.error({ err: f, stream: streamId }, f.message)
      this.events.emit('error', f, { sourceId: stream.d.sourceId, component: 'stream' })
    }
    unlockSource(this.stateDir, stream.d.sourceId)
    this.events.emit('stream:stopped', {
      streamId,
      sourceId: stream.d.sourceId,
      reason,
      ...(stream.lastError && stream.status === 'failed' ? { error: stream.lastError } : {}),
    })
    this.logger.info({ stream: streamId, source: stream.d.sourceId, reason }, 'stream stopped')
    return failures
  }

  /**
   * Runs one cycle of every enabled pull source (or of `sourceIds`), then waits until everything
   * fetched is acknowledged and the cursors are committed. Push sources are skipped. A
   * {@link stop} meanwhile (SIGTERM) ends the cycles in flight gracefully, and this resolves.
   */
  async runOnce(sourceIds?: readonly string[]): Promise<void> {
    await this.start()
    const ids =
      sourceIds ??
      Object.entries(this.config.sources)
        .filter(([, s]) => s.enabled)
        .map(([id]) => id)
    for (const sourceId of ids) {
      if (this.#state !== 'running') return
      let stream: Stream
      try {
        stream = await this.#open(sourceId, undefined, false)
      } catch (err) {
        // a stop (SIGTERM) while the stream was opening: the stop owns what happens next
        if (this.#state !== 'running') return
        throw err
      }
      if (!stream.pulls) {
        this.logger.warn({ source: sourceId }, 'push sources have no single cycle; skipped by --once')
        continue
      }
      try {
        await stream.runOnce()
      } catch (err) {
        if (this.#state !== 'running') return
        stream.fail(err as Error)
        this.logger.error({ err, source: sourceId }, 'the cycle failed')
        this.events.emit('error', err as Error, { sourceId, component: 'stream' })
      }
    }
    if (this.#state !== 'running') return
    await this.#pipeline().idle()
    if (this.#state !== 'running') return
    await this.#parts.sink?.flush?.()
    for (const s of this.#streams.values()) await s.flushCommits()
  }

  /**
   * Graceful stop, bounded by `shutdown_timeout_seconds`: stop polling, drain the queue, flush the
   * sink, commit cursors, then close every part in reverse order of start. Resolves with what
   * failed on the way down (each failure is also logged and emitted as an `error` event).
   */
  async stop(timeoutMs = this.config.shutdown_timeout_seconds * 1000): Promise<TeardownReport> {
    if (this.#starting) await this.#starting.catch(() => undefined)
    if (this.#state !== 'running') return { stopped: [], failures: [] }
    this.#state = 'stopping'
    this.#stopDeadline = this.#clock.now() + timeoutMs
    // Streams stop together; each may finish its cycle in flight within half the shutdown budget.
    const grace = Math.min(10_000, timeoutMs / 2)
    const streamFailures = await Promise.all(
      [...this.#streams.keys()].reverse().map(async (id): Promise<StopFailure[]> => {
        const errors = await this.#stopStream(id, 'stopped', undefined, grace)
        return errors.map((error) => ({ name: `stream ${id}`, error }))
      }),
    )
    const report = await this.#supervisor.stop()
    // after the pipeline drained: what is still unsettled stays in the journals for the next start
    for (const journal of this.#journals.values()) journal.close()
    this.#journals.clear()
    this.#rootAbort.abort()
    this.#state = 'stopped'
    this.logger.info({ uptime_seconds: (this.#clock.now() - this.#startedAt) / 1000 }, 'stream manager stopped')
    return { stopped: report.stopped, failures: [...streamFailures.flat(), ...report.failures] }
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
  async getMetrics(): Promise<RuntimeMetrics> {
    const streams: Record<string, StreamMetrics> = {}
    for (const [id, s] of this.#streams) streams[id] = s.getMetrics()
    const active = [...this.#streams.values()].filter((s) => s.status === 'running').length
    const pipeline = this.#parts.pipeline?.metrics()
    const running = this.#state === 'running'
    return {
      stream_manager: {
        running,
        active_streams: active,
        total_streams: this.#streams.size,
        total_streams_started: this.#streamsStarted,
        uptime_seconds: running ? (this.#clock.now() - this.#startedAt) / 1000 : 0,
        dropped_by_reason: pipeline?.dropped_by_reason ?? {},
        delivered_by_topic: pipeline?.delivered_by_topic ?? {},
        sink: this.#sinkName,
      },
      queue: pipeline?.queue ?? null,
      consumer: pipeline?.consumer ?? null,
      producer: this.#parts.sink?.metrics?.() ?? null,
      throttling: this.#parts.throttle?.metrics() ?? null,
      topic_resolver: pipeline?.topic_resolver ?? null,
      cluster: this.#parts.cluster?.metrics() ?? null,
      streams,
    }
  }

  /**
   * Readiness, for a probe: ready once every shared part has started, not before and not while
   * stopping (health says whether what runs is well).
   */
  readiness(): { ready: boolean; state: string } {
    return { ready: this.#state === 'running', state: this.#state }
  }

  /** Health: the sink's own health, queue fullness and each stream's state. */
  async healthCheck(): Promise<{ healthy: boolean; [k: string]: JsonValue }> {
    const running = this.#state === 'running'
    const sink = (await this.#parts.sink
      ?.health?.()
      .catch((err: unknown) => ({ healthy: false, error: (err as Error).message }))) ?? { healthy: running }
    const queueFull = this.#parts.pipeline?.isFull() ?? false
    const failed = [...this.#streams.values()].filter((s) => s.status === 'failed').map((s) => s.d.sourceId)
    const cluster = this.#parts.cluster?.metrics()
    const clusterWell = !cluster || cluster.state === 'member' || cluster.state === 'joining'
    return {
      healthy: running && sink.healthy && !queueFull && failed.length === 0 && clusterWell,
      running,
      sink: sink as JsonValue,
      queue: { size: this.#parts.pipeline?.size() ?? 0, full: queueFull },
      failed_streams: failed,
      streams: this.listStreams() as unknown as JsonValue,
      ...(this.#parts.cluster ? { cluster: this.#parts.cluster.toJSON() } : {}),
    }
  }
}
