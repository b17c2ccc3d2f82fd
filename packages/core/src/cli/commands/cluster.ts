/**
 * `firefront cluster status <config>`: the workers of the config's group (worker ids, hosts, their
 * sources), the generation, and each source's owner, committed cursor and last commit time, read
 * from the broker (the group's description and the cursor topic); nothing is joined or changed.
 */
import { parseArgs } from 'node:util'
import type { CursorEntry } from '../../cursors/file-cursor-store'
import { KafkaCursorStore } from '../../kafka/cursor-store'
import { openGroupMembership } from '../../kafka/group-membership'
import type { GroupDescription } from '../../kafka/transport'
import { CLUSTER_PROTOCOL, type ClusterMember, membersOf } from '../../runtime/cluster/coordinator'
import { assignmentTopic, sourceSlots } from '../../runtime/cluster/identity'
import { decodeNote } from '../../runtime/cluster/member-data'
import { createSourceAssigner } from '../../runtime/cluster/source-assigner'
import { EXIT, type CommandIO } from '../io'
import { loadConfigOrReport } from '../load-runtime'

/** What `cluster status --json` prints. */
export interface ClusterStatus {
  readonly group_id: string
  readonly state: string
  readonly generation: number
  readonly members: readonly ClusterMember[]
  readonly sources: ReadonlyArray<{
    readonly source: string
    readonly owner: string | null
    readonly cursor: CursorEntry['cursor'] | null
    readonly committed_at: string | null
    readonly records: number | null
  }>
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')
}

const ago = (iso: string | null, now: number): string => {
  if (!iso) return '-'
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  return `${iso} (${s} s ago)`
}

/** Runs the command; resolves with the exit code. */
export async function clusterCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  })
  const [action, file] = positionals
  if (action !== 'status' || !file) {
    io.stderr.write('usage: firefront cluster status <config> [--json]\n')
    return EXIT.invalid
  }
  const loaded = await loadConfigOrReport(file, io)
  if (!loaded) return EXIT.invalid
  const config = loaded.config
  const cluster = config.cluster
  if (!cluster) {
    io.stderr.write(`firefront cluster: ${file} has no cluster: block; its sources run in one process\n`)
    return EXIT.invalid
  }
  const slots = sourceSlots(config)
  const membership = await openGroupMembership({
    kafka: config.kafka,
    groupId: cluster.group_id,
    topic: assignmentTopic(cluster),
    protocol: CLUSTER_PROTOCOL,
    sessionTimeoutMs: cluster.session_timeout_seconds * 1000,
    heartbeatIntervalMs: cluster.heartbeat_interval_seconds * 1000,
    rebalanceTimeoutMs: 30_000,
    clientIdSuffix: '-status',
    userData: () => Buffer.alloc(0),
    // never used: this client only describes the group
    assign: createSourceAssigner(cluster.group_id, { worker: 'status', digest: {}, slots }),
  })
  let group: GroupDescription
  let cursors: Readonly<Record<string, CursorEntry>>
  try {
    group = await membership.describe()
    const store = await KafkaCursorStore.open(config, { readTimeoutMs: 15_000 })
    try {
      cursors = store.list()
    } finally {
      await store.close()
    }
  } finally {
    await membership.close()
  }
  const members = membersOf(group, slots)
  const generation = Math.max(-1, ...group.members.map((m) => decodeNote(m.assignmentUserData)?.generation ?? -1))
  const owner = new Map<string, string>()
  for (const m of members) for (const s of m.sources) owner.set(s, m.worker)
  const status: ClusterStatus = {
    group_id: cluster.group_id,
    state: group.state,
    generation,
    members,
    sources: slots.map((source) => {
      const entry = cursors[source]
      return {
        source,
        owner: owner.get(source) ?? null,
        cursor: entry?.cursor ?? null,
        committed_at: entry?.committedAt ?? null,
        records: entry?.records ?? null,
      }
    }),
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify(status, null, 2)}\n`)
    return EXIT.ok
  }
  const now = Date.now()
  const out: string[] = [
    `group ${status.group_id}: ${status.state}, generation ${generation >= 0 ? generation : 'unknown'}, ${members.length} worker(s)`,
    '',
    table([
      ['WORKER', 'HOST', 'PID', 'SOURCES'],
      ...members.map((m) => [
        m.worker,
        m.host,
        String(m.pid || '-'),
        m.refused ? `refused: ${m.refused}` : m.sources.join(', ') || '(none)',
      ]),
    ]),
    '',
    table([
      ['SOURCE', 'OWNER', 'RECORDS', 'COMMITTED AT', 'CURSOR'],
      ...status.sources.map((s) => [
        s.source,
        s.owner ?? '(unassigned)',
        s.records === null ? '-' : String(s.records),
        ago(s.committed_at, now),
        s.cursor === null ? '(none)' : JSON.stringify(s.cursor),
      ]),
    ]),
  ]
  io.stdout.write(`${out.join('\n')}\n`)
  return EXIT.ok
}
