/**
 * The one config validator: a plugin's block, a mode's keys and the whole config file are all
 * checked here, by the runtime, the registry, `firefront validate` and `@firefront/sdk/testing`
 * alike. Messages name the dotted path, say what was expected in plain words with a "did you
 * mean" for a near miss, and never quote a secret.
 * @packageDocumentation
 */
import type { Static, TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { type LocateAt, schemaIssues } from './config/messages'
import { formatPath, type PathSegment, parsePath } from './config/path'
import { applyDefaults, resolvePaths } from './config/schema-walk'
import { isSecretPath } from './config/secrets'
import type { ConfigIssue } from './errors'

/** Converts a JSON pointer (`/a/0/b`) into the dotted path users read (`a[0].b`). */
export function pointerToPath(pointer: string, prefix = ''): string {
  let out = prefix
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (/^\d+$/.test(part)) out += `[${part}]`
    else out += out ? `.${part}` : part
  }
  return out
}

/** The outcome of {@link validateConfig}. */
export type ValidationResult<S extends TSchema> =
  | { readonly ok: true; readonly value: Static<S> }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] }

/** A line and column (1-based) in the file a config came from. */
export interface ConfigPosition {
  readonly line: number
  readonly column: number
}

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** Where the block sits in the file (`sources.firms.config`); issue paths start with it. */
  readonly path?: string
  /**
   * Whether the value at a dotted path is secret beyond its key's name (e.g. it came from the
   * environment). Keys named like credentials (`map_key`, `password`, ...) always are.
   */
  readonly isSecret?: (path: string) => boolean
  /** Places a path in the file (the YAML loader's locator); `at` is `key` for an unknown key. */
  readonly locate?: (segments: readonly PathSegment[], at: LocateAt) => ConfigPosition | undefined
  /**
   * Resolves relative values of {@link FilePath} keys (from the config file's folder). Without it,
   * paths are left as written.
   */
  readonly resolvePath?: (path: string) => string
}

/**
 * Applies the schema's defaults to a copy of `input` and checks it, returning every problem at
 * once, at most one per path. `options` may be the path prefix alone (`'sources.firms.config'`).
 *
 * @example
 * const checked = validateConfig(plugin.configSchema, yamlBlock, 'sources.firms.config')
 * if (!checked.ok) throw new ConfigValidationError(checked.issues)
 */
export function validateConfig<S extends TSchema>(
  schema: S,
  input: unknown,
  options: string | ValidateOptions = {},
): ValidationResult<S> {
  const { path = '', isSecret, locate, resolvePath } = typeof options === 'string' ? { path: options } : options
  const prefix = path ? parsePath(path) : []
  let value = applyDefaults(schema, input === undefined || input === null ? {} : Value.Clone(input))
  const found = schemaIssues(schema, value, (segments) => {
    const full = [...prefix, ...segments]
    return isSecretPath(full) || (isSecret?.(formatPath(full)) ?? false)
  })
  if (found.length === 0) {
    if (resolvePath) value = resolvePaths(schema, value, resolvePath)
    return { ok: true, value: value as Static<S> }
  }
  const issues = found.map((issue): ConfigIssue => {
    const segments = [...prefix, ...issue.segments]
    const where = locate?.(segments, issue.at)
    return {
      path: formatPath(segments),
      message: issue.message,
      ...(where ? { line: where.line, column: where.column } : {}),
    }
  })
  return { ok: false, issues }
}
