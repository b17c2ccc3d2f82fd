/**
 * The `real_time` ingestion mode: polls every `polling_interval_seconds`.
 * @packageDocumentation
 */
import { Duration, defineIngestionMode, type ModeProcess, type ModeSource, type Static, Type } from '@firefront/sdk'
import { type BuiltinModeInstance, ModeRunner, requirePull } from './mode-runner'
import { BUILTIN_MODE_VERSION, MaxPagesPerCycle, ModeKey, SeedBufferKeys } from './schema'

/** The `ingestion:` block of a `real_time` source. */
export const RealTimeModeConfig = Type.Object(
  {
    mode: ModeKey,
    polling_interval_seconds: Duration.seconds({
      exclusiveMinimum: 0,
      default: 30,
      description: 'time between the starts of two polls; a poll that overruns is followed at once by the next',
    }),
    max_pages_per_cycle: MaxPagesPerCycle(100),
    ...SeedBufferKeys,
  },
  { additionalProperties: false },
)
export type RealTimeModeConfig = Static<typeof RealTimeModeConfig>

/**
 * `real_time`: one cycle at start, then one every `polling_interval_seconds`, measured start to
 * start, never overlapping. A cycle fetches every page the connector has ready (`hasMore`) and
 * hands each to `process` as it arrives. Pull connectors only.
 */
export const realTimeMode = defineIngestionMode({
  name: 'real-time',
  version: BUILTIN_MODE_VERSION,
  description: 'polls every polling_interval_seconds (default 30)',
  configSchema: RealTimeModeConfig,
  create(config, ctx): BuiltinModeInstance {
    const runner = new ModeRunner('real_time', ctx, config.max_pages_per_cycle)
    const intervalMs = config.polling_interval_seconds * 1000
    const cycleOf = (source: ModeSource, process: ModeProcess) => {
      const pull = requirePull(source, 'real_time')
      return () =>
        runner.pullCycle(pull, async (records, cursor) => {
          await process(records, cursor)
          runner.recordsProcessed += records.length
        })
    }
    return {
      async start(source, process) {
        const cycle = cycleOf(source, process)
        runner.start([() => runner.every(intervalMs, cycle)])
      },
      runOnce: async (source, process) => runner.once(cycleOf(source, process)),
      stop: () => runner.stop(),
      done: () => runner.done(),
      metrics: () => runner.metrics({ pollingIntervalSeconds: config.polling_interval_seconds }),
    }
  },
})
