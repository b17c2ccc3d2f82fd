/**
 * Loads `@firefront/rdkafka-batch`, the addon that hands librdkafka a whole batch per call. It is
 * optional: where it was not built, the native backend produces through node-rdkafka per record.
 */
import type { RdKafkaBatch } from '@firefront/rdkafka-batch'

/** The addon, or why it cannot be used here. */
export type BatchAddon = { readonly addon: RdKafkaBatch } | { readonly addon: null; readonly reason: string }

type BatchModule = { readonly addon: RdKafkaBatch | null; readonly reason?: string | undefined }

let loaded: Promise<BatchAddon> | undefined

/** The batch addon, loaded once. */
export function loadBatchAddon(): Promise<BatchAddon> {
  loaded ??= importBatchAddon(() => import('@firefront/rdkafka-batch'))
  return loaded
}

/** Loads the addon with `load` (tests pass one that fails); see {@link loadBatchAddon}. */
export async function importBatchAddon(load: () => Promise<BatchModule>): Promise<BatchAddon> {
  try {
    const mod = await load()
    if (mod.addon) return { addon: mod.addon }
    return { addon: null, reason: mod.reason ?? 'the addon was not built here' }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
    return {
      addon: null,
      reason: missing
        ? '@firefront/rdkafka-batch is not installed'
        : `@firefront/rdkafka-batch failed to load (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    }
  }
}
