/**
 * The topic-resolver chain: each step a topic-resolver plugin; the first that answers wins.
 * Default order: the record's or source's explicit topic → custom_topic_mappings → content rules →
 * the connector's default topic → the seed's patterns → default_topic.
 */
import type { SourceInfo, SourceRecord, TopicResolverInstance } from '@firefront/sdk'

/** One step of the chain, named for metrics. */
export interface TopicStep {
  readonly name: string
  readonly resolver: TopicResolverInstance
}

/** The seed's topic resolver figures. `topic_usage` counts resolutions, not deliveries. */
export interface TopicChainMetrics {
  readonly total_resolutions: number
  readonly topic_usage: Record<string, number>
  readonly resolved_by: Record<string, number>
  readonly chain: string[]
}

/** Resolves topics and counts how often each topic and each step answered (the seed's topic_resolver metrics). */
export class TopicChain {
  readonly #steps: readonly TopicStep[]
  readonly #fallback: string
  readonly #byTopic = new Map<string, number>()
  readonly #byStep = new Map<string, number>()
  #total = 0

  readonly #bySource: Map<string, { topic: string; step: string }> | undefined

  /**
   * @param sourceLevel - every step answers from the source alone (no content rules, no resolver
   *   plugins that read records), so a source's topic is resolved once and reused, unless a record
   *   carries its own `topic`.
   */
  constructor(steps: readonly TopicStep[], fallback: string, sourceLevel = false) {
    this.#steps = steps
    this.#fallback = fallback
    this.#bySource = sourceLevel ? new Map() : undefined
  }

  /** The topic for one record of one source. */
  resolve(record: SourceRecord, source: SourceInfo): string {
    const cached = record.topic === undefined ? this.#bySource?.get(source.sourceId) : undefined
    if (cached) {
      this.#count(cached.topic, cached.step)
      return cached.topic
    }
    let topic: string | undefined
    let step = 'default'
    const query = { record, source }
    for (const s of this.#steps) {
      topic = s.resolver.resolve(query)
      if (topic) {
        step = s.name
        break
      }
    }
    topic ??= this.#fallback
    if (record.topic === undefined) this.#bySource?.set(source.sourceId, { topic, step })
    this.#count(topic, step)
    return topic
  }

  #count(topic: string, step: string): void {
    this.#total++
    this.#byTopic.set(topic, (this.#byTopic.get(topic) ?? 0) + 1)
    this.#byStep.set(step, (this.#byStep.get(step) ?? 0) + 1)
  }

  /** The steps, in order (the supervisor starts and stops their resolvers). */
  get steps(): readonly TopicStep[] {
    return this.#steps
  }

  /** The seed's `topic_resolver.get_metrics()`. */
  getMetrics(): TopicChainMetrics {
    return {
      total_resolutions: this.#total,
      topic_usage: Object.fromEntries(this.#byTopic),
      resolved_by: Object.fromEntries(this.#byStep),
      chain: this.#steps.map((s) => s.name),
    }
  }
}
