/**
 * Loads `@firefront/rdkafka-batch`, the addon that hands librdkafka a whole batch per call. It is
 * optional: where it was not built, the native backend produces through node-rdkafka per record.
 */
import { createRequire } from 'node:module'
import type { RdKafkaBatch } from '@firefront/rdkafka-batch'

/** The addon, or why it cannot be used here. */
export type BatchAddon = { readonly addon: RdKafkaBatch } | { readonly addon: null; readonly reason: string }

let loaded: BatchAddon | undefined

/** The batch addon, loaded once. */
export function loadBatchAddon(): BatchAddon {
  loaded ??= requireBatchAddon(createRequire(import.meta.url))
  return loaded
}

/** Loads the addon with `require` (tests pass one that fails); see {@link loadBatchAddon}. */
export function requireBatchAddon(require: (id: string) => unknown): BatchAddon {
  try {
    const mod = require('@firefront/rdkafka-batch') as { addon: RdKafkaBatch | null; reason?: string }
    if (mod.addon) return { addon: mod.addon }
    return { addon: null, reason: mod.reason ?? 'the addon was not built here' }
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
    return {
      addon: null,
      reason: missing
        ? '@firefront/rdkafka-batch is not installed'
        : `@firefront/rdkafka-batch failed to load (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    }
  }
}
