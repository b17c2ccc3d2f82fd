/**
 * Secrets in a config: values under keys named like a credential (`map_key`, `api_key`,
 * `sasl.password`, `client_secret`, `access_token`, `credentials`) and every value interpolated from
 * the environment. Neither may reach a log line or an error message.
 */
import { isSecretKey, isSecretPath, type PathSegment, REDACTED } from '@firefront/sdk'

export { isSecretKey, isSecretPath, REDACTED }

/**
 * Returns a deep copy of `config` fit for a log line: every secret value (see {@link isSecretPath})
 * is replaced by `***`. `secrets` are the dotted paths whose values came from the environment
 * (`LoadedConfig.secrets`). The result keeps the input's type for convenience only: its secret
 * leaves are strings.
 */
export function redactConfig<T>(config: T, secrets: Iterable<string> = []): T {
  const fromEnv = new Set(secrets)
  const visit = (value: unknown, segments: PathSegment[]): unknown => {
    if (value === undefined || value === null) return value
    if (segments.length > 0 && isSecretPath(segments, fromEnv)) return REDACTED
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...segments, i]))
    if (typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) out[key] = visit(item, [...segments, key])
      return out
    }
    return value
  }
  return visit(config, []) as T
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Replaces in `message` every occurrence of the given secret values (as whole words) by `***`.
 * A safety net for messages written elsewhere (plugin schemas, the registry).
 */
export function scrubMessage(message: string, values: Iterable<unknown>): string {
  let out = message
  for (const value of values) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue
    const text = String(value)
    if (text.length === 0) continue
    out = out.replace(new RegExp(`(?<![\\w])${escapeRegExp(text)}(?![\\w])`, 'g'), REDACTED)
  }
  return out
}
