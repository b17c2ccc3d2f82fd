/**
 * The messages between the transport and the producer process: the settings first, then requests
 * with an id and a reply per request (`ok`, or the error as plain data), plus librdkafka's log
 * lines for the logger.
 */
import { codeByErrno, codeByName, NativeKafkaError } from './native-error'
import type { RdConfig } from './rdkafka-api'

/** What the producer process is started with (its first message; it holds the SASL password). */
export interface ProducerProcessData {
  readonly global: RdConfig
  readonly topic: RdConfig
  readonly brokers: readonly string[]
  readonly connectionTimeoutMs: number
  readonly requestTimeoutMs: number
}

/** A request to the producer process. */
export type ProducerRequest =
  | { readonly id: number; readonly op: 'init'; readonly data: ProducerProcessData }
  | { readonly id: number; readonly op: 'connect' }
  | { readonly id: number; readonly op: 'reset' }
  | { readonly id: number; readonly op: 'close'; readonly flushMs: number }
  | {
      readonly id: number
      readonly op: 'send'
      readonly topic: string
      /** The batch (`batch-codec.ts`). */
      readonly batch: Uint8Array
    }

/** An error as plain data. */
export interface ErrorData {
  readonly native: boolean
  readonly name: string
  readonly code?: string
  readonly errno?: number
  readonly fatal?: boolean
  readonly message: string
}

/** What the producer process sends back. */
export type ProducerReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: ErrorData }
  | {
      readonly log: {
        readonly client: string
        readonly severity: number
        readonly fac: string
        readonly message: string
      }
    }

/** An error thrown in the producer process, as plain data. */
export function errorToData(err: unknown): ErrorData {
  if (err instanceof NativeKafkaError) {
    return { native: true, name: err.name, code: err.code, errno: err.errno, fatal: err.fatal, message: err.message }
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return { native: false, name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) }
  }
  return { native: false, name: 'Error', message: String(err) }
}

/** The error again, on the transport's side; `redact` keeps secrets out of its message. */
export function errorFromData(data: ErrorData, redact: (text: string) => string): Error {
  if (data.native) {
    const code = (data.errno !== undefined ? codeByErrno(data.errno) : undefined) ??
      (data.code ? codeByName(data.code) : undefined) ?? {
        errno: data.errno ?? -1,
        name: data.code ?? 'UNKNOWN',
        description: '',
      }
    return new NativeKafkaError(code, redact(data.message), { fatal: data.fatal === true })
  }
  const err = new Error(redact(data.message))
  err.name = data.name
  if (data.code !== undefined) Object.assign(err, { code: data.code })
  return err
}
