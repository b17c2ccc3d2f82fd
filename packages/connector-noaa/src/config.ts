/**
 * The connector's `config:` block (snake_case, like the rest of a Firefront config file) and the
 * checks the schema cannot express (`area` alone, at least one thing to read, point precision).
 */
import { type ConfigIssue, ConfigValidationError, Duration, type Static, Type } from '@firefront/sdk'
import { FIRE_WEATHER_LAYERS } from './gridpoints'

/** The public NWS API host. */
export const DEFAULT_BASE_URL = 'https://api.weather.gov'

/** Alert events emitted with `critical` priority unless `critical_events` says otherwise. */
export const DEFAULT_CRITICAL_EVENTS = ['Red Flag Warning', 'Fire Weather Watch'] as const

const list = <T extends ReturnType<typeof Type.Union> | ReturnType<typeof Type.String>>(item: T, description: string) =>
  Type.Optional(Type.Array(item, { minItems: 1, description }))
const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)))

/** Filters of `/alerts/active`. */
export const AlertsConfig = Type.Object(
  {
    area: list(Type.String({ pattern: '^[A-Z]{2}$' }), 'state or marine area codes, e.g. CA'),
    zone: list(Type.String({ pattern: '^[A-Z]{2}[CZ]\\d{3}$' }), 'zone or county ids, e.g. CAZ211'),
    point: Type.Optional(
      Type.String({ pattern: '^\\s*-?\\d+(\\.\\d+)?\\s*,\\s*-?\\d+(\\.\\d+)?\\s*$', description: '"lat,lon"' }),
    ),
    region: list(Type.String({ minLength: 1 }), 'marine regions (AL, AT, GL, GM, PA, PI)'),
    region_type: Type.Optional(literals(['land', 'marine'])),
    event: list(Type.String({ minLength: 1 }), 'event names, e.g. Red Flag Warning'),
    status: list(literals(['actual', 'exercise', 'system', 'test', 'draft']), 'alert status'),
    message_type: list(literals(['alert', 'update', 'cancel']), 'message types'),
    severity: list(literals(['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']), 'severities'),
    urgency: list(literals(['Immediate', 'Expected', 'Future', 'Past', 'Unknown']), 'urgencies'),
    certainty: list(literals(['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown']), 'certainties'),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
)

/** Stations of `/stations/{id}/observations`, and forecast zones of `/zones/forecast/{zone}/observations`. */
export const ObservationsConfig = Type.Object(
  {
    stations: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9]{3,10}$' }), {
        minItems: 1,
        description: 'station ids, e.g. KSFO',
      }),
    ),
    zones: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z]{2}Z\\d{3}$' }), {
        minItems: 1,
        description: 'forecast zones whose stations are read together, e.g. CAZ006',
      }),
    ),
    station_names: Type.Boolean({
      default: true,
      description: "read each station's name from /stations/{id} (cached a day) when observations carry none",
    }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'observations per request' }),
    initial_lookback_hours: Type.Number({
      exclusiveMinimum: 0,
      default: 3,
      description: 'how far back the first poll of a station reads',
    }),
  },
  { additionalProperties: false },
)

/** Raw gridpoint forecasts of `/gridpoints/{wfo}/{x},{y}`. */
export const GridpointsConfig = Type.Object(
  {
    points: Type.Array(Type.String({ pattern: '^[A-Za-z]{3}/\\d{1,3},\\d{1,3}$' }), {
      minItems: 1,
      description: 'gridpoints as "WFO/x,y" (from /points/{lat},{lon}), e.g. "TAE/58,65"',
    }),
    layers: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9]+$' }), {
        minItems: 1,
        description: 'layers to keep; default: the fire-weather layers',
      }),
    ),
  },
  { additionalProperties: false },
)

/** Text forecasts of points: `/points/{lat},{lon}` → the gridpoint's forecasts and fire-weather zone. */
export const ForecastsConfig = Type.Object(
  {
    points: Type.Array(
      Type.String({ pattern: '^\\s*-?\\d+(\\.\\d+)?\\s*,\\s*-?\\d+(\\.\\d+)?\\s*$', description: '"lat,lon"' }),
      { minItems: 1, description: 'points as "lat,lon" (rounded to 4 decimals, as NWS asks)' },
    ),
    hourly: Type.Boolean({ default: true, description: 'also read /forecast/hourly' }),
    fire_weather_zone: Type.Boolean({
      default: true,
      description: "read the point's fire-weather zone forecast (/zones/fire/{zone}/forecast) where NWS offers one",
    }),
    units: Type.Union([Type.Literal('us'), Type.Literal('si')], {
      default: 'us',
      description: 'units NWS writes the text forecasts in',
    }),
    points_cache_hours: Type.Number({
      exclusiveMinimum: 0,
      default: 24,
      description: 'how long a /points look-up is reused (NWS: points metadata change rarely; cache them)',
    }),
  },
  { additionalProperties: false },
)

/**
 * The User-Agent sent when the config gives none. NWS asks for one that names the application
 * and a contact, so the connector warns at start while this default is in use.
 */
export const DEFAULT_USER_AGENT = '(firefront-connector-noaa, https://www.npmjs.com/package/@firefront/connector-noaa)'

/**
 * Default cap of one answer: 32 MiB. The largest legitimate answers are national active-alert
 * collections (about 2 MB in the saved captures of busy days), raw gridpoints (about 130 kB) and
 * 500 observations (a few MB): 32 MiB leaves a wide margin.
 */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024

/** Schema of the connector's `config:` block. */
export const NoaaConfig = Type.Object(
  {
    user_agent: Type.String({
      minLength: 1,
      default: DEFAULT_USER_AGENT,
      description:
        'User-Agent sent to NWS (the API requires one); give your application and a contact, e.g. "(myapp.example, ops@myapp.example)"',
    }),
    base_url: Type.String({ pattern: '^https?://', default: DEFAULT_BASE_URL, description: 'NWS API host' }),
    alerts: Type.Optional(AlertsConfig),
    observations: Type.Optional(ObservationsConfig),
    gridpoints: Type.Optional(GridpointsConfig),
    forecasts: Type.Optional(ForecastsConfig),
    critical_events: Type.Array(Type.String({ minLength: 1 }), {
      default: [...DEFAULT_CRITICAL_EVENTS],
      description: 'alert events emitted with critical priority',
    }),
    max_tracked_alerts: Type.Integer({
      minimum: 1,
      default: 5000,
      description: 'alert ids remembered in the cursor to emit each alert once',
    }),
    request_timeout_seconds: Duration.seconds({
      exclusiveMinimum: 0,
      default: 30,
      description: 'timeout of one request',
    }),
    max_body_bytes: Type.Integer({
      minimum: 1024,
      maximum: 1024 * 1024 * 1024,
      default: DEFAULT_MAX_BODY_BYTES,
      description:
        'largest answer read (bytes); a larger one is dead-lettered with its size and a preview, unread past the cap',
    }),
  },
  { additionalProperties: false },
)

/** The connector's config, as validated (defaults applied). */
export type NoaaConfig = Static<typeof NoaaConfig>

/** What a config with neither `alerts` nor `observations` reads. */
export const DEFAULT_ALERTS: Static<typeof AlertsConfig> = {
  event: [...DEFAULT_CRITICAL_EVENTS],
  status: ['actual'],
}

/** The config, checked and resolved: what the connector runs with. */
export interface NoaaSettings {
  readonly userAgent: string
  readonly baseUrl: string
  /** The `/alerts/active` query string (without `?`), when alerts are read. */
  readonly alertsQuery?: string
  readonly stations: readonly string[]
  /** Forecast zones whose observations are read (`/zones/forecast/{zone}/observations`). */
  readonly zones: readonly string[]
  readonly stationNames: boolean
  /** Points (`lat,lon`, 4 decimals at most) whose text forecasts are read. */
  readonly forecastPoints: readonly string[]
  readonly forecastHourly: boolean
  readonly fireZoneForecasts: boolean
  readonly forecastUnits: 'us' | 'si'
  readonly pointsCacheMs: number
  readonly observationLimit: number
  readonly initialLookbackMs: number
  /** Gridpoints as `WFO/x,y` (WFO upper case). */
  readonly gridpoints: readonly string[]
  readonly gridLayers: readonly string[]
  readonly criticalEvents: ReadonlySet<string>
  readonly maxTrackedAlerts: number
  readonly requestTimeoutMs: number
  readonly maxBodyBytes: number
}

/** `lat,lon` rounded to 4 decimals (more makes NWS answer 301 AdjustPointPrecision). */
export function normalisePoint(point: string): { point: string } | { problem: string } {
  const [lat, lon] = point.split(',').map((p) => Number(p.trim())) as [number, number]
  if (lat < -90 || lat > 90) return { problem: `latitude ${lat} is outside -90…90` }
  if (lon < -180 || lon > 180) return { problem: `longitude ${lon} is outside -180…180` }
  const round = (n: number): string => String(Math.round(n * 10_000) / 10_000)
  return { point: `${round(lat)},${round(lon)}` }
}

/** The `/alerts/active` query of `alerts`; pushes a problem to `issues` for a forbidden combination. */
function alertsQuery(alerts: Static<typeof AlertsConfig>, issues: ConfigIssue[]): string {
  if (alerts.area !== undefined) {
    const clash = (['point', 'region', 'region_type', 'zone'] as const).filter((k) => alerts[k] !== undefined)
    if (clash.length > 0) {
      issues.push({ path: 'alerts.area', message: `area cannot be combined with ${clash.join(', ')}` })
    }
  }
  const params = new URLSearchParams()
  const add = (key: string, value: readonly string[] | string | number | undefined): void => {
    if (value === undefined) return
    params.set(key, Array.isArray(value) ? value.join(',') : String(value))
  }
  add('area', alerts.area)
  add('zone', alerts.zone)
  if (alerts.point !== undefined) {
    const p = normalisePoint(alerts.point)
    if ('problem' in p) issues.push({ path: 'alerts.point', message: p.problem })
    else add('point', p.point)
  }
  add('region', alerts.region)
  add('region_type', alerts.region_type)
  add('event', alerts.event)
  add('status', alerts.status)
  add('message_type', alerts.message_type)
  add('severity', alerts.severity)
  add('urgency', alerts.urgency)
  add('certainty', alerts.certainty)
  add('limit', alerts.limit)
  // NWS reads commas as list separators; keep them (and spaces as %20) readable.
  return params.toString().replace(/%2C/g, ',').replace(/\+/g, '%20')
}

/**
 * Checks what the schema cannot and resolves the settings. Throws a {@link ConfigValidationError}
 * (`ERR_PLUGIN_CONFIG`) listing every problem.
 */
export function resolveSettings(config: NoaaConfig): NoaaSettings {
  const issues: ConfigIssue[] = []
  if (config.user_agent.trim() === '') issues.push({ path: 'user_agent', message: 'must not be blank' })
  // With nothing chosen, the source still does what a wildfire source is for (and a config that
  // validates also runs): the fire-weather alerts in force, nationwide.
  const nothingElse =
    config.observations === undefined && config.gridpoints === undefined && config.forecasts === undefined
  const obs = config.observations
  if (obs !== undefined && obs.stations === undefined && obs.zones === undefined) {
    issues.push({ path: 'observations', message: 'give stations, zones or both' })
  }
  const forecastPoints: string[] = []
  for (const [i, point] of (config.forecasts?.points ?? []).entries()) {
    const p = normalisePoint(point)
    if ('problem' in p) issues.push({ path: `forecasts.points.${i}`, message: p.problem })
    else if (!forecastPoints.includes(p.point)) forecastPoints.push(p.point)
  }
  const alerts = config.alerts ?? (nothingElse ? DEFAULT_ALERTS : undefined)
  const query = alerts === undefined ? undefined : alertsQuery(alerts, issues)
  if (issues.length > 0) throw new ConfigValidationError(issues, 'ERR_PLUGIN_CONFIG')
  return {
    userAgent: config.user_agent.trim(),
    baseUrl: config.base_url.replace(/\/+$/, ''),
    alertsQuery: query,
    stations: [...new Set((config.observations?.stations ?? []).map((s) => s.toUpperCase()))],
    zones: [...new Set((config.observations?.zones ?? []).map((z) => z.toUpperCase()))],
    stationNames: config.observations?.station_names ?? true,
    forecastPoints,
    forecastHourly: config.forecasts?.hourly ?? true,
    fireZoneForecasts: config.forecasts?.fire_weather_zone ?? true,
    forecastUnits: config.forecasts?.units ?? 'us',
    pointsCacheMs: (config.forecasts?.points_cache_hours ?? 24) * 3_600_000,
    observationLimit: config.observations?.limit ?? 50,
    initialLookbackMs: (config.observations?.initial_lookback_hours ?? 3) * 3_600_000,
    gridpoints: [
      ...new Set((config.gridpoints?.points ?? []).map((p) => p.replace(/^[a-z]{3}/i, (w) => w.toUpperCase()))),
    ],
    gridLayers: config.gridpoints?.layers ?? [...FIRE_WEATHER_LAYERS],
    criticalEvents: new Set(config.critical_events),
    maxTrackedAlerts: config.max_tracked_alerts,
    requestTimeoutMs: config.request_timeout_seconds * 1000,
    maxBodyBytes: config.max_body_bytes,
  }
}
