/**
 * Pieces shared by the built-in modes' config schemas. Each schema validates a source's
 * `ingestion:` block; `mode` picks the plugin and is accepted and ignored here.
 * @packageDocumentation
 */
import { Duration, Type } from '@firefront/sdk'

/** The `mode` key, accepted so a whole `ingestion:` block validates as it is. */
export const ModeKey = Type.Optional(
  Type.String({ description: 'the ingestion mode (batch | real_time | continuous_streaming); chooses this plugin' }),
)

/** `max_pages_per_cycle`, with a mode's own default. */
export const MaxPagesPerCycle = (def: number) =>
  Type.Integer({
    minimum: 1,
    default: def,
    description: 'a cycle fetches pages while the connector says hasMore, up to this many; the next cycle continues',
  })

/** The version of the built-in mode plugins: the runtime's own. */
export const BUILTIN_MODE_VERSION = '0.1.0'

/**
 * Keys the seed's ingestion config carries for every mode, accepted by the modes that do not use
 * them so a seed config validates unchanged (each says which mode uses it).
 */
export const SeedBufferKeys = {
  buffer_size: Type.Optional(
    Type.Integer({ minimum: 1, description: 'used by continuous_streaming; accepted here for seed compatibility' }),
  ),
  buffer_flush_interval_seconds: Type.Optional(
    Duration.seconds({
      exclusiveMinimum: 0,
      description: 'used by continuous_streaming; accepted here for seed compatibility',
    }),
  ),
}
