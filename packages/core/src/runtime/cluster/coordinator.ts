/**
 * The cluster part of a worker: joins the Kafka consumer group of `cluster.group_id` (subscribed
 * to the assignment topic, one partition per source slot) and, after every rebalance, runs
 * exactly the sources its partitions stand for. kafkajs has no revoke callback, so each new
 * assignment is compared with what runs: revoked sources are stopped and drained (their records
 * delivered, their cursors committed) before newly assigned ones start from the committed
 * cursors. A source's ownership begins in {@link SourceOwnership.acquire} and ends in
 * {@link SourceOwnership.release}: the hooks where a transactional producer would be fenced in.
 *
 * It starts after the sink and the cursor store and stops first: on SIGTERM it drains its
 * sources, then leaves the group, so the others take them over at once.
 */
import { hostname } from 'node:os'
import { FirefrontError, type JsonValue } from '@firefront/sdk'
import type { Logger as PinoLogger } from 'pino'
import type { ClusterConfig, FirefrontConfig } from '../../config/schema'
import { openGroupMembership } from '../../kafka/group-membership'
import type { AssignmentChange, GroupDescription, GroupMembership } from '../../kafka/transport'
import { asSdkLogger } from '../../observability/logger'
import type { Supervised } from '../supervisor'
import { configDigest } from './config-digest'
import { assignmentTopic, sourceIdentity, sourceSlots } from './identity'
import { decodeAnnouncement, decodeNote, encodeUserData } from './member-data'
import { createSourceAssigner } from './source-assigner'

/** The assignment protocol every Firefront worker names. */
export const CLUSTER_PROTOCOL = 'firefront-sources-v1'

/** Starting and ending a source's ownership on this worker. */
export interface SourceOwnership {
  /** Reads the source's latest committed cursor and starts its stream; resolves with the stream id. */
  acquire(sourceId: string, identity: string): Promise<string>
  /** Stops the stream, waits until its records are settled and its cursor committed (within `budgetMs`). */
  release(streamId: string, identity: string, budgetMs: number): Promise<void>
  /**
   * With `delivery: exactly_once`, fences the sources' previous owners (opens their
   * transactional producers here, aborting what the old owner left open); a no-op otherwise.
   * Runs before the cursors are re-read, so no write of the previous owner lands after that read.
   */
  fence(sourceIds: readonly string[]): Promise<void>
  /** Re-reads the committed cursors of `sourceIds` (another worker may have moved them on). */
  refreshCursors(sourceIds: readonly string[]): Promise<void>
  /**
   * Whether the stream still runs. A stream can end by itself while its source stays assigned
   * here — fenced by a newer writer after this worker was paused past the session timeout — and
   * is started again when the source is (still or again) assigned here.
   */
  isRunning(streamId: string): boolean
}

/** One member of the group, as the metrics show it. */
export interface ClusterMember {
  readonly worker: string
  readonly host: string
  readonly pid: number
  readonly sources: readonly string[]
  readonly refused?: string
}

/** The `cluster` section of the metrics and of /health. */
export interface ClusterMetrics {
  readonly group_id: string
  readonly worker_id: string
  readonly state: 'joining' | 'member' | 'refused' | 'left' | 'failed'
  readonly generation: number
  readonly leader: boolean
  readonly assigned_sources: readonly string[]
  readonly members: readonly ClusterMember[]
  readonly rebalances: number
  readonly sources_acquired: number
  readonly sources_released: number
  readonly last_rebalance_at: string | null
  readonly error: string | null
}

/** What the coordinator needs. */
export interface ClusterCoordinatorOptions {
  /** The worker's config (see `workerConfig`: `cluster.worker_id` is set). */
  readonly config: FirefrontConfig
  readonly ownership: SourceOwnership
  readonly logger: PinoLogger
  /** The shutdown budget left, read when stopping. */
  readonly stopBudgetMs: () => number
  /** Called when this worker cannot go on (refused by the group, membership lost). */
  readonly halt: (error: FirefrontError) => void
  /** A membership instead of the Kafka one (tests). */
  readonly membership?: GroupMembership
}

/** See the module comment. */
export class ClusterCoordinator implements Supervised {
  readonly name: string
  readonly #o: ClusterCoordinatorOptions
  readonly #cluster: ClusterConfig
  readonly #worker: string
  readonly #slots: readonly string[]
  readonly #running = new Map<string, string>()
  /** The sources the latest assignment gave this worker. */
  #assigned: string[] = []
  #membership: GroupMembership | undefined
  #state: ClusterMetrics['state'] = 'joining'
  #generation = -1
  #leader = false
  #members: ClusterMember[] = []
  #rebalances = 0
  #acquired = 0
  #released = 0
  #lastRebalanceAt: string | null = null
  #error: string | null = null
  #closing = false
  #applying: Promise<void> = Promise.resolve()

  constructor(options: ClusterCoordinatorOptions) {
    const cluster = options.config.cluster
    if (!cluster?.worker_id) throw new FirefrontError('ERR_CONFIG_INVALID', 'cluster.worker_id is not resolved')
    this.#o = options
    this.#cluster = cluster
    this.#worker = cluster.worker_id
    this.#slots = sourceSlots(options.config)
    this.name = `cluster ${cluster.group_id} (worker ${this.#worker})`
  }

  async start(): Promise<void> {
    const cluster = this.#cluster
    const digest = configDigest(this.#o.config)
    const membership =
      this.#o.membership ??
      (await openGroupMembership({
        kafka: this.#o.config.kafka,
        groupId: cluster.group_id,
        topic: assignmentTopic(cluster),
        protocol: CLUSTER_PROTOCOL,
        sessionTimeoutMs: cluster.session_timeout_seconds * 1000,
        heartbeatIntervalMs: cluster.heartbeat_interval_seconds * 1000,
        // every member must rejoin within this; a revoke happens after the rejoin, so it need not cover a drain
        rebalanceTimeoutMs: Math.max(30_000, cluster.session_timeout_seconds * 2000),
        clientIdSuffix: `-${this.#worker}`,
        userData: () =>
          encodeUserData({
            v: 1,
            worker: this.#worker,
            host: hostname(),
            pid: process.pid,
            digest,
            owned: [...this.#running.keys()].sort(),
          }),
        assign: createSourceAssigner(cluster.group_id, { worker: this.#worker, digest, slots: this.#slots }),
        logger: asSdkLogger(this.#o.logger),
      }))
    this.#membership = membership
    // one partition per source slot; a source added to the config adds a partition
    await membership.ensureTopic(Math.max(1, this.#slots.length))
    this.#o.logger.info(
      { group: cluster.group_id, worker: this.#worker, sources: this.#slots.length },
      'joining the cluster group',
    )
    await membership.join(
      (change) => {
        this.#applying = this.#apply(change)
        return this.#applying
      },
      (error) => this.#fail(error),
    )
  }

  /** Applies one assignment: release what was taken away, then acquire what is new. */
  async #apply(change: AssignmentChange): Promise<void> {
    if (this.#closing) return
    this.#rebalances++
    this.#generation = change.generation
    this.#leader = change.isLeader
    this.#lastRebalanceAt = new Date().toISOString()
    const wanted = change.partitions.filter((p) => p < this.#slots.length).map((p) => this.#slots[p]!)
    this.#assigned = wanted
    if (wanted.length === 0 && (await this.#refusedBecause(change))) return
    this.#state = 'member'
    for (const [sourceId, streamId] of this.#running) {
      if (this.#o.ownership.isRunning(streamId)) continue
      this.#o.logger.warn(
        { source: sourceId, stream: streamId },
        `the stream of ${sourceId} ended by itself; it starts again if the source stays here`,
      )
      this.#running.delete(sourceId)
    }
    const revoked = [...this.#running.keys()].filter((s) => !wanted.includes(s))
    const added = wanted.filter((s) => !this.#running.has(s))
    this.#o.logger.info(
      { generation: change.generation, sources: wanted, revoked, added, leader: change.isLeader },
      `cluster assignment (generation ${change.generation}): ${wanted.join(', ') || 'no source'}`,
    )
    await Promise.all(revoked.map((s) => this.#release(s, 10_000)))
    this.refreshMembers().catch((err: unknown) => this.#o.logger.warn({ err }, 'the group could not be described'))
    if (this.#closing || added.length === 0) return
    await this.#takeOver(added)
  }

  /** Fences the sources' other writers, re-reads their cursors and starts them here. */
  async #takeOver(added: readonly string[]): Promise<void> {
    try {
      await this.#o.ownership.fence(added)
    } catch (err) {
      this.#o.logger.error(
        { err },
        'the previous owners of the new sources could not be fenced; their first write fences them',
      )
    }
    try {
      await this.#o.ownership.refreshCursors(added)
    } catch (err) {
      this.#o.logger.error(
        { err },
        'the committed cursors could not be re-read; the sources start from what was read at start',
      )
    }
    for (const sourceId of added) {
      if (this.#closing) return
      try {
        const streamId = await this.#o.ownership.acquire(sourceId, sourceIdentity(this.#cluster, sourceId))
        this.#running.set(sourceId, streamId)
        this.#acquired++
      } catch (err) {
        this.#o.logger.error({ err, source: sourceId }, `source ${sourceId} was assigned here but could not start`)
      }
    }
  }

  /**
   * A stream of this worker was fenced (`delivery: exactly_once`): another process wrote for its
   * source with a newer producer. That happens to a worker paused past the session timeout whose
   * sources went elsewhere and came back to it in the same rebalance without it noticing. When
   * the source is still assigned here it is taken over again — the others fenced, the cursor
   * re-read, a new stream started — after a short pause, so a true zombie, whose group membership
   * ends with its next heartbeat, gives up the source then instead.
   */
  fenced(sourceId: string, streamId: string): void {
    if (this.#closing || this.#running.get(sourceId) !== streamId) return
    this.#running.delete(sourceId)
    this.#o.logger.warn(
      { source: sourceId },
      `source ${sourceId} was fenced by another writer; taking it over again if it stays assigned here`,
    )
    const retake = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, Math.max(1000, this.#cluster.heartbeat_interval_seconds * 2000)))
      if (this.#closing || this.#running.has(sourceId) || !this.#assigned.includes(sourceId)) return
      await this.#takeOver([sourceId])
    }
    this.#applying = this.#applying.then(retake, retake)
  }

  async #release(sourceId: string, budgetMs: number): Promise<void> {
    const streamId = this.#running.get(sourceId)
    if (streamId === undefined) return
    this.#running.delete(sourceId)
    try {
      await this.#o.ownership.release(streamId, sourceIdentity(this.#cluster, sourceId), budgetMs)
      this.#released++
    } catch (err) {
      this.#o.logger.error({ err, source: sourceId }, `source ${sourceId} did not stop cleanly`)
    }
  }

  /** With nothing assigned: was this worker refused? Reads the leader's note from the group. */
  async #refusedBecause(change: AssignmentChange): Promise<boolean> {
    let group: GroupDescription
    try {
      group = await this.#membership!.describe()
    } catch (err) {
      this.#o.logger.warn({ err }, 'the group could not be described')
      return false
    }
    this.#members = membersOf(group, this.#slots)
    const me = group.members.find((m) => m.memberId === change.memberId)
    const refused = decodeNote(me?.assignmentUserData ?? null)?.refused
    if (!refused) return false
    this.#state = 'refused'
    this.#error = refused
    this.#o.logger.error({ group: this.#cluster.group_id }, refused)
    await Promise.all([...this.#running.keys()].map((s) => this.#release(s, 10_000)))
    this.#o.halt(new FirefrontError('ERR_CONFIG_INVALID', `cluster ${this.#cluster.group_id}: ${refused}`))
    return true
  }

  #fail(error: Error): void {
    if (this.#closing) return
    this.#state = 'failed'
    this.#error = error.message
    this.#o.logger.error({ err: error }, 'the cluster membership failed')
    this.#o.halt(
      new FirefrontError(
        'ERR_SINK_UNAVAILABLE',
        `cluster ${this.#cluster.group_id}: membership lost: ${error.message}`,
        {
          cause: error,
        },
      ),
    )
  }

  /** Refreshes the member list (after a rebalance, for metrics and /health). */
  async refreshMembers(): Promise<void> {
    if (!this.#membership) return
    this.#members = membersOf(await this.#membership.describe(), this.#slots)
  }

  /** Drains this worker's sources, then leaves the group (the others rebalance at once). */
  async stop(): Promise<void> {
    this.#closing = true
    await this.#applying.catch(() => undefined)
    const budget = Math.max(1000, this.#o.stopBudgetMs())
    await Promise.all([...this.#running.keys()].map((s) => this.#release(s, budget)))
    await this.#membership?.leave()
    await this.#membership?.close()
    if (this.#state !== 'refused' && this.#state !== 'failed') this.#state = 'left'
  }

  /** The `cluster` section of the metrics. */
  metrics(): ClusterMetrics {
    return {
      group_id: this.#cluster.group_id,
      worker_id: this.#worker,
      state: this.#state,
      generation: this.#generation,
      leader: this.#leader,
      assigned_sources: [...this.#running.keys()].sort(),
      members: this.#members,
      rebalances: this.#rebalances,
      sources_acquired: this.#acquired,
      sources_released: this.#released,
      last_rebalance_at: this.#lastRebalanceAt,
      error: this.#error,
    }
  }

  /** The metrics as JSON (for /health). */
  toJSON(): JsonValue {
    return this.metrics() as unknown as JsonValue
  }
}

/** The group's members with their sources, from the broker's description. */
export function membersOf(group: GroupDescription, slots: readonly string[]): ClusterMember[] {
  return group.members
    .map((m) => {
      const a = decodeAnnouncement(m.userData)
      const note = decodeNote(m.assignmentUserData)
      return {
        worker: a?.worker ?? m.clientId,
        host: a?.host ?? m.clientHost,
        pid: a?.pid ?? 0,
        sources: m.partitions.filter((p) => p < slots.length).map((p) => slots[p]!),
        ...(note?.refused ? { refused: note.refused } : {}),
      }
    })
    .sort((x, y) => x.worker.localeCompare(y.worker))
}
