/**
 * librdkafka's log lines (`event.log`) into the plugin's logger: warnings and errors at warn
 * (the sink itself reports what failed), the rest at debug, secrets redacted, and a line repeated
 * within 10 s counted instead of written again, so a broker outage does not flood the log.
 */
import type { Logger } from '@firefront/sdk'
import type { Redactor } from '@firefront/core'
import type { RdLogEvent } from './rdkafka-api'

/** syslog severities librdkafka uses: 0 emergency ... 3 error, 4 warning, 5 notice, 6 info, 7 debug. */
const WARNING = 4
const REPEAT_WINDOW_MS = 10_000

/**
 * Lines that are expected and say nothing is wrong: a fresh broker still loading its transaction
 * coordinator while the idempotent producer asks for its id (librdkafka retries on its own).
 */
const EXPECTED = [/Failed to acquire idempotence PID .*(load in progress|not available).*retrying/i]

/** librdkafka's thread prefix, e.g. `[thrd:127.0.0.1:9092/bootstrap]: `. */
const THREAD_PREFIX = /^\[thrd:[^\]]*\]:\s*/

/**
 * The parts of a line that change between repeats of the same problem: "(after 12ms in state
 * CONNECT, 3 identical error(s) suppressed)" and other numbers.
 */
function repeatKey(text: string): string {
  return text
    .replace(/\s*\(after \d+ms in state [A-Z_]+(, \d+ identical error\(s\) suppressed)?\)/g, '')
    .replace(/\d+/g, '#')
}

/** A log line without librdkafka's thread prefix. */
export function logText(log: RdLogEvent): string {
  return String(log.message).replace(THREAD_PREFIX, '')
}

/** Writes one client's librdkafka log lines to `logger`. */
export type LogForwarder = (client: string, log: RdLogEvent) => void

/** Makes a {@link LogForwarder}; `now` is for tests. */
export function createLogForwarder(
  logger: Logger | undefined,
  redactor: Redactor,
  now: () => number = Date.now,
): LogForwarder {
  if (!logger) return () => {}
  const lastWritten = new Map<string, { at: number; suppressed: number }>()
  return (client, log) => {
    const text = redactor.text(logText(log))
    const fields = { librdkafka: log.fac, client }
    if (log.severity > WARNING || EXPECTED.some((re) => re.test(text))) {
      logger.debug(fields, `librdkafka: ${text}`)
      return
    }
    const key = repeatKey(text)
    const t = now()
    const seen = lastWritten.get(key)
    if (seen && t - seen.at < REPEAT_WINDOW_MS) {
      seen.suppressed++
      return
    }
    if (lastWritten.size > 500) lastWritten.clear()
    lastWritten.set(key, { at: t, suppressed: 0 })
    logger.warn({ ...fields, ...(seen?.suppressed ? { repeated: seen.suppressed } : {}) }, `librdkafka: ${text}`)
  }
}
