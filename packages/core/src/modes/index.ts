/**
 * The built-in ingestion modes, registered through the same registry as plugins.
 * @packageDocumentation
 */
import { batchMode } from './batch'
import { continuousStreamingMode } from './continuous-streaming'
import { realTimeMode } from './real-time'

export { BatchModeConfig, batchMode } from './batch'
export { ContinuousStreamingModeConfig, continuousStreamingMode } from './continuous-streaming'
export {
  type BuiltinModeInstance,
  type CycleOutcome,
  ModeRunner,
  requirePull,
} from './mode-runner'
export { RealTimeModeConfig, realTimeMode } from './real-time'
export { RecordBuffer, type RecordBufferOptions } from './record-buffer'

/** The three built-in modes: `batch`, `real-time` (`real_time` in config), `continuous-streaming`. */
export const builtinModes = [batchMode, realTimeMode, continuousStreamingMode] as const

/** The config file's mode names (the seed's) and the plugin names they resolve to. */
export const BUILTIN_MODE_NAMES: Readonly<Record<string, string>> = {
  batch: 'batch',
  real_time: 'real-time',
  continuous_streaming: 'continuous-streaming',
}
