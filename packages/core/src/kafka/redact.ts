/**
 * Keeps secrets (the SASL password, the TLS key) out of log lines and error messages.
 */

/** The text that stands where a secret was. */
export const REDACTED = '[redacted]'

/** Replaces every known secret in a string, object or error message. */
export interface Redactor {
  /** The text with every secret replaced by {@link REDACTED}. */
  text(value: string): string
  /** A copy of a log-field object, every string in it redacted (nested objects and arrays too). */
  fields(value: Record<string, unknown>): Record<string, unknown>
  /** An error's message, redacted. */
  message(err: unknown): string
}

// Secrets shorter than this are too likely to match ordinary text ("a", "1") to be replaced;
// they are still never logged on purpose (see describeKafkaConfig).
const MIN_SECRET_LENGTH = 3

/** Makes a {@link Redactor} for the given secrets (undefined and short ones are ignored). */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  const list = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length)
  const text = (value: string): string => {
    let out = value
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }
  const deep = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value)
    if (depth > 6 || value === null || typeof value !== 'object') return value
    if (value instanceof Error) return text(value.message)
    if (Array.isArray(value)) return value.map((v) => deep(v, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = /password|secret|^key$|token/i.test(k) && typeof v === 'string' ? REDACTED : deep(v, depth + 1)
    }
    return out
  }
  return {
    text,
    fields: (value) => deep(value, 0) as Record<string, unknown>,
    message: (err) => text(err instanceof Error ? err.message : String(err)),
  }
}
