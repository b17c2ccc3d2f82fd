/**
 * `${VAR}` and `${VAR:-default}` interpolation in config strings. `$${` writes a literal `${`.
 */

/** The environment variables interpolation reads. */
export type Environment = Readonly<Record<string, string | undefined>>

/** A problem in one string: an unset variable or a malformed `${...}`. */
export interface InterpolationProblem {
  /** Offset of the `${` in the string. */
  readonly offset: number
  /** The expression as written, e.g. `${FIRMS_MAP_KEY}`. */
  readonly expression: string
  readonly message: string
}

/** The outcome of {@link interpolate}. */
export interface Interpolated {
  readonly value: string
  /** Whether the string held any `${...}` (or `$${`) at all. */
  readonly changed: boolean
  /** Whether the whole string was exactly one `${...}` expression. */
  readonly whole: boolean
  /** Names of the variables whose (non-empty) values were used. */
  readonly fromEnv: readonly string[]
  readonly problems: readonly InterpolationProblem[]
}

const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/

/**
 * Substitutes `${NAME}` by the variable's value and `${NAME:-default}` by its value, or `default`
 * when it is unset or empty. `$${` is a literal `${`; any other `$` is kept as is. An unset
 * variable without default, and a malformed expression, are problems (the text is kept).
 * Substituted values are not interpolated again.
 */
export function interpolate(text: string, env: Environment): Interpolated {
  if (!text.includes('${')) return { value: text, changed: false, whole: false, fromEnv: [], problems: [] }
  let out = ''
  const fromEnv: string[] = []
  const problems: InterpolationProblem[] = []
  let expressions = 0
  let i = 0
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${'
      i += 3
      continue
    }
    if (!text.startsWith('${', i)) {
      out += text[i]
      i += 1
      continue
    }
    expressions += 1
    const end = text.indexOf('}', i + 2)
    const match = end === -1 ? null : EXPRESSION.exec(text.slice(i + 2, end))
    if (!match?.[1]) {
      const expression = end === -1 ? text.slice(i) : text.slice(i, end + 1)
      problems.push({
        offset: i,
        expression,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the syntax itself
        message: 'malformed ${...}: expected ${NAME} or ${NAME:-default} (write $${ for a literal ${)',
      })
      out += expression
      i += expression.length
      continue
    }
    const name = match[1]
    const fallback = match[2]
    const expression = text.slice(i, end + 1)
    const set = env[name]
    if (set !== undefined && (set !== '' || fallback === undefined)) {
      out += set
      if (set !== '') fromEnv.push(name)
    } else if (fallback !== undefined) {
      out += fallback
    } else {
      problems.push({
        offset: i,
        expression,
        message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)`,
      })
      out += expression
    }
    i = end + 1
  }
  const whole = expressions === 1 && /^\$\{[^}]*\}$/.test(text)
  return { value: out, changed: true, whole, fromEnv, problems }
}
