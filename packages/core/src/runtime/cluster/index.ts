/**
 * Several workers sharing one config's sources through Kafka's consumer group protocol: see
 * docs/scaling.md.
 * @packageDocumentation
 */
export {
  CLUSTER_PROTOCOL,
  ClusterCoordinator,
  type ClusterCoordinatorOptions,
  type ClusterMember,
  type ClusterMetrics,
  membersOf,
  type SourceOwnership,
} from './coordinator'
export { type ConfigDigest, configDigest, digestDifference } from './config-digest'
export { assignmentTopic, defaultWorkerId, sourceIdentity, sourceSlots, workerConfig } from './identity'
export { type AssignmentNote, decodeAnnouncement, decodeNote, type WorkerAnnouncement } from './member-data'
export { createSourceAssigner, refusalMessage } from './source-assigner'
export { spreadSlots, type SpreadMember } from './spread'
