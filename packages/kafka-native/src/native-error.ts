/**
 * librdkafka errors as this backend throws them: a {@link NativeKafkaError} with the error's name
 * (`MESSAGE_TOO_LARGE`, `_ALL_BROKERS_DOWN`), its number, and a message that carries what
 * librdkafka logged about the broker (the refused connection, the SASL handshake) when that says
 * more than the error itself.
 */
import { LIBRDKAFKA_ERRORS } from './librdkafka-errors'

/** A librdkafka error code: its number, name and description. */
export interface RdErrorCode {
  readonly errno: number
  readonly name: string
  readonly description: string
}

const byErrno = new Map<number, RdErrorCode>()
const byDescription = new Map<string, RdErrorCode>()
for (const [errno, name, description] of LIBRDKAFKA_ERRORS) {
  const code = { errno, name, description }
  byErrno.set(errno, code)
  byDescription.set(description.toLowerCase(), code)
}

/** The code with this number, if librdkafka knows it. */
export function codeByErrno(errno: number): RdErrorCode | undefined {
  return byErrno.get(errno)
}

/** The code with this name (`MESSAGE_TOO_LARGE`, `_TRANSPORT`). */
export function codeByName(name: string): RdErrorCode | undefined {
  for (const code of byErrno.values()) if (code.name === name) return code
  return undefined
}

/**
 * The code whose description this is. node-rdkafka reports delivery and event errors as text only
 * ("Broker: Message size too large"), and sometimes splits it into `origin` ("broker") and a
 * lower-cased rest ("message size too large"): both forms are accepted.
 */
export function codeByDescription(text: string, origin?: string): RdErrorCode | undefined {
  const t = text.trim().toLowerCase()
  const direct = byDescription.get(t)
  if (direct) return direct
  if (origin) {
    const prefixed = `${origin.toLowerCase()}: ${t}`
    const exact = byDescription.get(prefixed)
    if (exact) return exact
    // node-rdkafka keeps only the text up to a second ": "
    for (const [description, code] of byDescription) if (description.startsWith(prefixed)) return code
  }
  return undefined
}

/**
 * The first broker error description inside a log line ("... handshake failed: Broker: Request
 * not valid in current SASL state: ..."): the broker's reason behind a local error.
 */
export function brokerCodeInText(text: string): RdErrorCode | undefined {
  const lower = text.toLowerCase()
  let best: RdErrorCode | undefined
  let at = Number.POSITIVE_INFINITY
  for (const [description, code] of byDescription) {
    if (code.errno < -1 || !description.startsWith('broker: ')) continue
    const i = lower.indexOf(description)
    // the longest description at the earliest position ("Broker: Unknown topic or partition" over a prefix of it)
    if (i >= 0 && (i < at || (i === at && best && description.length > best.description.length))) {
      best = code
      at = i
    }
  }
  return best
}

/** A failed librdkafka request, with the error's name as `code`. */
export class NativeKafkaError extends Error {
  override readonly name = 'NativeKafkaError'
  /** The error's name: the Kafka protocol's for broker errors, librdkafka's (`_...`) for local ones. */
  readonly code: string
  /** librdkafka's error number. */
  readonly errno: number
  /** librdkafka marked the producer unusable (a fatal idempotence error). */
  readonly fatal: boolean

  constructor(code: RdErrorCode, message: string, options: { cause?: unknown; fatal?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code.name
    this.errno = code.errno
    this.fatal = options.fatal ?? code.name === '_FATAL'
  }
}

interface RdErrorShape {
  code?: unknown
  message?: unknown
  origin?: unknown
  isFatal?: unknown
}

const UNKNOWN: RdErrorCode = { errno: -1, name: 'UNKNOWN', description: 'Unknown broker error' }

/**
 * The librdkafka code of an error node-rdkafka raised: from its number, or from its text when
 * node-rdkafka lost the number (-1). Undefined for errors that are not librdkafka's.
 */
export function rdCodeOf(err: unknown): RdErrorCode | undefined {
  if (err instanceof NativeKafkaError) return codeByErrno(err.errno) ?? UNKNOWN
  if (!err || typeof err !== 'object') return undefined
  const e = err as RdErrorShape
  if (typeof e.code !== 'number') return undefined
  if (e.code !== -1) return codeByErrno(e.code) ?? { errno: e.code, name: `ERR_${e.code}`, description: '' }
  const text = typeof e.message === 'string' ? e.message : ''
  return codeByDescription(text, typeof e.origin === 'string' ? e.origin : undefined) ?? UNKNOWN
}

/**
 * Turns whatever node-rdkafka raised into a {@link NativeKafkaError} (other errors are returned as
 * they are). `detail` is what librdkafka last logged about the brokers; it is appended when the
 * error alone does not say which broker or why. `redact` keeps secrets out of the message.
 */
export function toNativeError(err: unknown, detail?: string, redact: (text: string) => string = (t) => t): unknown {
  if (err instanceof NativeKafkaError) return err
  const code = rdCodeOf(err)
  if (!code) return err
  const e = err as RdErrorShape
  const raw = typeof e.message === 'string' ? e.message : ''
  // node-rdkafka's own text is often the lower-cased description: the table's reads better.
  const own = raw && codeByDescription(raw, typeof e.origin === 'string' ? e.origin : undefined) !== code ? raw : ''
  const base = own || code.description || raw || code.name
  const message = detail && !base.includes(detail) ? `${base}: ${detail}` : base
  return new NativeKafkaError(code, redact(message), { cause: err, fatal: e.isFatal === true || undefined })
}
