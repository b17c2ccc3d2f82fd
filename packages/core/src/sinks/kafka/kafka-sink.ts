/**
 * The `kafka` sink plugin: the SDK's sink contract mapped onto the Kafka adapter. `send` hands a
 * batch to {@link Delivery} (retries, dead-letter topic, disk spool, the delivery state machine)
 * over a {@link KafkaTransport}, and reports the counts.
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
import type { FirefrontConfig } from '../../config/schema'
import { KafkaSinkConfig, kafkaSinkConfigFrom, localDeadLetterDirectory, spoolDirectory } from '../../kafka/config'
import { Delivery } from '../../kafka/delivery/delivery'
import { NOT_STARTED_METRICS, type ProducerMetrics } from '../../kafka/delivery/delivery-metrics'
import type { SpooledBatch } from '../../kafka/delivery/delivery-spool'
import { openKafkaTransport } from '../../kafka/open-transport'
import { describeKafkaConfig, redactorFor } from '../../kafka/safe-config'
import type { KafkaTransport, ProducerTransport } from '../../kafka/transport'
import {
  type TransactionOutcome,
  type TransactionRequest,
  TransactionalWriter,
} from '../../kafka/delivery/transactions'
import { SegmentSpool } from '../../spool/segment-spool'

/** The kafka sink instance: the SDK's {@link SinkInstance} plus topic management. */
export interface KafkaSinkInstance extends SinkInstance {
  /**
   * Creates the topics that are missing (when `kafka.topics.auto_create`), with the configured
   * partitions and replication factor. Throws `ERR_SINK_REFUSED` naming the topic and the
   * broker's message when the broker refuses. Call after `start()`; topics not named here are
   * created before their first send.
   */
  ensureTopics(topics: readonly string[]): Promise<void>
  /** The producer's figures (see {@link ProducerMetrics}), with the delivery state; zeros before `start()`. */
  metrics(): ProducerMetrics & Record<string, JsonValue>
  health(): Promise<SinkHealth>
  /**
   * Batches the sink takes at once for one topic, keeping their order (`kafka.max_in_flight_batches`
   * as far as the client backend keeps order; 1 before `start()`): the queue consumer hands over
   * the next batch before the previous one is accounted for when this is above 1.
   */
  readonly maxInFlightBatches: number
  /** The delivery, once started (its seed-shaped `getMetrics()` / `healthCheck()` and `state`). */
  readonly producer: Delivery | undefined
  /**
   * Writes one poll of a source and its cursor in one Kafka transaction (`delivery:
   * exactly_once`); see {@link TransactionalWriter.write}.
   */
  writeTransaction(request: TransactionRequest): Promise<TransactionOutcome>
  /** Opens (and so fences older holders of) a transactional id; see {@link TransactionalWriter.open}. */
  openTransactional(transactionalId: string): Promise<void>
  /** Closes a transactional id's producer (its source moved to another process). */
  releaseTransactional(transactionalId: string): Promise<void>
}

/** True when a sink instance writes transactions (the kafka sink does). */
export function hasTransactions(
  sink: SinkInstance,
): sink is SinkInstance & Pick<KafkaSinkInstance, 'writeTransaction' | 'openTransactional' | 'releaseTransactional'> {
  return typeof (sink as Partial<KafkaSinkInstance>).writeTransaction === 'function'
}

/**
 * True when a sink instance can create topics (the kafka sink does): the runtime can call
 * `ensureTopics` with the topics it knows before the first batch.
 */
export function hasEnsureTopics(sink: SinkInstance): sink is SinkInstance & Pick<KafkaSinkInstance, 'ensureTopics'> {
  return typeof (sink as Partial<KafkaSinkInstance>).ensureTopics === 'function'
}

/** Batches a sink takes at once while keeping their order: the kafka sink's figure, else 1. */
export function sinkInFlightBatches(sink: SinkInstance): number {
  const n = (sink as Partial<KafkaSinkInstance>).maxInFlightBatches
  return typeof n === 'number' && n > 1 ? Math.floor(n) : 1
}

/** What tests (and embedders) may replace. */
export interface KafkaSinkDeps {
  /** A transport instead of the default backend's (tests without a broker). */
  readonly transport?: ProducerTransport
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
  let delivery: Delivery | undefined
  let transactions: TransactionalWriter | undefined
  let transport: KafkaTransport | undefined
  let starting: Promise<void> | undefined
  const redactor = redactorFor(config.kafka)

  const start = async (): Promise<void> => {
    const opened = deps.transport
      ? undefined
      : await openKafkaTransport({ kafka: config.kafka, logger: ctx.logger, idempotent: config.idempotent })
    transport = opened
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
    delivery = new Delivery({
      config,
      transport: deps.transport ?? opened!,
      spool,
      localDeadLetters,
      logger: ctx.logger,
      // The opened transport's redactor also knows the TLS key read at start.
      redactor: opened?.redactor ?? redactor,
      clock: deps.clock ?? ctx.clock,
      metrics: ctx.metrics,
      random: deps.random,
      signal: ctx.signal,
    })
    await delivery.start()
  }

  const writer = (): TransactionalWriter => {
    started()
    if (!transport) throw new FirefrontError('ERR_STOPPED', 'the kafka sink has no transport for transactions')
    transactions ??= new TransactionalWriter({
      config,
      transport,
      logger: ctx.logger,
      redactor: transport.redactor,
      clock: deps.clock ?? ctx.clock,
      signal: ctx.signal,
    })
    return transactions
  }

  const started = (): Delivery => {
    if (!delivery) throw new FirefrontError('ERR_STOPPED', 'the kafka sink has not been started')
    return delivery
  }

  return {
    get producer() {
      return delivery
    },
    get maxInFlightBatches() {
      return delivery?.inFlightBatches ?? 1
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
      const { delivered, deadLettered, spooled } = await started().send(batch.records, {
        topic: batch.topic,
        sourceId: batch.sourceId,
        sourceType: batch.sourceType,
      })
      return { delivered, deadLettered, spooled }
    },
    ensureTopics: (topics) => started().ensureTopics(topics),
    async writeTransaction(request) {
      return writer().write(request)
    },
    async openTransactional(transactionalId) {
      await writer().open(transactionalId)
    },
    async releaseTransactional(transactionalId) {
      await transactions?.release(transactionalId)
    },
    flush: async () => {
      await delivery?.flush()
    },
    metrics: () => ({ ...(delivery?.getMetrics() ?? NOT_STARTED_METRICS), ...transactions?.metrics() }),
    health: async () => delivery?.healthCheck() ?? { healthy: false, started: false },
    async close() {
      await transactions?.close()
      await delivery?.close()
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
  configFromFile: (file) => kafkaSinkConfigFrom(file as FirefrontConfig) as unknown as Record<string, unknown>,
  create: (config, ctx) => createKafkaSink(config, ctx),
})
