/**
 * The `kafka` sink plugin: the runtime hands it batches; it hands them to the
 * {@link ProducerWrapper} (retries, dead-letter topic, disk spool) and reports the counts.
 */
import {
  type Clock,
  defineSink,
  FirefrontError,
  type JsonValue,
  type PluginContext,
  type SinkBatch,
  type SinkHealth,
  type SinkInstance,
  type SinkResult,
} from '@firefront/sdk'
import { SegmentSpool } from '../../spool/segment-spool'
import { describeKafkaConfig, kafkajsClientConfig, redactorFor } from './client-options'
import { KafkaSinkConfig, localDeadLetterDirectory, spoolDirectory } from './config'
import { type ProducerMetrics, ProducerWrapper, type SpooledBatch } from './producer-wrapper'
import { createKafkajsTransport, type KafkaTransport } from './transport'

const NOT_STARTED: ProducerMetrics = {
  total_sent: 0,
  total_failed: 0,
  total_retries: 0,
  dead_lettered: 0,
  dead_lettered_local: 0,
  spooled: 0,
  replayed: 0,
  batches: 0,
  bytes: 0,
  last_error: null,
  latency_p50_ms: null,
  latency_p99_ms: null,
  connected: false,
  paused: false,
  pauses: 0,
  dlq_capped: 0,
  spool_entries: 0,
  spool_bytes: 0,
  spool_full: 0,
  spool_torn_lines: 0,
  failure_rate: 0,
}

/** The kafka sink instance: the SDK's {@link SinkInstance} plus topic management. */
export interface KafkaSinkInstance extends SinkInstance {
  /**
   * Creates the topics that are missing (when `kafka.topics.auto_create`), with the configured
   * partitions and replication factor. Throws `ERR_SINK_REFUSED` naming the topic and the
   * broker's message when the broker refuses. Call after `start()`; topics not named here are
   * created before their first send.
   */
  ensureTopics(topics: readonly string[]): Promise<void>
  /** The producer's figures (see {@link ProducerMetrics}); zeros before `start()`. */
  metrics(): ProducerMetrics & Record<string, JsonValue>
  health(): Promise<SinkHealth>
  /** The producer wrapper, once started (for its seed-shaped `getMetrics()` / `healthCheck()`). */
  readonly producer: ProducerWrapper | undefined
}

/**
 * True when a sink instance can create topics (the kafka sink does): the runtime can call
 * `ensureTopics` with the topics it knows before the first batch.
 */
export function hasEnsureTopics(sink: SinkInstance): sink is SinkInstance & Pick<KafkaSinkInstance, 'ensureTopics'> {
  return typeof (sink as Partial<KafkaSinkInstance>).ensureTopics === 'function'
}

/** What tests (and embedders) may replace. */
export interface KafkaSinkDeps {
  /** A transport instead of the kafkajs one (tests without a broker). */
  readonly transport?: KafkaTransport
  readonly clock?: Clock
  readonly random?: () => number
}

/**
 * Makes a kafka sink instance. Nothing touches the network or the disk before `start()`, which
 * reads the TLS files, opens the spool, connects and replays what the spool holds.
 */
export function createKafkaSink(
  config: KafkaSinkConfig,
  ctx: PluginContext,
  deps: KafkaSinkDeps = {},
): KafkaSinkInstance {
  let wrapper: ProducerWrapper | undefined
  let starting: Promise<void> | undefined
  const redactor = redactorFor(config.kafka)

  const start = async (): Promise<void> => {
    const client = await kafkajsClientConfig(config.kafka, { logger: ctx.logger })
    const transport = deps.transport ?? createKafkajsTransport({ config, client, redactor: client.redactor })
    const spool = new SegmentSpool<SpooledBatch>({
      directory: spoolDirectory(config),
      maxBytes: config.spool.max_bytes,
      segmentBytes: config.spool_segment_bytes,
    })
    const localDeadLetters = new SegmentSpool<SpooledBatch>({
      directory: localDeadLetterDirectory(config),
      maxBytes: config.spool.max_bytes,
      segmentBytes: config.spool_segment_bytes,
    })
    ctx.logger.info(
      {
        kafka: describeKafkaConfig(config.kafka),
        idempotent: config.idempotent,
        dlq: config.enable_dlq ? config.dlq.topic : false,
        spool: spool.directory,
      },
      'kafka sink starting',
    )
    wrapper = new ProducerWrapper({
      config,
      transport,
      spool,
      localDeadLetters,
      logger: ctx.logger,
      redactor: client.redactor,
      clock: deps.clock ?? ctx.clock,
      metrics: ctx.metrics,
      random: deps.random,
      signal: ctx.signal,
    })
    await wrapper.start()
  }

  const started = (): ProducerWrapper => {
    if (!wrapper) throw new FirefrontError('ERR_STOPPED', 'the kafka sink has not been started')
    return wrapper
  }

  return {
    get producer() {
      return wrapper
    },
    start() {
      starting ??= start().catch((err: unknown) => {
        // Secrets never leave in an error message.
        if (err instanceof Error) err.message = redactor.text(err.message)
        throw err
      })
      return starting
    },
    async send(batch: SinkBatch): Promise<SinkResult> {
      const { delivered, deadLettered, spooled } = await started().sendWithRetry(batch.records, {
        topic: batch.topic,
        sourceId: batch.sourceId,
        sourceType: batch.sourceType,
      })
      return { delivered, deadLettered, spooled }
    },
    ensureTopics: (topics) => started().ensureTopics(topics),
    flush: async () => {
      await wrapper?.flush()
    },
    metrics: () => ({ ...(wrapper?.getMetrics() ?? NOT_STARTED) }),
    health: async () => wrapper?.healthCheck() ?? { healthy: false, started: false },
    async close() {
      await wrapper?.close()
    },
  }
}

/**
 * The `kafka` sink plugin. Its config is the file's `kafka:`, `dlq:`, `spool:`, `enable_dlq` and
 * `state_dir`, gathered by {@link kafkaSinkConfigFrom}.
 */
export const kafkaSink = defineSink({
  name: 'kafka',
  version: '0.1.0',
  description:
    'Apache Kafka through kafkajs: idempotent, acks all, retries with backoff, dead-letter topic, disk spool',
  configSchema: KafkaSinkConfig,
  create: (config, ctx) => createKafkaSink(config, ctx),
})
