import type { SinkRecord } from '@firefront/sdk'
import type { Checkpoint } from './checkpoints'

/** What the runtime's queue holds: a record ready for the sink and the bookkeeping to acknowledge it. */
export interface QueuedRecord {
  readonly record: SinkRecord
  readonly streamId: string
  /** The poll this record came from (pull sources); settled when the record is acknowledged or dropped. */
  readonly checkpoint?: Checkpoint
  /**
   * Whether the queue may evict it under a drop strategy: false for records of sources that can
   * wait (pull sources), whose cursor must never pass a record that was not delivered.
   */
  readonly evictable: boolean
  /** Its entry in the push source's intake journal, settled with it (see `journal/intake-journal.ts`). */
  readonly journalSeq?: number
}
