/**
 * The generic disk spool: append-only JSON-lines segments, fsync'd, bounded, FIFO, acknowledged.
 * @packageDocumentation
 */
export {
  isSpoolDirectory,
  scanSpool,
  SegmentSpool,
  type SegmentSpoolOptions,
  type SpoolEntry,
  SpoolFullError,
  type SpoolRecovery,
  type SpoolStats,
} from './segment-spool'
