/**
 * Why a record left without reaching the sink: the queue's own reasons, and the runtime's (the
 * `reason` label of the dropped-records metric and of the `record:dropped` event). Declared once.
 */

/** Why the queue dropped a record. */
export const QUEUE_DROP_REASONS = [
  /** `drop_oldest`: the oldest record of the lowest non-empty level was evicted to make room. */
  'drop_oldest',
  /** `drop_newest`: the newest record of the lowest non-empty level (possibly the arriving one) was dropped. */
  'drop_newest',
  /** The arriving record ranked below every queued record, so it was dropped itself. */
  'lower_priority',
] as const

/** One of {@link QUEUE_DROP_REASONS}. */
export type QueueDropReason = (typeof QUEUE_DROP_REASONS)[number]

/** Why the runtime counted a record as dropped. */
export const DROP_REASONS = [
  'queue_overflow_oldest',
  'queue_overflow_newest',
  'queue_overflow_lower_priority',
  'shutdown_timeout',
  'rejected_input_dlq_disabled',
  'stream_stopped',
] as const

/** One of {@link DROP_REASONS}. */
export type DropReason = (typeof DROP_REASONS)[number]
