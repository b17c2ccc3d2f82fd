/**
 * Turns TypeBox's validation errors into messages a person can act on: the dotted path, what was
 * expected in plain words, what was found (`***` for a secret), and a "did you mean" for a
 * misspelt key or value.
 */
import { KindGuard, type TSchema } from '@sinclair/typebox'
import { type ValueError, ValueErrorType, Value } from '@sinclair/typebox/value'
import { formatPath, type PathSegment, pointerToSegments } from './path'
import { describeSchema, describeValue, enumValues, matchesShape, quoteValue } from './schema-walk'
import { didYouMean } from './suggest'

/** Where a config issue points: at the value (default) or at the key that holds it (an unknown key). */
export type LocateAt = 'value' | 'key'

/**
 * The keyword a schema may carry to say, in plain words, what a valid value looks like (the
 * ajv-errors convention): a string replaces the generic text of any constraint message (pattern,
 * range, length), e.g. `must be "west,south,east,north" in decimal degrees or "world"` instead of a
 * regular expression; an object gives one text per keyword (`{ maximum: '...' }`) and leaves the
 * others generic. `, got ...` is appended either way.
 */
export const ERROR_MESSAGE_KEYWORD = 'errorMessage'

// The JSON Schema keyword each constraint error comes from.
const KEYWORD_OF: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.StringPattern]: 'pattern',
  [ValueErrorType.StringFormat]: 'format',
  [ValueErrorType.StringMinLength]: 'minLength',
  [ValueErrorType.StringMaxLength]: 'maxLength',
  [ValueErrorType.NumberMinimum]: 'minimum',
  [ValueErrorType.IntegerMinimum]: 'minimum',
  [ValueErrorType.NumberExclusiveMinimum]: 'exclusiveMinimum',
  [ValueErrorType.IntegerExclusiveMinimum]: 'exclusiveMinimum',
  [ValueErrorType.NumberMaximum]: 'maximum',
  [ValueErrorType.IntegerMaximum]: 'maximum',
  [ValueErrorType.NumberExclusiveMaximum]: 'exclusiveMaximum',
  [ValueErrorType.IntegerExclusiveMaximum]: 'exclusiveMaximum',
  [ValueErrorType.NumberMultipleOf]: 'multipleOf',
  [ValueErrorType.IntegerMultipleOf]: 'multipleOf',
  [ValueErrorType.ArrayMinItems]: 'minItems',
  [ValueErrorType.ArrayMaxItems]: 'maxItems',
  [ValueErrorType.ArrayUniqueItems]: 'uniqueItems',
}

/** The schema's own wording of the constraint `error` broke, if it has one. */
function ownMessage(error: ValueError): string | undefined {
  const own = (error.schema as Record<string, unknown>)[ERROR_MESSAGE_KEYWORD]
  if (typeof own === 'string') return own || undefined
  const keyword = KEYWORD_OF[error.type]
  if (own === null || typeof own !== 'object' || keyword === undefined) return undefined
  const text = (own as Record<string, unknown>)[keyword]
  return typeof text === 'string' && text.length > 0 ? text : undefined
}

/** One schema problem before it is placed in the file. */
export interface SchemaIssue {
  readonly segments: PathSegment[]
  readonly message: string
  /** Point at the key (an unknown key) or at the value. */
  readonly at: LocateAt
}

/** Tells whether the value at a path is secret. */
export type SecretTest = (segments: readonly PathSegment[]) => boolean

/** "expected a | b | c, got ..." with a suggestion when the value is a near miss. */
export function enumMessage(allowed: readonly string[], value: unknown, secret: boolean): string {
  const got = typeof value === 'string' ? quoteValue(value, secret) : describeValue(value, secret)
  const suggestion = !secret && typeof value === 'string' ? didYouMean(value, allowed) : undefined
  return `expected ${allowed.join(' | ')}, got ${got}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`
}

/** Where else the key is valid, one level down (`batch_size` at the top → `kafka.batch_size`). */
function nestedHome(schema: TSchema, key: string): string | undefined {
  if (!KindGuard.IsObject(schema)) return undefined
  for (const [name, property] of Object.entries(schema.properties)) {
    if (KindGuard.IsObject(property) && key in property.properties) return `${name}.${key}`
  }
  return undefined
}

function unknownKeyMessage(parent: TSchema, key: string): string {
  const allowed = KindGuard.IsObject(parent) ? Object.keys(parent.properties) : []
  const suggestion = didYouMean(key, allowed) ?? nestedHome(parent, key)
  if (suggestion) return `unknown key "${key}" (did you mean ${suggestion}?)`
  return `unknown key "${key}"; allowed: ${allowed.join(', ')}`
}

function rangeMessage(error: ValueError, secret: boolean): string {
  const s = error.schema as Record<string, unknown>
  const got = quoteValue(error.value, secret)
  switch (error.type) {
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be >= ${s.minimum}, got ${got}`
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return `must be > ${s.exclusiveMinimum}, got ${got}`
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be <= ${s.maximum}, got ${got}`
    case ValueErrorType.NumberExclusiveMaximum:
    case ValueErrorType.IntegerExclusiveMaximum:
      return `must be < ${s.exclusiveMaximum}, got ${got}`
    default:
      return `must be a multiple of ${s.multipleOf}, got ${got}`
  }
}

function leafMessage(error: ValueError, secret: boolean): string {
  const s = error.schema as Record<string, unknown>
  const got = describeValue(error.value, secret)
  switch (error.type) {
    case ValueErrorType.String:
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
    case ValueErrorType.Boolean:
    case ValueErrorType.Array:
    case ValueErrorType.Object:
    case ValueErrorType.Null:
    case ValueErrorType.Literal:
      return `expected ${describeSchema(error.schema)}, got ${got}`
  }
  // a constraint (pattern, range, length) the schema words itself
  const own = ownMessage(error)
  if (own) return `${own}, got ${error.type === ValueErrorType.StringPattern ? got : quoteValue(error.value, secret)}`
  switch (error.type) {
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters long`
    case ValueErrorType.StringMaxLength:
      return `must be at most ${s.maxLength} characters long`
    case ValueErrorType.StringPattern:
      return `must match /${s.pattern}/, got ${got}`
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${s.maxItems} item${s.maxItems === 1 ? '' : 's'}`
    case ValueErrorType.ArrayUniqueItems:
      return 'must not list an item twice'
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberExclusiveMaximum:
    case ValueErrorType.IntegerExclusiveMaximum:
    case ValueErrorType.NumberMultipleOf:
    case ValueErrorType.IntegerMultipleOf:
      return rangeMessage(error, secret)
    default:
      return `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}, got ${got}`
  }
}

/**
 * Checks `value` against `schema` and returns every problem, at most one per path, each with a
 * rewritten message. Secret values (per `isSecret`) are never quoted.
 */
export function schemaIssues(schema: TSchema, value: unknown, isSecret: SecretTest): SchemaIssue[] {
  const issues: SchemaIssue[] = []
  const seen = new Set<string>()
  const add = (segments: PathSegment[], message: string, at: LocateAt = 'value'): void => {
    const key = formatPath(segments)
    if (seen.has(key)) return
    seen.add(key)
    issues.push({ segments, message, at })
  }
  const visit = (errors: Iterable<ValueError>): void => {
    for (const error of errors) {
      const segments = pointerToSegments(error.path, value)
      const secret = isSecret(segments)
      if (error.type === ValueErrorType.ObjectAdditionalProperties) {
        add(segments, unknownKeyMessage(error.schema, String(segments[segments.length - 1])), 'key')
      } else if (error.type === ValueErrorType.ObjectRequiredProperty) {
        add(segments, `missing required key "${String(segments[segments.length - 1])}"`)
      } else if (error.type === ValueErrorType.Union) {
        const allowed = enumValues(error.schema)
        if (allowed) {
          add(segments, enumMessage(allowed, error.value, secret))
          continue
        }
        const variants = KindGuard.IsUnion(error.schema) ? error.schema.anyOf : []
        const index = variants.findIndex((variant) => matchesShape(variant, error.value))
        const nested = index >= 0 ? error.errors[index] : undefined
        if (nested) visit(nested)
        else add(segments, `expected ${describeSchema(error.schema)}, got ${describeValue(error.value, secret)}`)
      } else {
        add(segments, leafMessage(error, secret))
      }
    }
  }
  if (!Value.Check(schema, value)) visit(Value.Errors(schema, value))
  return issues
}
