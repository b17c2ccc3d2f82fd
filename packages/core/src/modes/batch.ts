/**
 * The `batch` ingestion mode: a cycle that drains every page, on a cron schedule or every
 * `batch_interval_seconds`.
 * @packageDocumentation
 */
import {
  Duration,
  ConfigValidationError,
  defineIngestionMode,
  type ModeProcess,
  type ModeSource,
  type Static,
  Type,
} from '@firefront/sdk'
import { Cron } from 'croner'
import { type BuiltinModeInstance, ModeRunner, requirePull } from './mode-runner'
import { BUILTIN_MODE_VERSION, MaxPagesPerCycle, ModeKey, SeedBufferKeys } from './schema'

/** The `ingestion:` block of a `batch` source. */
export const BatchModeConfig = Type.Object(
  {
    mode: ModeKey,
    schedule: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'cron expression: 5 fields, or 6 with seconds first (e.g. "0 */6 * * *"); takes precedence over batch_interval_seconds',
      }),
    ),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'IANA time zone of the schedule (e.g. "UTC"); default the system zone',
      }),
    ),
    batch_interval_seconds: Type.Optional(
      Duration.seconds({
        exclusiveMinimum: 0,
        description:
          'time between the starts of two cycles when no schedule is set (default: polling_interval_seconds, else 3600)',
      }),
    ),
    polling_interval_seconds: Type.Optional(
      Duration.seconds({
        exclusiveMinimum: 0,
        description: "the seed's name for the interval; batch_interval_seconds wins when both are set",
      }),
    ),
    run_on_start: Type.Optional(
      Type.Boolean({
        description:
          'run a cycle at once when the source starts; default true with batch_interval_seconds, false with a schedule',
      }),
    ),
    max_pages_per_cycle: MaxPagesPerCycle(1000),
    ...SeedBufferKeys,
  },
  { additionalProperties: false },
)
export type BatchModeConfig = Static<typeof BatchModeConfig>

/** The interval between cycles: batch_interval_seconds, else the seed's polling_interval_seconds, else an hour. */
const intervalSeconds = (config: BatchModeConfig): number =>
  config.batch_interval_seconds ?? config.polling_interval_seconds ?? 3600

/** Parses the schedule now, so a bad expression or time zone fails at create with its path. */
function parseSchedule(schedule: string, timezone: string | undefined): Cron {
  try {
    // No callback: croner only computes run times, it sets no timer.
    const cron = new Cron(schedule, { paused: true, ...(timezone ? { timezone } : {}) })
    cron.nextRun()
    return cron
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    const path = /time ?zone/i.test(message) ? 'timezone' : 'schedule'
    throw new ConfigValidationError(
      [{ path, message: `invalid ${path} ${JSON.stringify(path === 'timezone' ? timezone : schedule)}: ${message}` }],
      'ERR_PLUGIN_CONFIG',
    )
  }
}

/**
 * `batch`: each cycle drains the source, fetching pages while the connector says `hasMore`
 * (up to `max_pages_per_cycle`). Cycles run on the cron `schedule` when one is set (a cycle
 * that overruns a scheduled time skips it rather than piling up), else every
 * `batch_interval_seconds`, start to start. Pull connectors only.
 */
export const batchMode = defineIngestionMode({
  name: 'batch',
  version: BUILTIN_MODE_VERSION,
  description: 'drains every page on a cron schedule or every batch_interval_seconds (default 3600)',
  configSchema: BatchModeConfig,
  create(config, ctx): BuiltinModeInstance {
    const cron = config.schedule ? parseSchedule(config.schedule, config.timezone) : undefined
    const runOnStart = config.run_on_start ?? cron === undefined
    const runner = new ModeRunner('batch', ctx, config.max_pages_per_cycle)
    const cycleOf = (source: ModeSource, process: ModeProcess) => {
      const pull = requirePull(source, 'batch')
      return () =>
        runner.pullCycle(pull, async (records, cursor) => {
          await process(records, cursor)
          runner.recordsProcessed += records.length
        })
    }

    /** Runs cycles at the schedule's times until the mode stops or the schedule has no more. */
    const onSchedule = async (schedule: Cron, cycle: () => Promise<void>): Promise<void> => {
      if (runOnStart) {
        const outcome = await runner.guardedCycle(cycle)
        if (outcome === 'fatal' || outcome === 'stopped') return
      }
      while (!runner.stopping) {
        const next = schedule.nextRun(new Date(ctx.clock.now()))
        if (!next) {
          ctx.logger.info({ schedule: config.schedule }, 'the schedule has no further runs; batch ingestion ends')
          runner.requestStop('ended')
          return
        }
        runner.nextRunAt = next.getTime()
        if (!(await runner.sleep(next.getTime() - ctx.clock.now()))) return
        const outcome = await runner.guardedCycle(cycle)
        if (outcome === 'fatal' || outcome === 'stopped') return
      }
    }

    return {
      async start(source, process) {
        const cycle = cycleOf(source, process)
        runner.start([
          () => (cron ? onSchedule(cron, cycle) : runner.every(intervalSeconds(config) * 1000, cycle, runOnStart)),
        ])
      },
      runOnce: async (source, process) => runner.once(cycleOf(source, process)),
      stop: () => runner.stop(),
      done: () => runner.done(),
      metrics: () =>
        runner.metrics({
          schedule: config.schedule ?? null,
          batchIntervalSeconds: cron ? null : intervalSeconds(config),
        }),
    }
  },
})
