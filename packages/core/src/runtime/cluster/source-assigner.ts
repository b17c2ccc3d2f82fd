/**
 * The group leader's assignment: members whose config digest matches the group's get an even,
 * sticky share of the source slots; a member whose config differs gets nothing and a note naming
 * the difference, so it can say why and exit. The group's config is the one most members run
 * (the leader's on a tie): one worker started with a stray file cannot take the others down.
 */
import type { GroupAssigner, MemberAssignment } from '../../kafka/transport'
import { type ConfigDigest, digestDifference, digestKey } from './config-digest'
import { type AssignmentNote, decodeAnnouncement, encodeUserData, type WorkerAnnouncement } from './member-data'
import { spreadSlots } from './spread'

/** What the leader knows of itself. */
export interface LocalWorker {
  readonly worker: string
  readonly digest: ConfigDigest
  /** The source slots of its config (sorted enabled source ids). */
  readonly slots: readonly string[]
}

/** Why `theirs` is refused next to `reference`'s config, naming the sections. */
export function refusalMessage(groupId: string, theirs: WorkerAnnouncement, reference: WorkerAnnouncement): string {
  const differ = digestDifference(theirs.digest, reference.digest)
  const listed =
    differ.length > 3 ? `${differ.slice(0, 3).join(', ')} and ${differ.length - 3} more` : differ.join(', ')
  return `this worker's config is refused: ${listed} ${differ.length === 1 ? 'differs' : 'differ'} from worker ${reference.worker}'s: every worker of group ${groupId} must run the same config file. Stop this one, or give it its own cluster.group_id`
}

/** The assigner the leader runs (see the module comment). */
export function createSourceAssigner(groupId: string, local: LocalWorker): GroupAssigner {
  return (members, { partitions, generation }) => {
    const announced = members.map((m) => ({ memberId: m.memberId, announcement: decodeAnnouncement(m.userData) }))
    // the group's config: the digest most members run; the leader's own wins a tie
    const localKey = digestKey(local.digest)
    const votes = new Map<string, number>()
    for (const { announcement } of announced) {
      if (!announcement) continue
      const key = digestKey(announcement.digest)
      votes.set(key, (votes.get(key) ?? 0) + 1)
    }
    let groupKey = localKey
    for (const [key, count] of votes) {
      const best = votes.get(groupKey) ?? 0
      if (count > best) groupKey = key
    }
    const reference = announced
      .filter((a) => a.announcement && digestKey(a.announcement.digest) === groupKey)
      .map((a) => a.announcement!)
      .sort((a, b) =>
        a.worker === local.worker ? -1 : b.worker === local.worker ? 1 : a.worker.localeCompare(b.worker),
      )[0]
    const usable = Math.min(local.slots.length, partitions)
    const slotOf = new Map(local.slots.map((id, i) => [id, i]))
    const eligible = announced.filter(
      (a): a is { memberId: string; announcement: WorkerAnnouncement } =>
        a.announcement !== undefined && digestKey(a.announcement.digest) === groupKey,
    )
    const spread = spreadSlots(
      eligible.map((a) => ({
        id: `${a.announcement.worker}\u0000${a.memberId}`,
        owned: a.announcement.owned.map((s) => slotOf.get(s) ?? -1).filter((i) => i >= 0 && i < usable),
      })),
      usable,
    )
    const out = new Map<string, MemberAssignment>()
    for (const { memberId, announcement } of announced) {
      const note: AssignmentNote = {
        v: 1,
        generation,
        leader: local.worker,
        ...(announcement && reference && digestKey(announcement.digest) !== groupKey
          ? { refused: refusalMessage(groupId, announcement, reference) }
          : {}),
        ...(!announcement
          ? { refused: 'this member does not announce a Firefront worker (another client or version)' }
          : {}),
      }
      const slots = announcement ? (spread.get(`${announcement.worker}\u0000${memberId}`) ?? []) : []
      out.set(memberId, { partitions: slots, userData: encodeUserData(note) })
    }
    return out
  }
}
