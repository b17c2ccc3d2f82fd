/**
 * pino loggers for the runtime: JSON lines by default, pretty on a TTY. Keys that look like
 * secrets are censored by pino itself, whatever the message.
 */
import type { Logger as SdkLogger } from '@firefront/sdk'
import { type Logger, pino } from 'pino'
import { prettyFactory } from 'pino-pretty'

/** Key names censored in every log line, at any of the first levels of nesting. */
export const SECRET_KEYS = [
  'password',
  'map_key',
  'mapKey',
  'api_key',
  'apiKey',
  'token',
  'secret',
  'key_password',
  'authorization',
  'sasl',
]

const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`])

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly level?: string
  /** Pretty, human lines (default: when stderr is a TTY). */
  readonly pretty?: boolean
  /** Where lines go (default: stderr). */
  readonly destination?: pino.DestinationStream
}

/** Creates the runtime's root logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY)
  const base = { level: options.level ?? 'info', redact: { paths: redactPaths, censor: '***' }, base: undefined }
  const destination = options.destination
  if (destination && options.pretty === true) {
    // pretty lines made in this thread, so the destination gets each whole line (a status line keeps below them)
    const prettify = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss' })
    return pino(base, { write: (line: string) => destination.write(prettify(line)) })
  }
  if (options.destination) return pino(base, options.destination)
  if (pretty)
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss' } },
    })
  return pino(base, pino.destination({ dest: 2, sync: true }))
}

/** A pino logger, seen through the SDK's logger interface. */
export const asSdkLogger = (logger: Logger): SdkLogger => logger as unknown as SdkLogger
