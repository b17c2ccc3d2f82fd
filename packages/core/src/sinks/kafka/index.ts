/**
 * The `kafka` sink plugin (the sink contract over the Kafka adapter in `src/kafka/`) and the
 * dead-letter inspection behind `firefront dlq`. Re-exports the adapter's names the runtime and
 * embedders used from here.
 * @packageDocumentation
 */
export * from '../../kafka'
export {
  type DlqFilter,
  type DlqInspection,
  type DlqRecordSummary,
  type DlqReplayResult,
  inspectDlq,
  type PendingSummary,
  replayDlq,
} from './dlq-inspect'
export { createKafkaSink, hasEnsureTopics, type KafkaSinkDeps, type KafkaSinkInstance, kafkaSink } from './kafka-sink'
