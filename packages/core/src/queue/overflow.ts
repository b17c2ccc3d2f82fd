/**
 * What a full queue does with an arriving record (the seed's `queue_overflow_strategy`), declared
 * once for the config schema, the queue and the docs.
 */

/** The overflow strategies, as the config file spells them. */
export const OVERFLOW_STRATEGIES = ['drop_oldest', 'drop_newest', 'block'] as const

/** One of {@link OVERFLOW_STRATEGIES}. */
export type OverflowStrategy = (typeof OVERFLOW_STRATEGIES)[number]
