/**
 * Topic creation and offsets through @platformatic/kafka's Admin: creating the missing topics
 * (a refusal becomes `ERR_SINK_REFUSED` naming the topic and the broker's reason), waiting for
 * their leaders, and each partition's low and high watermarks.
 */
import { FirefrontError } from '@firefront/sdk'
import { type Admin, FetchIsolationLevels, ListOffsetTimestamps, protocolErrorsCodesById } from '@platformatic/kafka'
import type { Redactor } from '../redact'
import type { TopicSpec } from '../transport'

/** How {@link createMissingTopics} fills what the spec leaves unset, and how long it waits. */
export interface TopicDefaults {
  readonly partitions: number
  readonly replicationFactor: number
  readonly requestTimeoutMs: number
  readonly redactor: Redactor
}

interface TopicResult {
  readonly name?: unknown
  readonly errorCode?: unknown
  readonly errorMessage?: unknown
}

const TOPIC_ALREADY_EXISTS = 'TOPIC_ALREADY_EXISTS'

/** The per-topic results of a CreateTopics response inside an error, if it carries one. */
function topicResults(err: unknown): TopicResult[] | undefined {
  const seen = new Set<unknown>()
  const walk = (cur: unknown): TopicResult[] | undefined => {
    if (!cur || typeof cur !== 'object' || seen.has(cur) || seen.size > 32) return undefined
    seen.add(cur)
    const e = cur as { response?: { topics?: unknown }; errors?: unknown; cause?: unknown }
    if (Array.isArray(e.response?.topics)) return e.response.topics as TopicResult[]
    for (const inner of Array.isArray(e.errors) ? e.errors : []) {
      const found = walk(inner)
      if (found) return found
    }
    return walk(e.cause)
  }
  return walk(err)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Waits until every partition of `topics` has a leader, or `deadline` (epoch ms) passes. */
async function waitForLeaders(admin: Admin, topics: readonly string[], deadline: number): Promise<void> {
  for (;;) {
    try {
      const metadata = await admin.metadata({ topics: [...topics], forceUpdate: true })
      const ready = topics.every((t) => {
        const topic = metadata.topics.get(t)
        return topic !== undefined && topic.partitionsCount > 0 && topic.partitions.every((p) => p.leader >= 0)
      })
      if (ready) return
    } catch {
      // A topic created a moment ago may answer LEADER_NOT_AVAILABLE: ask again.
    }
    if (Date.now() >= deadline) return
    await sleep(100)
  }
}

/**
 * Creates the topics of `topics` that do not exist yet and returns them. Compacted topics get
 * `cleanup.policy=compact`. A topic another client created meanwhile is not an error.
 */
export async function createMissingTopics(
  admin: Admin,
  topics: readonly string[],
  spec: TopicSpec,
  defaults: TopicDefaults,
): Promise<string[]> {
  if (topics.length === 0) return []
  const existing = new Set(await admin.listTopics())
  const missing = [...new Set(topics)].filter((t) => !existing.has(t))
  if (missing.length === 0) return []
  const partitions = spec.partitions ?? defaults.partitions
  const replicationFactor = spec.replicationFactor ?? defaults.replicationFactor
  const deadline = Date.now() + defaults.requestTimeoutMs
  let raced: string[] = []
  try {
    await admin.createTopics({
      topics: missing,
      partitions,
      replicas: replicationFactor,
      ...(spec.compacted ? { configs: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
    })
  } catch (err) {
    const results = topicResults(err)
    if (!results) throw err
    const failed = results
      .map((r) => ({
        topic: typeof r.name === 'string' ? r.name : missing.join(', '),
        type: typeof r.errorCode === 'number' ? (protocolErrorsCodesById[r.errorCode] ?? String(r.errorCode)) : '',
        message: typeof r.errorMessage === 'string' ? r.errorMessage : '',
      }))
      .filter((r) => r.type !== '' && r.type !== 'NONE')
    const refused = failed.find((r) => r.type !== TOPIC_ALREADY_EXISTS)
    if (refused) {
      throw new FirefrontError(
        'ERR_SINK_REFUSED',
        `kafka refused to create topic "${refused.topic}" (${partitions} partitions, replication factor ${replicationFactor}): ${defaults.redactor.text(refused.message || refused.type)} [${refused.type}]`,
        { cause: err },
      )
    }
    raced = failed.map((r) => r.topic)
  }
  const created = missing.filter((t) => !raced.includes(t))
  await waitForLeaders(admin, missing, deadline)
  return created
}

/**
 * A partition's first offset and its end as a `read_committed` reader sees it: the offset the
 * next record will get, or the first offset of a transaction still open (as kafkajs' admin).
 */
export interface Watermarks {
  readonly low: bigint
  readonly high: bigint
}

/** Low and high (stable) watermarks of each partition of `topic`. */
export async function topicWatermarks(admin: Admin, topic: string): Promise<Map<number, Watermarks>> {
  const metadata = await admin.metadata({ topics: [topic] })
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0
  const out = new Map<number, Watermarks>()
  if (count === 0) return out
  const ask = async (timestamp: bigint): Promise<Map<number, bigint>> => {
    const listed = await admin.listOffsets({
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp })),
        },
      ],
    })
    const offsets = new Map<number, bigint>()
    for (const t of listed) for (const p of t.partitions) offsets.set(p.partitionIndex, p.offset)
    return offsets
  }
  const [low, high] = [await ask(ListOffsetTimestamps.EARLIEST), await ask(ListOffsetTimestamps.LATEST)]
  for (let p = 0; p < count; p++) out.set(p, { low: low.get(p) ?? 0n, high: high.get(p) ?? 0n })
  return out
}

/**
 * Total lag per consumer group: for each partition of the topics the group committed offsets
 * for, the high watermark minus the committed offset (the low watermark without one).
 */
export async function consumerLag(admin: Admin, groups: readonly string[]): Promise<Record<string, number>> {
  const byGroup: Record<string, number> = {}
  if (groups.length === 0) return byGroup
  for (const groupId of groups) byGroup[groupId] = 0
  const listed = await admin.listConsumerGroupOffsets({ groups: [...groups] })
  const ends = new Map<string, Map<number, Watermarks>>()
  for (const group of listed) {
    let lag = 0
    for (const topic of group.topics) {
      let marks = ends.get(topic.name)
      if (!marks) {
        marks = await topicWatermarks(admin, topic.name)
        ends.set(topic.name, marks)
      }
      for (const [partition, { low, high }] of marks) {
        const committed = topic.partitions.find((p) => p.partitionIndex === partition)?.committedOffset ?? -1n
        const from = committed >= 0n ? committed : low
        if (high > from) lag += Number(high - from)
      }
    }
    byGroup[group.groupId] = lag
  }
  return byGroup
}
