/**
 * Which config values are secret: values under keys named like a credential (`map_key`,
 * `api_key`, `sasl.password`, `client_secret`, `access_token`, `credentials`) and, when the caller
 * says so, values interpolated from the environment. Neither may reach a log line or a message.
 */
import { formatPath, type PathSegment, parsePath } from './path'

/** What a secret is shown as. */
export const REDACTED = '***'

// Words that make a key secret. Keys are split into words at `_`, `-`, `.` and camelCase humps,
// so `map_key`, `mapKey` and `MAP_KEY` match while `monkey` does not.
const SECRET_WORDS = new Set([
  'key',
  'keys',
  'token',
  'tokens',
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'secrets',
  'credential',
  'credentials',
])
// Compounds written as one word.
const SECRET_COMPOUNDS = /(?:apikey|mapkey|accesskey|secretkey|privatekey|authtoken|accesstoken)$/

/** Whether a key's name marks its value as secret (case-insensitive). */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
  return words.some((word) => SECRET_WORDS.has(word) || SECRET_COMPOUNDS.test(word))
}

/**
 * Whether the value at `path` is secret: some key on the path is named like a credential, or the
 * path (or one of its ancestors) is in `fromEnv` (dotted paths whose values came from the
 * environment).
 */
export function isSecretPath(path: string | readonly PathSegment[], fromEnv: ReadonlySet<string> = new Set()): boolean {
  const segments = typeof path === 'string' ? parsePath(path) : path
  if (segments.some((segment) => typeof segment === 'string' && isSecretKey(segment))) return true
  for (let i = segments.length; i > 0; i--) {
    if (fromEnv.has(formatPath(segments.slice(0, i)))) return true
  }
  return false
}
