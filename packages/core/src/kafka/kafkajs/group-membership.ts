/**
 * The kafkajs backend of {@link GroupMembership}: a consumer of the group subscribed to one topic
 * whose partitions stand for units of work, with a custom partition assigner. The consumer never
 * processes a message; `consumer.run` is what keeps it heartbeating (also while it owns nothing:
 * an empty fetch is followed by a heartbeat), rejoining on rebalances and announcing each new
 * assignment (GROUP_JOIN).
 *
 * Membership always uses kafkajs, whatever `kafka.client` names for producing: the other client
 * backends do not offer a custom assigner with member and assignment `userData`.
 */
import {
  type Admin,
  AssignerProtocol,
  type Consumer,
  type GroupMemberAssignment,
  Kafka,
  type PartitionAssigner,
} from 'kafkajs'
import type {
  AssignmentChange,
  GroupDescription,
  GroupMembership,
  GroupMembershipOptions,
  JoiningMember,
} from '../transport'
import { KAFKAJS_RETRY, kafkajsClientConfig } from './client-options'

const PROTOCOL_VERSION = 1

/** The broker object kafkajs talks to the group coordinator through (the part used here). */
interface CoordinatorBroker {
  joinGroup(request: { groupId: string }): Promise<{ generationId: number }>
}

/** The kafkajs cluster handed to a partition assigner (the part used here). */
interface AssignerCluster {
  findGroupCoordinator(request: { groupId: string }): Promise<CoordinatorBroker>
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>
}

/**
 * kafkajs keeps the generation of a JoinGroup response to itself (GROUP_JOIN does not carry it):
 * the JoinGroup response of this consumer's own coordinator connection is read on its way back.
 * Without it (another kafkajs version), the generation comes from the next heartbeat instead.
 */
function observeGeneration(cluster: AssignerCluster, groupId: string, seen: (generation: number) => void): void {
  const find = cluster.findGroupCoordinator?.bind(cluster)
  if (typeof find !== 'function') return
  const wrapped = new WeakSet<object>()
  cluster.findGroupCoordinator = async (request) => {
    const broker = await find(request)
    if (request.groupId === groupId && typeof broker?.joinGroup === 'function' && !wrapped.has(broker)) {
      wrapped.add(broker)
      const joinGroup = broker.joinGroup.bind(broker)
      broker.joinGroup = async (req) => {
        const response = await joinGroup(req)
        if (req.groupId === groupId && typeof response?.generationId === 'number') seen(response.generationId)
        return response
      }
    }
    return broker
  }
}

/** Opens a kafkajs {@link GroupMembership}; connects when joining or describing. */
export async function openKafkajsGroupMembership(options: GroupMembershipOptions): Promise<GroupMembership> {
  const client = await kafkajsClientConfig(options.kafka, {
    ...(options.logger ? { logger: options.logger } : {}),
    clientIdSuffix: options.clientIdSuffix ?? '-group',
  })
  const kafka = new Kafka({ ...client.kafkajs, retry: { ...KAFKAJS_RETRY, retries: 5 } })
  const { groupId, topic } = options
  let generation = -1
  let admin: Admin | undefined
  let consumer: Consumer | undefined
  let leaving = false

  const ensureAdmin = async (): Promise<Admin> => {
    if (!admin) {
      const a = kafka.admin({ retry: { ...KAFKAJS_RETRY, retries: 3 } })
      await a.connect()
      admin = a
    }
    return admin
  }

  const assigner: PartitionAssigner = ({ cluster }) => {
    const c = cluster as unknown as AssignerCluster
    observeGeneration(c, groupId, (g) => {
      generation = g
    })
    return {
      name: options.protocol,
      version: PROTOCOL_VERSION,
      protocol: ({ topics }) => ({
        name: options.protocol,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: PROTOCOL_VERSION,
          topics,
          userData: options.userData(),
        }),
      }),
      async assign({ members }): Promise<GroupMemberAssignment[]> {
        const partitions = c.findTopicPartitionMetadata(topic).length
        const joining: JoiningMember[] = members.map((m) => ({
          memberId: m.memberId,
          userData: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData ?? null,
        }))
        const decided = options.assign(joining, { partitions, generation })
        return members.map(({ memberId }) => {
          const mine = decided.get(memberId)
          return {
            memberId,
            memberAssignment: AssignerProtocol.MemberAssignment.encode({
              version: PROTOCOL_VERSION,
              assignment: { [topic]: [...(mine?.partitions ?? [])] },
              userData: mine?.userData ?? Buffer.alloc(0),
            }),
          }
        })
      },
    }
  }

  const membership: GroupMembership = {
    async ensureTopic(partitions) {
      const a = await ensureAdmin()
      const existing = await a.listTopics()
      if (!existing.includes(topic)) {
        try {
          await a.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic,
                numPartitions: partitions,
                replicationFactor: options.kafka.topics.replication_factor,
              },
            ],
          })
          return
        } catch (err) {
          // another worker created it first: fall through to the partition count
          const type = (err as { type?: string; errors?: Array<{ type?: string }> }).errors?.[0]?.type
          if (type !== 'TOPIC_ALREADY_EXISTS' && (err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err
        }
      }
      const metadata = await a.fetchTopicMetadata({ topics: [topic] })
      const has = metadata.topics[0]?.partitions.length ?? 0
      if (has < partitions) {
        try {
          await a.createPartitions({ topicPartitions: [{ topic, count: partitions }] })
        } catch (err) {
          // another worker added them first
          if ((err as { type?: string }).type !== 'INVALID_PARTITIONS') throw err
        }
      }
    },

    async join(onAssignment, onFailure) {
      const c = kafka.consumer({
        groupId,
        partitionAssigners: [assigner],
        sessionTimeout: options.sessionTimeoutMs,
        heartbeatInterval: options.heartbeatIntervalMs,
        rebalanceTimeout: options.rebalanceTimeoutMs,
        // An empty fetch waits this long, then heartbeats: keep it within the heartbeat interval.
        maxWaitTimeInMs: Math.max(100, Math.min(1000, options.heartbeatIntervalMs)),
        allowAutoTopicCreation: false,
        retry: { ...KAFKAJS_RETRY, retries: 10, maxRetryTime: 5000 },
      })
      consumer = c
      let chain = Promise.resolve()
      c.on(c.events.HEARTBEAT, ({ payload }) => {
        if (generation < 0) generation = payload.groupGenerationId
      })
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        const change: AssignmentChange = {
          generation,
          memberId: payload.memberId,
          leaderId: payload.leaderId,
          isLeader: payload.isLeader,
          partitions: [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b),
        }
        // one change at a time: a revoke must finish before the next assignment is applied
        chain = chain.then(() => onAssignment(change)).catch((err: unknown) => onFailure(err as Error))
      })
      c.on(c.events.CRASH, ({ payload }) => {
        if (!payload.restart && !leaving) onFailure(payload.error)
      })
      await c.connect()
      await c.subscribe({ topics: [topic], fromBeginning: false })
      await c.run({ autoCommit: false, eachMessage: async () => {} })
    },

    async leave() {
      leaving = true
      const c = consumer
      consumer = undefined
      // stop() leaves the group (LeaveGroup): the others rebalance at once
      await c?.disconnect()
    },

    async describe(): Promise<GroupDescription> {
      const a = await ensureAdmin()
      const { groups } = await a.describeGroups([groupId])
      const group = groups[0]
      return {
        groupId,
        state: group?.state ?? 'Dead',
        protocol: group?.protocol ?? '',
        members: (group?.members ?? []).map((m) => {
          const assignment =
            m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null
          const metadata = m.memberMetadata.length > 0 ? AssignerProtocol.MemberMetadata.decode(m.memberMetadata) : null
          return {
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            userData: metadata?.userData ?? null,
            partitions: [...(assignment?.assignment[topic] ?? [])].sort((x, y) => x - y),
            assignmentUserData: assignment?.userData && assignment.userData.length > 0 ? assignment.userData : null,
          }
        }),
      }
    },

    async close() {
      await membership.leave().catch(() => {})
      await admin?.disconnect().catch(() => {})
      admin = undefined
    },
  }
  return membership
}
