/**
 * Loads a Firefront config file (YAML, or JSON by extension): parses it keeping every node's place
 * in the file, interpolates `${VAR}` / `${VAR:-default}`, fills defaults and validates it against
 * the schema. Every problem is collected, with its dotted path, line and column; secrets never
 * appear in a message.
 */
import { readFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import {
  acceptsString,
  applyDefaults,
  canonicalSegments,
  type ConfigIssue,
  ConfigValidationError,
  type ErrorCode,
  enumMessage,
  formatPath,
  isSecretKey,
  isSecretPath,
  type PathSegment,
  parsePath,
  schemasAt,
  validateConfig,
  valueAt,
} from '@firefront/sdk'
import { KindGuard, type TSchema } from '@sinclair/typebox'
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Pair, parseDocument } from 'yaml'
import { type Environment, interpolate } from './interpolate'
import { createLocator, type LocateAt, type Locator, type SourcePosition } from './locate'
import { BUILTIN_MODES, FirefrontConfig } from './schema'
import { scrubMessage } from './secrets'

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  /** Variables for `${...}` interpolation. Default: `process.env`. */
  readonly env?: Environment
  /**
   * Ingestion modes provided by plugins, in addition to {@link BUILTIN_MODES}. When omitted and the
   * config declares `plugins:`, modes outside the built-in ones are left for the registry to check.
   */
  readonly knownModes?: readonly string[]
}

/** Options of {@link loadConfigText}. */
export interface LoadTextOptions extends LoadOptions {
  /** The file name issues carry; its extension picks the format unless `format` is given. */
  readonly file: string
  readonly format?: ConfigFormat
}

/** The two file formats. */
export type ConfigFormat = 'yaml' | 'json'

/** A config issue placed in the file, with its error code. */
export interface LocatedIssue extends ConfigIssue {
  readonly code: ErrorCode
  readonly file: string
}

/** The outcome of {@link loadConfig}: the config, and every problem found so far. */
export interface LoadedConfig {
  /** The file as given to the loader. */
  readonly file: string
  /** The absolute folder of the file; `plugins:` entries resolve from here. */
  readonly directory: string
  readonly format: ConfigFormat
  /** Defaults applied. Trustworthy only when {@link LoadedConfig.ok} is true. */
  readonly config: FirefrontConfig
  /** The config as written (after interpolation, before defaults); `{}` when unreadable. */
  readonly raw: unknown
  /** The parsed YAML document (JSON is parsed as YAML), or undefined when unreadable or malformed. */
  readonly document: Document | undefined
  /** Dotted paths whose values came from the environment: secrets, like keys named as credentials. */
  readonly secrets: ReadonlySet<string>
  /** Every problem so far, in file order. */
  readonly issues: readonly LocatedIssue[]
  /** True when there is no issue. */
  readonly ok: boolean
  /**
   * The line and column of a dotted path (`sources.firms.config.map_key`, `plugins[0]`). A path that
   * does not exist points at its deepest existing parent. Undefined when the file did not parse.
   */
  locate(path: string, options?: { readonly at?: LocateAt }): SourcePosition | undefined
  /** Whether the value at a dotted path is secret (named like a credential, or from the environment). */
  isSecret(path: string): boolean
  /**
   * Adds issues found later (the registry: a plugin not found, a plugin's config block), placing
   * each in the file by its path and hiding secret values its message may quote. An issue at a path
   * the loader already reported is dropped: the loader's issue is its cause. Returns those added.
   */
  addIssues(issues: readonly ConfigIssue[], code?: ErrorCode): LocatedIssue[]
  /** A {@link ConfigValidationError} carrying every issue, or undefined when there is none. */
  toError(): ConfigValidationError | undefined
}

// The code of a ConfigValidationError: the most fundamental problem wins.
const CODE_ORDER: readonly ErrorCode[] = ['ERR_CONFIG_NOT_FOUND', 'ERR_CONFIG_SYNTAX', 'ERR_CONFIG_ENV']

interface Draft {
  file: string
  format: ConfigFormat
  raw: unknown
  config: FirefrontConfig
  document?: Document
  locator?: Locator
  secrets: Set<string>
  issues: LocatedIssue[]
  /** Paths the loader reported an issue at. */
  reported: Set<string>
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

/** Line and column of an offset, for text the YAML parser never saw. */
function offsetPosition(text: string, offset: number): SourcePosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 }
}

/** The map key written at `offset` (for a duplicate-key message). */
function keyAt(text: string, offset: number): string {
  const rest = text.slice(offset)
  const quoted = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(rest)
  if (quoted) return quoted[1] ?? quoted[2] ?? ''
  return (/^[^:\n]*/.exec(rest)?.[0] ?? '').trim()
}

const defaultsOnly = (): FirefrontConfig => applyDefaults(FirefrontConfig, {}) as FirefrontConfig

/** Sets a value inside a plain JS value. */
function setAt(root: unknown, segments: readonly PathSegment[], value: unknown): void {
  const parent = valueAt(root, segments.slice(0, -1))
  if (parent !== null && typeof parent === 'object') {
    ;(parent as Record<PathSegment, unknown>)[segments[segments.length - 1]!] = value
  }
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/
const BOOLEAN = /^(?:true|false)$/

/**
 * Types a value that was exactly one `${...}`: what the schema expects there (integer, number,
 * boolean) when the text reads as one; where the schema does not say (a plugin's block), an
 * unquoted value is typed as YAML would type the text. Secret-named keys stay strings.
 */
function typeInterpolated(text: string, segments: readonly PathSegment[], plain: boolean): unknown {
  const schemas = schemasAt(FirefrontConfig, segments)
  const last = segments[segments.length - 1]
  if (schemas.length === 0) {
    if (!plain || (typeof last === 'string' && isSecretKey(last))) return text
    if (NUMBER.test(text)) return Number(text)
    if (BOOLEAN.test(text)) return text === 'true'
    return text
  }
  if (acceptsString(schemas)) return text
  const kinds = new Set<unknown>()
  const collect = (s: TSchema): void => {
    if (KindGuard.IsUnion(s)) for (const variant of s.anyOf) collect(variant)
    else kinds.add((s as { type?: unknown }).type)
  }
  for (const s of schemas) collect(s)
  if ((kinds.has('integer') || kinds.has('number')) && NUMBER.test(text.trim())) return Number(text.trim())
  if (kinds.has('boolean') && BOOLEAN.test(text.trim())) return text.trim() === 'true'
  return text
}

function jsonSyntaxIssue(file: string, text: string, err: unknown): LocatedIssue {
  const raw = err instanceof Error ? err.message : String(err)
  let where: SourcePosition | undefined
  const at = /at position (\d+)/.exec(raw)
  const lineCol = /\(line (\d+) column (\d+)\)/.exec(raw)
  if (lineCol) where = { line: Number(lineCol[1]), column: Number(lineCol[2]) }
  else if (at) where = offsetPosition(text, Number(at[1]))
  else if (/end of JSON input/.test(raw)) where = offsetPosition(text, text.length)
  // keep V8's description, without its position and without any quoted excerpt of the file
  const message = raw
    .replace(/\s*in JSON at position \d+.*$/s, '')
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/, ".*" is not valid JSON$/s, '')
  return {
    code: 'ERR_CONFIG_SYNTAX',
    file,
    path: '',
    message: `invalid JSON: ${lowerFirst(message)}`,
    line: where?.line,
    column: where?.column,
  }
}

/** Interpolates every string scalar of the document in place; returns the typed exact leaves. */
function interpolateDocument(
  doc: Document,
  text: string,
  env: Environment,
  draft: Draft,
  position: (offset: number) => SourcePosition,
): Array<{ segments: PathSegment[]; plain: boolean }> {
  const memo = new Map<unknown, ReturnType<typeof interpolate>>()
  const exact: Array<{ segments: PathSegment[]; plain: boolean }> = []
  const walk = (node: unknown, segments: PathSegment[], depth: number): void => {
    if (depth > 256) return
    if (isAlias(node)) {
      walk(node.resolve(doc), segments, depth + 1)
      return
    }
    if (isScalar(node)) {
      if (typeof node.value !== 'string') return
      let result = memo.get(node)
      if (!result) {
        result = interpolate(node.value, env)
        memo.set(node, result)
        if (result.changed) node.value = result.value
        // place each problem at its own `${`, found in the scalar's source text
        const [start = 0, end = start] = node.range ?? []
        const source = text.slice(start, end)
        let from = 0
        for (const problem of result.problems) {
          const index = source.indexOf(problem.expression, from)
          if (index >= 0) from = index + problem.expression.length
          const where = position(index >= 0 ? start + index : start)
          draft.issues.push({
            code: 'ERR_CONFIG_ENV',
            file: draft.file,
            path: formatPath(segments),
            message: problem.message,
            line: where.line,
            column: where.column,
          })
        }
      }
      if (!result.changed) return
      const path = formatPath(segments)
      if (result.fromEnv.length > 0) draft.secrets.add(path)
      if (result.problems.length > 0) draft.reported.add(path)
      else if (result.whole) exact.push({ segments, plain: node.type === 'PLAIN' })
      return
    }
    if (isMap(node)) {
      for (const pair of node.items as Pair<unknown, unknown>[]) {
        if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
          // `<<: *anchor` merges the anchor's keys into this map
          const value = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value
          for (const source of isSeq(value) ? value.items : [value]) walk(source, segments, depth + 1)
        } else if (isScalar(pair.key)) {
          walk(pair.value, [...segments, String(pair.key.value)], depth + 1)
        }
      }
      return
    }
    if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, [...segments, i], depth + 1)
    }
  }
  walk(doc.contents, [], 0)
  return exact
}

/** Adds an `ERR_CONFIG_INVALID` issue at `segments`, with its line and column, and marks the path reported. */
function reportAt(draft: Draft, segments: readonly PathSegment[], message: string): void {
  const path = formatPath(segments)
  const where = draft.locator?.(segments)
  draft.reported.add(path)
  draft.issues.push({
    code: 'ERR_CONFIG_INVALID',
    file: draft.file,
    path,
    message,
    line: where?.line,
    column: where?.column,
  })
}

/** The modes a source may name, and a check of each source's `ingestion.mode`. */
function checkModes(draft: Draft, knownModes: readonly string[] | undefined): void {
  const config = draft.config as { plugins?: unknown; sources?: unknown }
  if (!knownModes && Array.isArray(config.plugins) && config.plugins.length > 0) return
  if (!isPlainObject(config.sources)) return
  const spelling = (m: string): string => m.replace(/-/g, '_')
  const allowed = [...BUILTIN_MODES] as string[]
  for (const mode of knownModes ?? []) if (!allowed.includes(spelling(mode))) allowed.push(spelling(mode))
  for (const [id, source] of Object.entries(config.sources)) {
    if (!isPlainObject(source) || !isPlainObject(source.ingestion)) continue
    const mode = source.ingestion.mode
    if (typeof mode !== 'string' || allowed.includes(spelling(mode))) continue
    const segments = ['sources', id, 'ingestion', 'mode']
    if (draft.reported.has(formatPath(segments))) continue
    reportAt(draft, segments, enumMessage(allowed, mode, isSecretPath(segments, draft.secrets)))
  }
}

/**
 * `delivery: exactly_once` writes each poll's records and its cursor in one Kafka transaction,
 * so it needs the kafka sink and the Kafka cursor store; anything else is refused here, not at start.
 */
function checkDelivery(draft: Draft): void {
  const config = draft.config as {
    delivery?: unknown
    sink?: { type?: unknown }
    kafka?: unknown
    cursors?: { store?: unknown }
    enable_dlq?: unknown
  }
  if (config.delivery !== 'exactly_once') return
  const sinkType =
    config.sink?.type ?? (draft.raw && isPlainObject(draft.raw) && 'kafka' in draft.raw ? 'kafka' : 'file')
  const problems: Array<{ segments: string[]; message: string }> = []
  if (sinkType !== 'kafka') {
    problems.push({
      segments: config.sink ? ['sink', 'type'] : ['delivery'],
      message: `exactly_once delivery needs the kafka sink (here: ${String(sinkType)}); a transaction spans Kafka topics only`,
    })
  }
  if (config.cursors?.store !== 'kafka') {
    problems.push({
      segments: isPlainObject(draft.raw) && isPlainObject(draft.raw.cursors) ? ['cursors', 'store'] : ['delivery'],
      message:
        'exactly_once delivery needs cursors: { store: kafka }: the cursor is written in the same transaction as the records',
    })
  }
  if (config.enable_dlq === false) {
    problems.push({
      segments: ['enable_dlq'],
      message:
        'exactly_once delivery writes dead letters inside the transaction, to the dead-letter topic: enable_dlq must stay true',
    })
  }
  for (const { segments, message } of problems) reportAt(draft, segments, message)
}

/**
 * `kafka.max_in_flight_batches` above 1 needs a client that keeps order across sends in flight
 * (the native one), and `delivery: exactly_once` writes one transaction at a time.
 */
function checkInFlightBatches(draft: Draft): void {
  const config = draft.config as {
    delivery?: unknown
    kafka?: { client?: unknown; max_in_flight_batches?: unknown; producer_process?: unknown; native_producer?: unknown }
  }
  const nativeProducerKey = ['kafka', 'native_producer']
  const nativeProducer = config.kafka?.native_producer
  if (nativeProducer !== undefined && nativeProducer !== 'auto' && !draft.reported.has(formatPath(nativeProducerKey))) {
    if (config.kafka?.client !== 'native') {
      reportAt(
        draft,
        nativeProducerKey,
        `native_producer needs kafka.client: native (here: ${String(config.kafka?.client ?? 'kafkajs')})`,
      )
    } else if (nativeProducer === 'batch' && config.kafka.producer_process === true) {
      reportAt(
        draft,
        nativeProducerKey,
        'the batch producer runs in the main process: producer_process applies to node-rdkafka (set native_producer: node-rdkafka, or drop producer_process)',
      )
    }
  }
  const processKey = ['kafka', 'producer_process']
  if (config.kafka?.producer_process === true && config.kafka.client !== 'native') {
    if (!draft.reported.has(formatPath(processKey))) {
      reportAt(
        draft,
        processKey,
        `producer_process needs kafka.client: native (here: ${String(config.kafka.client ?? 'kafkajs')})`,
      )
    }
  }
  const n = config.kafka?.max_in_flight_batches
  if (typeof n !== 'number' || n <= 1) return
  const segments = ['kafka', 'max_in_flight_batches']
  if (draft.reported.has(formatPath(segments))) return
  const client = config.kafka?.client ?? 'kafkajs'
  if (client !== 'native') {
    reportAt(
      draft,
      segments,
      `more than one batch in flight needs kafka.client: native (here: ${String(client)}, which keeps one request in flight with idempotence)`,
    )
  } else if (config.delivery === 'exactly_once') {
    reportAt(
      draft,
      segments,
      'exactly_once delivery writes one transaction at a time: leave max_in_flight_batches at 1',
    )
  }
}

/**
 * Checks across keys of `cluster:`: workers share cursors only through the Kafka store, and a
 * heartbeat must come well within the session timeout.
 */
function checkCluster(draft: Draft): void {
  const cluster = draft.config.cluster
  if (!isPlainObject(cluster)) return
  const raw = draft.raw as { cursors?: { store?: unknown } }
  const push = (segments: PathSegment[], message: string): void => {
    if (!draft.reported.has(formatPath(segments))) reportAt(draft, segments, message)
  }
  if (draft.config.cursors?.store !== 'kafka') {
    const written = isPlainObject(raw.cursors) && raw.cursors.store !== undefined
    push(
      written ? ['cursors', 'store'] : ['cluster'],
      `cluster: needs cursors.store: kafka${written ? ` (not "${String(raw.cursors?.store)}")` : ' (the default is file)'}: with a cursor file each worker would keep its own cursors, so a source moved to another worker would start again from that worker's stale position. Write cursors: { store: kafka } so every worker reads and commits the same cursor topic`,
    )
  }
  const session = Number(cluster.session_timeout_seconds)
  const heartbeat = Number(cluster.heartbeat_interval_seconds)
  if (Number.isFinite(session) && Number.isFinite(heartbeat) && heartbeat >= session) {
    push(
      ['cluster', 'heartbeat_interval_seconds'],
      `must be below cluster.session_timeout_seconds (${session} s): a worker that beats less often than the group waits is taken for dead; a third of it or less is usual`,
    )
  }
}

const byPlace = (a: LocatedIssue, b: LocatedIssue): number =>
  (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)

function finish(draft: Draft): LoadedConfig {
  const { issues, secrets, reported, locator, file } = draft
  issues.sort(byPlace)
  // paths written by others may leave a dotted key unquoted; compare them in the loader's spelling
  const canonical = (path: string): string => formatPath(canonicalSegments(draft.raw, parsePath(path)))
  const isSecret = (path: string): boolean => isSecretPath(canonical(path), secrets)
  const secretValuesNear = (path: string): unknown[] => {
    const values: unknown[] = []
    if (isSecretPath(path, secrets)) values.push(valueAt(draft.raw, parsePath(path)))
    for (const secret of secrets) {
      if (secret !== path && (secret.startsWith(`${path}.`) || secret.startsWith(`${path}[`) || path === '')) {
        values.push(valueAt(draft.raw, parsePath(secret)))
      }
    }
    return values
  }
  return {
    file,
    directory: dirname(resolve(file)),
    format: draft.format,
    config: draft.config,
    raw: draft.raw,
    document: draft.document,
    secrets,
    issues,
    get ok() {
      return issues.length === 0
    },
    locate(path, options) {
      return locator?.(parsePath(path), options?.at)
    },
    isSecret,
    addIssues(more, code = 'ERR_CONFIG_INVALID') {
      const added: LocatedIssue[] = []
      for (const issue of more) {
        const path = canonical(issue.path)
        if (reported.has(path)) continue
        const where = issue.line === undefined ? locator?.(parsePath(issue.path)) : undefined
        const located: LocatedIssue = {
          code: (issue as { code?: ErrorCode }).code ?? code,
          file: issue.file ?? file,
          path: issue.path,
          message: scrubMessage(issue.message, secretValuesNear(path)),
          line: issue.line ?? where?.line,
          column: issue.line === undefined ? where?.column : issue.column,
        }
        added.push(located)
        issues.push(located)
      }
      issues.sort(byPlace)
      return added
    },
    toError() {
      if (issues.length === 0) return undefined
      const code = CODE_ORDER.find((c) => issues.some((i) => i.code === c)) ?? 'ERR_CONFIG_INVALID'
      return new ConfigValidationError(issues, code)
    },
  }
}

/**
 * Parses and validates config text. See {@link loadConfig}; this is the same without the file
 * read (for configs built in memory and for tests).
 */
export function loadConfigText(text: string, options: LoadTextOptions): LoadedConfig {
  const { file, env = process.env, knownModes } = options
  const format: ConfigFormat = options.format ?? (extname(file).toLowerCase() === '.json' ? 'json' : 'yaml')
  const draft: Draft = {
    file,
    format,
    raw: {},
    config: defaultsOnly(),
    secrets: new Set(),
    issues: [],
    reported: new Set(),
  }
  const source = text.replace(/^\uFEFF/, '')

  if (format === 'json') {
    try {
      JSON.parse(source)
    } catch (err) {
      draft.issues.push(jsonSyntaxIssue(file, source, err))
      return finish(draft)
    }
  }

  const lineCounter = new LineCounter()
  const doc = parseDocument(source, {
    lineCounter,
    prettyErrors: false,
    merge: format === 'yaml',
    schema: format === 'json' ? 'json' : 'core',
  })
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const [start = 0] = error.pos
      const where = position(start)
      const message =
        error.code === 'DUPLICATE_KEY'
          ? `duplicate key ${JSON.stringify(keyAt(source, start))}`
          : lowerFirst(error.message.replace(/\s+at line \d+, column \d+[\s\S]*$/, ''))
      draft.issues.push({
        code: 'ERR_CONFIG_SYNTAX',
        file,
        path: '',
        message: `invalid ${format === 'json' ? 'JSON' : 'YAML'}: ${message}`,
        line: where.line,
        column: where.column,
      })
    }
    return finish(draft)
  }
  draft.document = doc
  draft.locator = createLocator(doc, lineCounter)

  const exact = interpolateDocument(doc, source, env, draft, position)
  let raw: unknown
  try {
    raw = structuredClone(doc.toJS({ maxAliasCount: 100 }))
  } catch (err) {
    draft.issues.push({
      code: 'ERR_CONFIG_SYNTAX',
      file,
      path: '',
      message: `invalid YAML: ${lowerFirst(err instanceof Error ? err.message : String(err))}`,
      line: 1,
      column: 1,
    })
    return finish(draft)
  }
  if (raw === null || raw === undefined) raw = {}
  for (const leaf of exact) {
    const value = valueAt(raw, leaf.segments)
    if (typeof value === 'string') setAt(raw, leaf.segments, typeInterpolated(value, leaf.segments, leaf.plain))
  }
  draft.raw = raw

  const directory = dirname(resolve(file))
  const checked = validateConfig(FirefrontConfig, raw, {
    isSecret: (path) => isSecretPath(path, draft.secrets),
    locate: draft.locator,
    // relative paths in the file are relative to the file, not to the current directory
    resolvePath: (path) => resolve(directory, path),
  })
  if (checked.ok) draft.config = checked.value
  else {
    // an invalid file still gets its defaults, so later checks can read it
    const config = applyDefaults(FirefrontConfig, structuredClone(raw))
    if (isPlainObject(config)) draft.config = config as FirefrontConfig
  }
  for (const issue of checked.ok ? [] : checked.issues) {
    const path = issue.path
    // a value whose variable is unset was already reported; its text says nothing more
    if ([...draft.reported].some((p) => p === path || path.startsWith(`${p}.`) || path.startsWith(`${p}[`))) continue
    draft.reported.add(path)
    draft.issues.push({
      ...issue,
      code: 'ERR_CONFIG_INVALID',
      file,
      message: path === '' ? `the top level ${issue.message.replace(/^expected/, 'must be a')}` : issue.message,
    })
  }
  checkModes(draft, knownModes)
  checkDelivery(draft)
  checkInFlightBatches(draft)
  if (checked.ok) checkCluster(draft)
  return finish(draft)
}

/**
 * Loads the config file at `file`: YAML, or JSON when the name ends in `.json`. Never throws for a
 * problem in the file: a missing file (`ERR_CONFIG_NOT_FOUND`), a syntax error
 * (`ERR_CONFIG_SYNTAX`), an unset variable (`ERR_CONFIG_ENV`) and every schema problem
 * (`ERR_CONFIG_INVALID`) are in `issues`; `toError()` turns them into one
 * {@link ConfigValidationError}. Use {@link loadValidConfig} to throw instead.
 *
 * @example
 * const loaded = await loadConfig('firefront.yaml')
 * loaded.addIssues(await checkPlugins(loaded))
 * if (!loaded.ok) throw loaded.toError()
 */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : lowerFirst((err as Error).message)
    const format: ConfigFormat = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml'
    return finish({
      file,
      format,
      raw: {},
      config: defaultsOnly(),
      secrets: new Set(),
      issues: [{ code: 'ERR_CONFIG_NOT_FOUND', file, path: '', message: `cannot read the config file: ${reason}` }],
      reported: new Set(),
    })
  }
  return loadConfigText(text, { ...options, file })
}

/** Like {@link loadConfig}, but throws a {@link ConfigValidationError} when there is any issue. */
export async function loadValidConfig(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const loaded = await loadConfig(file, options)
  const error = loaded.toError()
  if (error) throw error
  return loaded
}
