/**
 * The connector's cursor: the alerts already emitted (id → `sent`), the newest observation per
 * station, and the Last-Modified of each URL read, for If-Modified-Since. Kept in the cursor, not
 * in memory, so a poll whose records were not committed is read again in full.
 */
import type { Cursor } from '@firefront/sdk'
import type { AlertSummary } from './alerts'
import type { Observation } from './observations'

/** The cursor as stored. */
export interface NoaaCursor {
  readonly v: 1
  /** Active alert id → the UTC `sent` last emitted. */
  readonly alerts: Readonly<Record<string, string>>
  /** Station id → UTC timestamp of the newest observation emitted; `zone:<id>` → the newest of a zone. */
  readonly stations: Readonly<Record<string, string>>
  /** Gridpoint (`WFO/x,y`) → the `updateTime` of the forecast last emitted. */
  readonly grids: Readonly<Record<string, string>>
  /**
   * Text forecast (`WFO/x,y:periods`, `WFO/x,y:hourly`, `fire/<zone>`) → the update time of the one
   * last emitted.
   */
  readonly forecasts: Readonly<Record<string, string>>
  /** URL → its last Last-Modified header. */
  readonly modified: Readonly<Record<string, string>>
}

/** The cursor of a first poll. */
export const emptyCursor = (): NoaaCursor => ({
  v: 1,
  alerts: {},
  stations: {},
  grids: {},
  forecasts: {},
  modified: {},
})

const stringMap = (v: unknown): Record<string, string> | undefined => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
  const out: Record<string, string> = {}
  for (const [k, s] of Object.entries(v)) if (typeof s === 'string') out[k] = s
  return out
}

/** Reads a stored cursor; a cursor of another shape starts afresh, with the problem said. */
export function readCursor(cursor: Cursor | undefined): { cursor: NoaaCursor; problem?: string } {
  if (cursor === undefined || cursor === null) return { cursor: emptyCursor() }
  const c = cursor as Record<string, unknown>
  const alerts = stringMap(c.alerts)
  const stations = stringMap(c.stations)
  const modified = stringMap(c.modified)
  // Cursors written before gridpoints were read have no `grids`.
  const grids = c.grids === undefined ? {} : stringMap(c.grids)
  // ... and those written before text forecasts were read have no `forecasts`.
  const forecasts = c.forecasts === undefined ? {} : stringMap(c.forecasts)
  if (typeof cursor !== 'object' || c.v !== 1 || !alerts || !stations || !modified || !grids || !forecasts) {
    return { cursor: emptyCursor(), problem: `not a noaa cursor: ${JSON.stringify(cursor).slice(0, 80)}` }
  }
  return { cursor: { v: 1, alerts, stations, grids, forecasts, modified } }
}

/**
 * Which alerts of a full `/alerts/active` answer to emit: those not emitted before, and those
 * whose `sent` is later than the one emitted. Ids no longer active are forgotten; at most `max`
 * ids are kept (the latest `sent` first).
 */
export function admitAlerts(
  seen: Readonly<Record<string, string>>,
  alerts: readonly AlertSummary[],
  max: number,
): { fresh: AlertSummary[]; seen: Record<string, string>; repeats: number } {
  const fresh: AlertSummary[] = []
  let repeats = 0
  const next: [string, string][] = []
  for (const alert of alerts) {
    const before = seen[alert.id]
    if (before === undefined || alert.sent > before) {
      fresh.push(alert)
      next.push([alert.id, alert.sent])
    } else {
      repeats++
      next.push([alert.id, before])
    }
  }
  next.sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0))
  return { fresh, seen: Object.fromEntries(next.slice(0, max)), repeats }
}

/**
 * Which observations of a station to emit: those newer than the station's newest emitted and not
 * before `from`, each timestamp once. The newest never moves backwards.
 */
export function admitObservations(
  newest: string | undefined,
  from: string,
  observations: readonly Observation[],
): { fresh: Observation[]; newest: string | undefined; stale: number } {
  const byTime = new Map<string, Observation>()
  let stale = 0
  for (const o of observations) {
    if ((newest !== undefined && o.timestamp <= newest) || o.timestamp < from || byTime.has(o.timestamp)) stale++
    else byTime.set(o.timestamp, o)
  }
  const fresh = [...byTime.values()].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1))
  const last = fresh.at(-1)?.timestamp
  return { fresh, newest: last !== undefined && (newest === undefined || last > newest) ? last : newest, stale }
}

/** The cursor as JSON. */
export const cursorJson = (c: NoaaCursor): Cursor => ({
  v: c.v,
  alerts: { ...c.alerts },
  stations: { ...c.stations },
  grids: { ...c.grids },
  forecasts: { ...c.forecasts },
  modified: { ...c.modified },
})
