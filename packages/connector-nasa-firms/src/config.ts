/**
 * The connector's `config:` block (snake_case, like the rest of a Firefront config file) and the
 * checks the schema cannot express (bbox ranges, one of `area`/`country`, the MAP_KEY fallback).
 */
import { ConfigValidationError, type ConfigIssue, Duration, type Static, Type } from '@firefront/sdk'
import { dayStartMs } from './dates'

/** FIRMS SOURCE values served by the area and country CSV APIs. */
export const FIRMS_SOURCES = [
  'VIIRS_SNPP_NRT',
  'VIIRS_NOAA20_NRT',
  'VIIRS_NOAA21_NRT',
  'MODIS_NRT',
  'VIIRS_SNPP_SP',
  'VIIRS_NOAA20_SP',
  'MODIS_SP',
  'LANDSAT_NRT',
] as const

/** One of {@link FIRMS_SOURCES}. */
export type FirmsSource = (typeof FIRMS_SOURCES)[number]

/** The public FIRMS host. */
export const DEFAULT_BASE_URL = 'https://firms.modaps.eosdis.nasa.gov'

/**
 * Default cap of one answer: 128 MiB. The largest legitimate answer is a world-wide 5-day VIIRS
 * window: about 80 bytes a row and, in the busiest fire season, up to some 250,000 detections a
 * day, so about 100 MB; polls usually read a day or two (a few tens of MB world-wide at most).
 */
export const DEFAULT_MAX_BODY_BYTES = 128 * 1024 * 1024

/** Environment variable read when the config gives no `map_key`. */
export const MAP_KEY_ENV = 'FIRMS_MAP_KEY'

const NUM = '-?\\d+(?:\\.\\d+)?'
const BBOX = `^\\s*${NUM}\\s*,\\s*${NUM}\\s*,\\s*${NUM}\\s*,\\s*${NUM}\\s*$`
const DATE = '^\\d{4}-\\d{2}-\\d{2}$'

/** Schema of the connector's `config:` block. */
export const FirmsConfig = Type.Object(
  {
    map_key: Type.Optional(
      Type.String({
        minLength: 1,
        description: `FIRMS MAP_KEY (secret: never logged). Default: the ${MAP_KEY_ENV} environment variable`,
      }),
    ),
    sources: Type.Array(Type.Union(FIRMS_SOURCES.map((s) => Type.Literal(s))), {
      minItems: 1,
      uniqueItems: true,
      default: ['VIIRS_SNPP_NRT'],
      description: 'FIRMS sources to read; each has its own cursor',
    }),
    area: Type.Optional(
      Type.String({
        pattern: `^world$|${BBOX}`,
        description: 'area API: "west,south,east,north" in decimal degrees, or "world"',
        errorMessage: 'must be "west,south,east,north" in decimal degrees (e.g. "-124.4,32.5,-114.1,42.0") or "world"',
      }),
    ),
    country: Type.Optional(
      Type.String({ pattern: '^[A-Za-z]{3}$', description: 'country API: ISO-3 country code, e.g. "MEX"' }),
    ),
    base_url: Type.String({ pattern: '^https?://', default: DEFAULT_BASE_URL, description: 'FIRMS host' }),
    initial_day_range: Type.Integer({
      minimum: 1,
      maximum: 60,
      default: 1,
      description: 'days read on the first poll (split into requests of at most 5 days)',
    }),
    max_catch_up_days: Type.Integer({
      minimum: 1,
      maximum: 60,
      default: 10,
      description: 'after a pause, read at most this many days back',
    }),
    dedupe_window_hours: Type.Number({
      minimum: 0,
      maximum: 72,
      default: 6,
      description:
        'rows up to this much older than the newest acquisition seen are still accepted (late rows) and deduplicated',
    }),
    start_date: Type.Optional(
      Type.String({ pattern: DATE, description: 'historical backfill: first UTC day (YYYY-MM-DD) to read' }),
    ),
    end_date: Type.Optional(
      Type.String({
        pattern: DATE,
        description: 'historical backfill: last UTC day; without it the backfill runs up to today, then goes on live',
      }),
    ),
    backfill_days_per_poll: Type.Integer({
      minimum: 1,
      maximum: 31,
      default: 5,
      description: 'days of history read by one backfill poll',
    }),
    request_timeout_seconds: Duration.seconds({
      exclusiveMinimum: 0,
      default: 30,
      description: 'timeout of one HTTP request',
    }),
    max_body_bytes: Type.Integer({
      minimum: 1024,
      maximum: 1024 * 1024 * 1024,
      default: DEFAULT_MAX_BODY_BYTES,
      description:
        'largest answer read (bytes); a larger one is dead-lettered with its size and a preview, unread past the cap',
    }),
    transaction_limit: Type.Integer({
      minimum: 1,
      default: 5000,
      description: 'FIRMS transactions allowed per 10 minutes for this MAP_KEY (shared by every source using the key)',
    }),
    check_key_status: Type.Boolean({
      default: false,
      description: 'ask /mapserver/mapkey_status at start: refuses a bad key early and seeds the transaction count',
    }),
  },
  { additionalProperties: false },
)

/** The connector's config, as validated (defaults applied). */
export type FirmsConfig = Static<typeof FirmsConfig>

/** Where detections are read from. */
export type FirmsTarget =
  | { readonly api: 'area'; readonly area: string }
  | { readonly api: 'country'; readonly country: string }

/** The config, checked and resolved: what the connector runs with. */
export interface FirmsSettings {
  readonly mapKey: string
  readonly baseUrl: string
  readonly target: FirmsTarget
  readonly sources: readonly FirmsSource[]
  readonly initialDayRange: number
  readonly maxCatchUpDays: number
  readonly dedupeWindowMs: number
  readonly startDate?: string
  readonly endDate?: string
  readonly backfillDaysPerPoll: number
  readonly requestTimeoutMs: number
  readonly maxBodyBytes: number
  readonly transactionLimit: number
  readonly checkKeyStatus: boolean
}

/** Normalises a bbox (`west,south,east,north`) and checks its ranges; returns the problem when it is wrong. */
export function parseBbox(area: string): { area: string } | { problem: string } {
  if (area.trim().toLowerCase() === 'world') return { area: 'world' }
  const parts = area.split(',').map((p) => Number(p.trim()))
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) {
    return { problem: `must be "west,south,east,north" or "world", got ${JSON.stringify(area)}` }
  }
  const [west, south, east, north] = parts as [number, number, number, number]
  if (west < -180 || west > 180 || east < -180 || east > 180)
    return { problem: 'west and east must be within -180…180' }
  if (south < -90 || south > 90 || north < -90 || north > 90)
    return { problem: 'south and north must be within -90…90' }
  if (west >= east) return { problem: `west (${west}) must be less than east (${east})` }
  if (south >= north) return { problem: `south (${south}) must be less than north (${north})` }
  return { area: `${west},${south},${east},${north}` }
}

/** The problems {@link resolveSettings} would throw for (none when it would succeed). */
export function settingsIssues(
  config: FirmsConfig,
  env: Readonly<Record<string, string | undefined>>,
): readonly ConfigIssue[] {
  try {
    resolveSettings(config, env)
    return []
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.issues
    throw err
  }
}

/**
 * Checks what the schema cannot and resolves the MAP_KEY (config, then `env.FIRMS_MAP_KEY`).
 * Throws a {@link ConfigValidationError} (`ERR_PLUGIN_CONFIG`) listing every problem.
 */
export function resolveSettings(config: FirmsConfig, env: Readonly<Record<string, string | undefined>>): FirmsSettings {
  const issues: ConfigIssue[] = []
  const mapKey = config.map_key ?? env[MAP_KEY_ENV]
  if (mapKey === undefined || mapKey.trim() === '') {
    issues.push({ path: 'map_key', message: `no MAP_KEY: set map_key or the ${MAP_KEY_ENV} environment variable` })
  }
  let target: FirmsTarget | undefined
  if (config.area !== undefined && config.country !== undefined) {
    issues.push({ path: 'area', message: 'give either area or country, not both' })
  } else if (config.country !== undefined) {
    target = { api: 'country', country: config.country.toUpperCase() }
  } else if (config.area !== undefined) {
    const bbox = parseBbox(config.area)
    if ('problem' in bbox) issues.push({ path: 'area', message: bbox.problem })
    else target = { api: 'area', area: bbox.area }
  } else {
    issues.push({ path: 'area', message: 'give area ("west,south,east,north" or "world") or country (ISO-3)' })
  }
  for (const key of ['start_date', 'end_date'] as const) {
    const day = config[key]
    if (day !== undefined && dayStartMs(day) === undefined) {
      issues.push({ path: key, message: `${JSON.stringify(day)} is not a calendar date` })
    }
  }
  if (config.end_date !== undefined && config.start_date === undefined) {
    issues.push({ path: 'end_date', message: 'end_date needs start_date' })
  } else if (config.end_date !== undefined && config.start_date !== undefined && config.end_date < config.start_date) {
    issues.push({ path: 'end_date', message: 'end_date is before start_date' })
  }
  if (issues.length > 0 || target === undefined || mapKey === undefined) {
    throw new ConfigValidationError(issues, 'ERR_PLUGIN_CONFIG')
  }
  return {
    mapKey: mapKey.trim(),
    baseUrl: config.base_url.replace(/\/+$/, ''),
    target,
    sources: config.sources,
    initialDayRange: config.initial_day_range,
    maxCatchUpDays: config.max_catch_up_days,
    dedupeWindowMs: config.dedupe_window_hours * 3_600_000,
    startDate: config.start_date,
    endDate: config.end_date,
    backfillDaysPerPoll: config.backfill_days_per_poll,
    requestTimeoutMs: config.request_timeout_seconds * 1000,
    maxBodyBytes: config.max_body_bytes,
    transactionLimit: config.transaction_limit,
    checkKeyStatus: config.check_key_status,
  }
}
