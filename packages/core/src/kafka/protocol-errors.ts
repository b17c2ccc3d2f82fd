/**
 * Kafka protocol error names (as the broker's error codes are named) sorted by what delivery
 * does about them. Shared by every backend that sees the broker's names (kafkajs, platformatic).
 */

/** A newer producer with the same transactional id took over (the broker says "epoch" before 2.7). */
export const FENCED_ERRORS: ReadonlySet<string> = new Set(['PRODUCER_FENCED', 'TRANSACTIONAL_ID_FENCED'])

/** The broker lost the idempotent producer's sequence state: a new producer, then retry. */
export const PRODUCER_STATE_ERRORS: ReadonlySet<string> = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'DUPLICATE_SEQUENCE_NUMBER',
])

/** A record (or the request's size) was refused: split the batch, dead-letter the record. */
export const RECORD_LEVEL_ERRORS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
])
