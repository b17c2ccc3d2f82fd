/**
 * Validation of plugin config blocks against their TypeBox schemas, with path-precise issues.
 * @packageDocumentation
 */
import type { Static, TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
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

/**
 * Applies the schema's defaults to a copy of `input` and checks it. Issue paths start with
 * `pathPrefix` (e.g. `sources.firms.config`), so they point into the user's file.
 */
export function validateConfig<S extends TSchema>(schema: S, input: unknown, pathPrefix = ''): ValidationResult<S> {
  const value = Value.Default(schema, Value.Clone(input ?? {}))
  if (Value.Check(schema, value)) return { ok: true, value: value as Static<S> }
  const issues: ConfigIssue[] = []
  const seen = new Set<string>()
  for (const error of Value.Errors(schema, value)) {
    const path = pointerToPath(error.path, pathPrefix)
    const key = `${path}\u0000${error.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push({ path, message: error.message })
  }
  return { ok: false, issues }
}
