/**
 * Validation of one block of the config (a plugin's `config:`, a mode's `ingestion:` keys) against
 * a schema, with the loader's messages: dotted paths into the file, plain words, "did you mean",
 * no secret quoted.
 */
import type { ConfigIssue } from '@firefront/sdk'
import type { Static, TSchema } from '@sinclair/typebox'
import { schemaIssues } from './messages'
import { formatPath, parsePath } from './path'
import { applyDefaults } from './schema-walk'
import { isSecretPath } from './secrets'

/** The outcome of {@link validateBlock}. */
export type BlockResult<S extends TSchema> =
  | { readonly ok: true; readonly value: Static<S>; readonly issues: readonly [] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] }

/**
 * Fills the defaults of `schema` into a copy of `input` and checks it. Issue paths start with
 * `path` (e.g. `sources.firms.config`); pass `LoadedConfig.isSecret` as `isSecret` so values from
 * the environment are hidden too (keys named like credentials always are).
 */
export function validateBlock<S extends TSchema>(
  schema: S,
  input: unknown,
  path: string,
  isSecret: (path: string) => boolean = () => false,
): BlockResult<S> {
  const prefix = path ? parsePath(path) : []
  const value = applyDefaults(schema, input === undefined || input === null ? {} : structuredClone(input))
  const issues = schemaIssues(schema, value, (segments) => {
    const full = [...prefix, ...segments]
    return isSecretPath(full) || isSecret(formatPath(full))
  }).map((issue) => ({ path: formatPath([...prefix, ...issue.segments]), message: issue.message }))
  if (issues.length === 0) return { ok: true, value: value as Static<S>, issues: [] }
  return { ok: false, issues }
}
