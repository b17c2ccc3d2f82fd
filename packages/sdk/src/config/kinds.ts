/**
 * Schema helpers for values the runtime gives a meaning beyond their JSON type: durations, which
 * end up in Node's timers, and file paths, which are relative to the config file.
 */
import {
  type NumberOptions,
  type StringOptions,
  type TInteger,
  type TNumber,
  type TString,
  Type,
} from '@sinclair/typebox'
import { ERROR_MESSAGE_KEYWORD } from './messages'
import { PATH_KEYWORD } from './schema-walk'

/**
 * The longest delay Node's timers honour: 2^31-1 ms (about 24.8 days). A longer `setTimeout` fires
 * after 1 ms instead, so no duration in a config may exceed it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** {@link MAX_TIMER_MS} in seconds (2147483.647). */
export const MAX_TIMER_SECONDS = MAX_TIMER_MS / 1000

/** Bounds and words of a duration key. */
export interface DurationOptions {
  readonly description?: string
  readonly default?: number
  /** Smallest value allowed (default 0). */
  readonly minimum?: number
  /** Set to 0 for "more than zero" instead of a minimum. */
  readonly exclusiveMinimum?: number
  /** Largest value allowed; never above what timers can hold. */
  readonly maximum?: number
  readonly examples?: readonly number[]
}

function bounds(options: DurationOptions, ceiling: number, unit: string): NumberOptions {
  const { maximum: wanted, ...rest } = options
  const maximum = Math.min(wanted ?? ceiling, ceiling)
  return {
    ...(rest.exclusiveMinimum === undefined ? { minimum: 0 } : {}),
    ...rest,
    maximum,
    // a longer wait is not refused by Node, it fires at once: say why the bound is there
    ...(maximum === ceiling
      ? {
          [ERROR_MESSAGE_KEYWORD]: {
            maximum: `must be at most ${ceiling} ${unit} (about 24.8 days: the longest wait Node timers can hold)`,
          },
        }
      : {}),
  } as NumberOptions
}

/**
 * Duration keys, bounded to what the runtime can honour, with a message that says so:
 * `timeout_seconds: 1e308` is refused as "must be at most 2147483.647 seconds (about 24.8 days:
 * the longest wait Node timers can hold), got 1e+308" instead of silently firing after 1 ms.
 *
 * @example
 * Type.Object({ poll_interval_seconds: Duration.seconds({ default: 60, exclusiveMinimum: 0 }) })
 */
export const Duration = {
  /** A number of seconds (fractions allowed), at most {@link MAX_TIMER_SECONDS}. */
  seconds(options: DurationOptions = {}): TNumber {
    return Type.Number(bounds(options, MAX_TIMER_SECONDS, 'seconds'))
  },
  /** A whole number of milliseconds, at most {@link MAX_TIMER_MS}. */
  milliseconds(options: DurationOptions = {}): TInteger {
    return Type.Integer(bounds(options, MAX_TIMER_MS, 'milliseconds'))
  },
} as const

/**
 * A file or folder path. A relative value is relative to the config file that holds it (not to the
 * current directory), so a run from another folder uses the same files; the runtime resolves it
 * when the config is loaded and sees absolute paths only.
 */
export function FilePath(options: StringOptions = {}): TString {
  return Type.String({ ...options, [PATH_KEYWORD]: true } as StringOptions)
}
