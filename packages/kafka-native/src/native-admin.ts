/**
 * Metadata, watermarks, the reachability probe and topic creation. Metadata goes through a
 * producer handle that never produces (it has librdkafka's error events, so a request fails as
 * soon as no broker answers); topics are created with node-rdkafka's admin client.
 */
import type { ClientSettings, Redactor, TopicSpec } from '@firefront/core'
import { FirefrontError } from '@firefront/sdk'
import { callback, sleep } from './async-util'
import { BrokerWatch } from './broker-watch'
import { connectTimeoutMs } from './client-config'
import { ClientSlot } from './client-slot'
import { classifyNativeFailure } from './failure'
import type { LogForwarder } from './log-forwarder'
import type { RdAdminClient, RdConfig, RdKafkaModule, RdMetadata, RdProducer, RdWatermarks } from './rdkafka-api'

/** Options of {@link NativeAdmin}. */
export interface NativeAdminOptions {
  readonly rd: RdKafkaModule
  readonly metadataConfig: RdConfig
  readonly adminConfig: RdConfig
  readonly settings: ClientSettings
  readonly forward: LogForwarder
  readonly redactor: Redactor
}

/** Topics whose names start with `__` are Kafka's own (offsets, transactions). */
export const isInternalTopic = (name: string): boolean => name.startsWith('__')

/** Admin requests on librdkafka. */
export class NativeAdmin {
  readonly #o: NativeAdminOptions
  readonly #watch: BrokerWatch
  readonly #slot: ClientSlot<RdProducer>
  #admin: RdAdminClient | undefined

  constructor(options: NativeAdminOptions) {
    this.#o = options
    this.#watch = new BrokerWatch({ role: 'admin', forward: options.forward, redact: options.redactor.text })
    this.#slot = new ClientSlot<RdProducer>({
      create: () => new options.rd.Producer({ ...options.metadataConfig }),
      watch: this.#watch,
      connectTimeoutMs: connectTimeoutMs(options.settings),
      what: `connecting to kafka at ${options.settings.brokers.join(',')}`,
    })
  }

  get #timeout(): number {
    return this.#o.settings.requestTimeoutMs
  }

  /** A metadata request (all topics when `allTopics`); fails fast when no broker answers. */
  async metadata(allTopics: boolean): Promise<RdMetadata> {
    const client = await this.#slot.ensure()
    return this.#watch.guard('a metadata request', this.#timeout, () =>
      callback<RdMetadata>((cb) => client.getMetadata({ allTopics, timeout: this.#timeout }, cb)),
    )
  }

  /** Resolves when a broker answers a metadata request. */
  async probe(): Promise<void> {
    await this.metadata(false)
  }

  /** The names of the cluster's topics (Kafka's internal ones left out). */
  async topicNames(): Promise<Set<string>> {
    const md = await this.metadata(true)
    return new Set(md.topics.map((t) => t.name).filter((n) => !isInternalTopic(n)))
  }

  /** The low and high watermark of one partition. */
  async watermarks(topic: string, partition: number): Promise<RdWatermarks> {
    const client = await this.#slot.ensure()
    return this.#watch.guard(`reading the offsets of ${topic}/${partition}`, this.#timeout, () =>
      callback<RdWatermarks>((cb) => client.queryWatermarkOffsets(topic, partition, this.#timeout, cb)),
    )
  }

  /**
   * Creates the topics that do not exist yet and waits until each has a leader; returns the ones
   * it created. A topic the broker refuses fails with `ERR_SINK_REFUSED` naming it and the
   * broker's reason; an unreachable broker fails with the client's error.
   */
  async createTopics(topics: readonly string[], spec: TopicSpec = {}): Promise<string[]> {
    if (topics.length === 0) return []
    const existing = await this.topicNames()
    const missing = [...new Set(topics)].filter((t) => !existing.has(t))
    if (missing.length === 0) return []
    const s = this.#o.settings
    const partitions = spec.partitions ?? s.partitions
    const replicationFactor = spec.replicationFactor ?? s.replicationFactor
    this.#admin ??= this.#o.rd.AdminClient.create({ ...this.#o.adminConfig })
    const admin = this.#admin
    const created: string[] = []
    for (const topic of missing) {
      try {
        await this.#watch.guard(`creating topic ${topic}`, this.#timeout + 1000, () =>
          callback<void>((cb) =>
            admin.createTopic(
              {
                topic,
                num_partitions: partitions,
                replication_factor: replicationFactor,
                ...(spec.compacted ? { config: { 'cleanup.policy': 'compact' } } : {}),
              },
              this.#timeout,
              (err) => cb(err, undefined),
            ),
          ),
        )
        created.push(topic)
      } catch (err) {
        const failure = classifyNativeFailure(err)
        if (failure.code === 'TOPIC_ALREADY_EXISTS') continue
        if (failure.kind === 'unavailable') throw err
        throw new FirefrontError(
          'ERR_SINK_REFUSED',
          `kafka refused to create topic "${topic}" (${partitions} partitions, replication factor ${replicationFactor}): ${this.#o.redactor.text(failure.message)} [${failure.code}]`,
          { cause: err },
        )
      }
    }
    if (created.length > 0) await this.#leaders(created)
    return created
  }

  /** Waits (up to the request timeout) until every partition of `topics` has a leader. */
  async #leaders(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + this.#timeout
    const wanted = new Set(topics)
    for (;;) {
      const md = await this.metadata(true)
      const ready = md.topics.filter(
        (t) => wanted.has(t.name) && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      )
      if (ready.length === wanted.size || Date.now() > deadline) return
      await sleep(100)
    }
  }

  /** Closes both clients; never waits more than a few seconds. */
  async close(): Promise<void> {
    const admin = this.#admin
    this.#admin = undefined
    try {
      admin?.disconnect()
    } catch {
      // already gone
    }
    await this.#slot.close(0)
  }
}
