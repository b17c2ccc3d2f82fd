/**
 * A digest of the config per section, carried in each worker's group metadata so that a worker
 * started with another config file under the same group_id is refused with the difference named
 * ("sources.firms differs"). Only hashes travel, and values under secret-named keys (passwords,
 * tokens, keys) are left out before hashing. What may differ between workers of one group is left
 * out too: the worker's id, its state folder, spool folder, metrics server and log level.
 */
import { createHash } from 'node:crypto'
import { isSecretKey } from '@firefront/sdk'
import type { FirefrontConfig } from '../../config/schema'

/** Sections hash by hash: `kafka`, `cursors`, `sources.<id>`, ... */
export type ConfigDigest = Readonly<Record<string, string>>

/** Top-level keys that may differ between the workers of one group. */
const PER_WORKER = new Set(['state_dir', 'spool', 'metrics', 'log_level', 'cluster'])

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    out[key] = isSecretKey(key) ? '(secret)' : canonical(v)
  }
  return out
}

const hash = (value: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(canonical(value)) ?? 'undefined')
    .digest('hex')
    .slice(0, 16)

/** The digest of each section of `config` (each source on its own). */
export function configDigest(config: FirefrontConfig): ConfigDigest {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(config)) {
    if (PER_WORKER.has(key) || key === 'sources') continue
    out[key] = hash(value)
  }
  const cluster = config.cluster
  if (cluster) {
    const { worker_id: _worker, ...shared } = cluster
    out.cluster = hash(shared)
  }
  for (const [id, source] of Object.entries(config.sources)) out[`sources.${id}`] = hash(source)
  return out
}

/** The sections where two digests differ (one side missing counts), sorted. */
export function digestDifference(mine: ConfigDigest, theirs: ConfigDigest): string[] {
  const keys = new Set([...Object.keys(mine), ...Object.keys(theirs)])
  return [...keys].filter((k) => mine[k] !== theirs[k]).sort()
}

/** One key for a whole digest, to group workers running the same config. */
export function digestKey(digest: ConfigDigest): string {
  return JSON.stringify(canonical(digest))
}
