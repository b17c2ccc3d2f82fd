/**
 * The Kafka adapter's contract: what the kafka sink, the consumer-lag throttle, the Kafka cursor
 * store and `firefront dlq` need from a Kafka client. One implementation per client library lives
 * in its own folder (`kafkajs/`); nothing outside that folder imports the library.
 */
import type { Logger } from '@firefront/sdk'
import type { KafkaConfig } from '../config/schema'
import type { Redactor } from './redact'

/** A message to produce. A `null` value is a tombstone (compacted topics). */
export interface KafkaMessage {
  readonly key: string | Buffer | null
  readonly value: string | Buffer | null
  readonly headers?: Readonly<Record<string, string>>
  /** Epoch milliseconds as a string. */
  readonly timestamp?: string
}

/** A message as read back from a topic. */
export interface TopicRecord {
  readonly partition: number
  readonly offset: string
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: string
  /** Headers as strings (the first value of a repeated header). */
  readonly headers: Readonly<Record<string, string>>
}

/** How to create a topic; unset fields come from the `kafka.topics` config block. */
export interface TopicSpec {
  readonly partitions?: number
  readonly replicationFactor?: number
  /** `cleanup.policy=compact`: the last value per key is kept (cursors). */
  readonly compacted?: boolean
}

/**
 * What a failed request means for delivery:
 * - `unavailable`: the broker cannot be reached or is not ready: retry with backoff, then spool;
 * - `producer-state`: the broker lost the idempotent producer's sequence state: new producer, retry;
 * - `record`: a record (or the batch's size) was refused: split the batch, dead-letter the record;
 * - `refused`: the whole topic was refused (authorisation, invalid name, policy): dead-letter;
 * - `fenced`: a newer transactional producer with the same id took over: this one must stop.
 */
export type FailureKind = 'unavailable' | 'producer-state' | 'record' | 'refused' | 'fenced'

/** A classified failure. */
export interface KafkaFailure {
  readonly kind: FailureKind
  /** The broker's error type (e.g. `MESSAGE_TOO_LARGE`) or the client's error name. */
  readonly code: string
  /** The most specific message in the error chain. */
  readonly message: string
  /** True when credentials were refused (SASL): worth a louder log line. */
  readonly authentication: boolean
}

/**
 * Producing, as the delivery state machine uses it: one idempotent producer (acks all, one
 * request in flight), topic creation and a reachability probe.
 */
export interface ProducerTransport {
  /**
   * The most records one `send` should carry, for a client that gets slower per record past it.
   * Delivery sends a larger batch in runs of at most this many, each its own request (retried on
   * its own, as runs split by size are). Unset: no limit.
   */
  readonly maxRecordsPerSend?: number
  /**
   * How many sends may be in flight at once without losing order: the records of sends made one
   * after another (each call made before the previous one resolves) reach each partition in call
   * order, whatever order their acknowledgements come in. Unset: 1 (each send must resolve
   * before the next is made, as with a client that keeps one request in flight).
   */
  readonly maxInFlightBatches?: number
  /** Connects the producer. Throws when no broker answers. */
  connect(): Promise<void>
  /** Sends `messages` to `topic` as one produce request, acks all. */
  send(topic: string, messages: readonly KafkaMessage[]): Promise<void>
  /** A metadata request: resolves when a broker answers. */
  probe(): Promise<void>
  /**
   * Creates the topics that do not exist yet; returns the ones it created. Throws a
   * `FirefrontError` `ERR_SINK_REFUSED` naming the topic and the broker's message when the broker
   * refuses one, and the client's error when no broker answers.
   */
  createTopics(topics: readonly string[], spec?: TopicSpec): Promise<string[]>
  /** Replaces the producer with a new one (a new producer id), after the broker lost its state. */
  resetProducer(): Promise<void>
  /** Sorts an error this transport threw into what delivery does next. */
  classify(err: unknown): KafkaFailure
  /** Closes every connection; never throws. */
  disconnect(): Promise<void>
}

/** Options of {@link AdminTransport.readTopic}. */
export interface ReadTopicOptions {
  /** Give up (`ERR_TIMEOUT`) after this long. */
  readonly timeoutMs: number
}

/** The admin side: consumer lag and reading a topic from its start to its current end. */
export interface AdminTransport {
  /**
   * Total lag per consumer group: for each partition of the topics the group has committed
   * offsets for, the high watermark minus the committed offset (the low watermark without one).
   */
  readLag(groups: readonly string[]): Promise<Record<string, number>>
  /**
   * Reads `topic` from its first offset to the high watermark taken when called, in offset order
   * per partition, with a throw-away consumer group that commits nothing. Resolves with the
   * number of records the topic held (0, and no visit, when it does not exist).
   */
  readTopic(topic: string, visit: (record: TopicRecord) => void, options: ReadTopicOptions): Promise<number>
}

/**
 * A Kafka client behind one interface (producing, admin, lag, reading a topic). The kafka sink,
 * the consumer-lag throttle, the Kafka cursor store and `firefront dlq` use nothing else.
 */
export interface KafkaTransport extends ProducerTransport, AdminTransport {
  /** The client backend's name (`kafkajs`, `platformatic`, `native`), for logs and metrics. */
  readonly client: string
  /** Redacts the client's secrets (SASL password, TLS key) from text. */
  readonly redactor: Redactor
  /**
   * Opens (and fences older instances of) a transactional producer. Undefined on a backend without
   * transactions; `delivery: exactly_once` then refuses to start, naming the backend.
   */
  readonly transactional?: (transactionalId: string) => Promise<TransactionalProducer>
}

/**
 * One open Kafka transaction: sends join it, and either all of them become visible to
 * `read_committed` consumers (`commit`) or none (`abort`).
 */
export interface Transaction {
  /** Sends `messages` to `topic` inside the transaction (acks all). */
  send(topic: string, messages: readonly KafkaMessage[]): Promise<void>
  commit(): Promise<void>
  /** Aborts; never throws (a fenced or broken producer cannot abort, and need not). */
  abort(): Promise<void>
}

/**
 * A transactional producer with a stable `transactional.id`. Opening it (`initTransactions`)
 * fences every earlier producer with the same id: their sends and commits fail from then on, and
 * {@link ProducerTransport.classify} reports that as `fenced`.
 */
export interface TransactionalProducer {
  readonly transactionalId: string
  /** Begins a transaction. One at a time per producer. */
  begin(): Promise<Transaction>
  /** Closes the producer; never throws. */
  disconnect(): Promise<void>
}

/** What a transport is opened with. */
export interface KafkaTransportOptions {
  /** The config file's `kafka:` block (brokers, TLS, SASL, timeouts). Without it, a plain client. */
  readonly kafka?: KafkaConfig
  /** Brokers to use instead of `kafka.bootstrap_servers`. */
  readonly brokers?: readonly string[]
  /** Appended to `kafka.client_id` (e.g. `-lag`). */
  readonly clientIdSuffix?: string
  /** Where the client's own warnings go (redacted). */
  readonly logger?: Logger
  /** Idempotent producer (one request in flight). Default true. */
  readonly idempotent?: boolean
  /** The client's own quick retries of one request (default 1: delivery does the backoff). */
  readonly retries?: number
  readonly requestTimeoutMs?: number
}

/** A client backend: opens a {@link KafkaTransport}. Reads TLS files; connects lazily. */
export type KafkaBackend = (options: KafkaTransportOptions) => Promise<KafkaTransport>

/** A member of a consumer group as the leader sees it when it assigns partitions. */
export interface JoiningMember {
  readonly memberId: string
  /** What the member said about itself when it joined (`userData` of its member metadata). */
  readonly userData: Buffer | null
}

/** The partitions the leader gives one member, and a note for it (`userData` of the assignment). */
export interface MemberAssignment {
  readonly partitions: readonly number[]
  readonly userData?: Buffer
}

/**
 * Runs on the group's leader at each rebalance: decides every member's partitions of the
 * subscribed topic, which has `partitions` partitions. Members missing from the result get none.
 */
export type GroupAssigner = (
  members: readonly JoiningMember[],
  context: { readonly partitions: number; readonly generation: number },
) => ReadonlyMap<string, MemberAssignment>

/** This member's share after a rebalance. */
export interface AssignmentChange {
  /** The group's generation (Kafka's own counter, one up per rebalance); -1 when unknown. */
  readonly generation: number
  readonly memberId: string
  readonly leaderId: string
  readonly isLeader: boolean
  /** The partitions of the subscribed topic this member now owns, sorted. */
  readonly partitions: readonly number[]
}

/** One member as the broker describes the group. */
export interface GroupMemberDescription {
  readonly memberId: string
  readonly clientId: string
  /** The member's address as the broker saw it. */
  readonly clientHost: string
  /** The `userData` of its member metadata. */
  readonly userData: Buffer | null
  /** Its partitions of the subscribed topic. */
  readonly partitions: readonly number[]
  /** The `userData` the leader gave it with its assignment. */
  readonly assignmentUserData: Buffer | null
}

/** A consumer group as the broker describes it. */
export interface GroupDescription {
  readonly groupId: string
  /** `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty` or `Dead`. */
  readonly state: string
  readonly protocol: string
  readonly members: readonly GroupMemberDescription[]
}

/** What a {@link GroupMembership} is opened with. */
export interface GroupMembershipOptions {
  /** The config file's `kafka:` block (brokers, TLS, SASL). */
  readonly kafka: KafkaConfig
  readonly groupId: string
  /** The one topic the group subscribes to; its partitions are what is assigned. */
  readonly topic: string
  /** The assignment protocol's name: every member must name the same. */
  readonly protocol: string
  readonly sessionTimeoutMs: number
  readonly heartbeatIntervalMs: number
  /** How long the group waits for every member to rejoin during a rebalance. */
  readonly rebalanceTimeoutMs: number
  /** This member's `userData`, asked for at each join (it may carry what the member owns now). */
  readonly userData: () => Buffer
  /** Decides the assignment when this member leads the group. */
  readonly assign: GroupAssigner
  /** Appended to `kafka.client_id`. */
  readonly clientIdSuffix?: string
  readonly logger?: Logger
}

/**
 * Membership of a Kafka consumer group, for sharing work rather than consuming: the group's
 * members split the partitions of one topic between them with a custom assigner; Kafka's group
 * protocol provides the rebalances, the session timeout and the generation.
 */
export interface GroupMembership {
  /** Creates the topic with `partitions` partitions, or adds partitions when it has fewer. */
  ensureTopic(partitions: number): Promise<void>
  /**
   * Joins the group and keeps heartbeating until {@link leave}. `onAssignment` is called after
   * every rebalance, one call at a time (the next waits for the previous one to settle);
   * `onFailure` when the membership is lost for good (the client gave up retrying).
   */
  join(onAssignment: (change: AssignmentChange) => Promise<void>, onFailure: (error: Error) => void): Promise<void>
  /** Leaves the group at once (the others rebalance without waiting for the session timeout). */
  leave(): Promise<void>
  /** The group as the broker describes it; works without joining. */
  describe(): Promise<GroupDescription>
  /** Closes every connection; never throws. */
  close(): Promise<void>
}
