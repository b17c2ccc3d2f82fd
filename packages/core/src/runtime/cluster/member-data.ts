/**
 * What travels in the group protocol, as small JSON documents: each worker's announcement (member
 * metadata `userData`: who it is, its config digest, the sources it runs now) and the leader's
 * note to each member (assignment `userData`: the generation, the leader, and why a member was
 * refused).
 */
import type { ConfigDigest } from './config-digest'

/** A worker's announcement when it joins. */
export interface WorkerAnnouncement {
  readonly v: 1
  readonly worker: string
  readonly host: string
  readonly pid: number
  readonly digest: ConfigDigest
  /** Source ids the worker runs as it joins: kept where the spread allows (fewer moves). */
  readonly owned: readonly string[]
}

/** The leader's note to one member. */
export interface AssignmentNote {
  readonly v: 1
  /** The generation this assignment belongs to (-1 when the leader did not know it). */
  readonly generation: number
  /** The leader's worker id. */
  readonly leader: string
  /** Set when the member is given nothing because its config differs: why, naming the difference. */
  readonly refused?: string
}

const parse = (data: Buffer | null): Record<string, unknown> | undefined => {
  if (!data || data.length === 0) return undefined
  try {
    const value = JSON.parse(data.toString('utf8')) as unknown
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Encodes a JSON document for `userData`. */
export const encodeUserData = (value: WorkerAnnouncement | AssignmentNote): Buffer =>
  Buffer.from(JSON.stringify(value), 'utf8')

/** Reads an announcement; undefined when it is not one (another client in the group, an old version). */
export function decodeAnnouncement(data: Buffer | null): WorkerAnnouncement | undefined {
  const v = parse(data)
  if (v?.v !== 1 || typeof v.worker !== 'string' || typeof v.digest !== 'object' || v.digest === null) return undefined
  return {
    v: 1,
    worker: v.worker,
    host: typeof v.host === 'string' ? v.host : '',
    pid: typeof v.pid === 'number' ? v.pid : 0,
    digest: v.digest as ConfigDigest,
    owned: Array.isArray(v.owned) ? v.owned.filter((s): s is string => typeof s === 'string') : [],
  }
}

/** Reads a leader's note; undefined when there is none. */
export function decodeNote(data: Buffer | null): AssignmentNote | undefined {
  const v = parse(data)
  if (v?.v !== 1) return undefined
  return {
    v: 1,
    generation: typeof v.generation === 'number' ? v.generation : -1,
    leader: typeof v.leader === 'string' ? v.leader : '',
    ...(typeof v.refused === 'string' ? { refused: v.refused } : {}),
  }
}
