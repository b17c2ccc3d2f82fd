/**
 * Who a worker is and what it shares: its id in the group, its own state folder, the source slots
 * (the assignment topic's partition i is the i-th enabled source by id) and each source's stable
 * identity across workers.
 */
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { ClusterConfig, FirefrontConfig } from '../../config/schema'

const UNSAFE = /[^A-Za-z0-9._-]/g

/** `<hostname>-<pid>`, with characters a worker id may not hold replaced. */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}`.replace(UNSAFE, '_')
}

/** The assignment topic of a cluster block: `assignment_topic`, or `<group_id>.firefront-assignments`. */
export function assignmentTopic(cluster: ClusterConfig): string {
  return cluster.assignment_topic ?? `${cluster.group_id}.firefront-assignments`
}

/**
 * A source's identity across every worker of the group, `<group_id>.<source_id>`: stable while
 * the source moves between workers (the `transactional.id` its producer would fence with).
 */
export function sourceIdentity(cluster: ClusterConfig, sourceId: string): string {
  return `${cluster.group_id}.${sourceId}`
}

/** The source slots: enabled source ids, sorted; partition i of the assignment topic is slot i. */
export function sourceSlots(config: FirefrontConfig): string[] {
  return Object.entries(config.sources)
    .filter(([, s]) => s.enabled)
    .map(([id]) => id)
    .sort()
}

/**
 * The config as one worker runs it: `cluster.worker_id` filled in, and its own state folder
 * (`<state_dir>/workers/<worker_id>`, and `<spool.directory>/<worker_id>` when that is set), so
 * workers on one host never share a spool or a lock. Without `cluster:`, the config as it is.
 */
export function workerConfig(config: FirefrontConfig, workerId: () => string = defaultWorkerId): FirefrontConfig {
  const cluster = config.cluster
  if (!cluster) return config
  const id = cluster.worker_id ?? workerId()
  return {
    ...config,
    cluster: { ...cluster, worker_id: id },
    state_dir: join(config.state_dir, 'workers', id),
    spool: {
      ...config.spool,
      ...(config.spool.directory ? { directory: join(config.spool.directory, id) } : {}),
    },
  }
}
