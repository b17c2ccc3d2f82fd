/**
 * The part of node-rdkafka's API this backend uses, typed here rather than imported: node-rdkafka
 * is an optional dependency, so the package must typecheck and load where it is not installed.
 */

/** A librdkafka configuration: property names as librdkafka spells them. */
export type RdConfig = Record<string, string | number | boolean>

/** An error as node-rdkafka reports it (`code` is -1 when node-rdkafka lost the number). */
export interface RdError extends Error {
  readonly code: number
  readonly origin?: string
  readonly isFatal?: boolean
  readonly isRetriable?: boolean
}

export interface RdPartitionMetadata {
  readonly id: number
  readonly leader: number
}

export interface RdTopicMetadata {
  readonly name: string
  readonly partitions: readonly RdPartitionMetadata[]
}

export interface RdMetadata {
  readonly topics: readonly RdTopicMetadata[]
  readonly brokers: readonly { readonly id: number; readonly host: string; readonly port: number }[]
}

export interface RdWatermarks {
  readonly lowOffset: number
  readonly highOffset: number
}

export interface RdTopicPartition {
  readonly topic: string
  readonly partition: number
}

export interface RdTopicPartitionOffset extends RdTopicPartition {
  readonly offset: number
}

/** A librdkafka log line (`event.log`). Severity is syslog's: 3 error, 4 warning, 6 info, 7 debug. */
export interface RdLogEvent {
  readonly severity: number
  readonly fac: string
  readonly message: string
}

export interface RdDeliveryReport extends RdTopicPartitionOffset {
  readonly opaque?: unknown
}

/** A consumed message; header values arrive as Buffers. */
export interface RdMessage extends RdTopicPartitionOffset {
  readonly value: Buffer | null
  readonly key?: Buffer | string | null
  readonly timestamp?: number
  readonly headers?: ReadonlyArray<Readonly<Record<string, Buffer | string>>>
}

type Callback<T> = (err: RdError | null | undefined, value: T) => void

/** What producers and consumers share. */
export interface RdClient {
  connect(options: { readonly timeout?: number; readonly allTopics?: boolean }, cb: Callback<RdMetadata>): unknown
  isConnected(): boolean
  getMetadata(
    options: { readonly topic?: string; readonly allTopics?: boolean; readonly timeout?: number },
    cb: Callback<RdMetadata>,
  ): unknown
  queryWatermarkOffsets(topic: string, partition: number, timeout: number, cb: Callback<RdWatermarks>): unknown
  on(event: 'event.log', listener: (log: RdLogEvent) => void): unknown
  on(event: 'event.error', listener: (err: RdError) => void): unknown
}

export interface RdProducer extends RdClient {
  produce(
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | string | null,
    timestamp: number | null,
    opaque: unknown,
    headers: ReadonlyArray<Record<string, string>> | undefined,
  ): unknown
  poll(): unknown
  initTransactions(timeout: number, cb: (err: RdError | null | undefined) => void): void
  beginTransaction(cb: (err: RdError | null | undefined) => void): void
  commitTransaction(timeout: number, cb: (err: RdError | null | undefined) => void): void
  abortTransaction(timeout: number, cb: (err: RdError | null | undefined) => void): void
  /** Flushes for up to `timeout` ms, then destroys the client. */
  disconnect(timeout: number, cb: (err: unknown, metrics?: unknown) => void): unknown
  on(event: 'delivery-report', listener: (err: RdError | null, report: RdDeliveryReport) => void): unknown
  on(event: 'event.log', listener: (log: RdLogEvent) => void): unknown
  on(event: 'event.error', listener: (err: RdError) => void): unknown
}

export interface RdConsumer extends RdClient {
  committed(
    partitions: readonly RdTopicPartition[],
    timeout: number,
    cb: Callback<readonly RdTopicPartitionOffset[]>,
  ): unknown
  assign(assignments: readonly RdTopicPartitionOffset[]): unknown
  consume(count: number, cb: Callback<readonly RdMessage[]>): unknown
  setDefaultConsumeTimeout(ms: number): unknown
  disconnect(cb: (err: unknown, metrics?: unknown) => void): unknown
  on(event: 'partition.eof', listener: (eof: RdTopicPartitionOffset) => void): unknown
  on(event: 'event.log', listener: (log: RdLogEvent) => void): unknown
  on(event: 'event.error', listener: (err: RdError) => void): unknown
}

export interface RdNewTopic {
  readonly topic: string
  readonly num_partitions: number
  readonly replication_factor: number
  readonly config?: Readonly<Record<string, string>>
}

export interface RdAdminClient {
  createTopic(topic: RdNewTopic, timeout: number, cb: (err?: RdError | null) => void): void
  disconnect(): void
}

/** The module node-rdkafka exports. */
export interface RdKafkaModule {
  readonly Producer: new (config: RdConfig, topicConfig?: RdConfig) => RdProducer
  readonly KafkaConsumer: new (config: RdConfig, topicConfig?: RdConfig) => RdConsumer
  readonly AdminClient: { create(config: RdConfig): RdAdminClient }
  readonly librdkafkaVersion: string
  readonly features: readonly string[]
}
