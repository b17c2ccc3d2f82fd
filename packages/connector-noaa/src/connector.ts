/**
 * The NOAA / NWS pull connector: reads active alerts, station and zone observations, raw gridpoints
 * and text forecasts, and emits each alert once (again when it is updated), each observation once
 * and each forecast once per update.
 */
import {
  alteredHeaderValue,
  HEADERS,
  type PluginContext,
  type PollRequest,
  type PollResult,
  type PullConnector,
  type SourceRecord,
  defineConnector,
  errorCode,
} from '@firefront/sdk'
import pkg from '../package.json'
import { type AlertSummary, parseAlerts } from './alerts'
import { type CollectionResponse, NwsBodyTooLargeError, NwsClient } from './client'
import type { InvalidField } from './fields'
import { DEFAULT_USER_AGENT, NoaaConfig, type NoaaSettings, resolveSettings } from './config'
import { type NoaaCursor, admitAlerts, admitObservations, cursorJson, readCursor } from './cursor'
import { type GridpointForecast, parseGridpoint } from './gridpoints'
import { type Observation, observationKey, parseObservations } from './observations'
import { TextForecastReader } from './text-forecasts'
import { linkSignals } from '@firefront/sdk'

/** How far before a zone's newest observation the next read of the zone starts (stations report late). */
const ZONE_OVERLAP_MS = 3_600_000

/** Pages of older observations read at most per station and poll. */
const MAX_OBSERVATION_PAGES = 5

/** A gridpoint forecast not updated for this long is logged as stale (NWS updates them hourly or so). */
const STALE_FORECAST_MS = 12 * 3_600_000

/** The header that flags a record whose data is not exactly what NWS sent (see the README); the SDK's `HEADERS.altered`. */
export const ALTERED_HEADER = HEADERS.altered

/**
 * The `firefront.altered` header of a record, when it needs one: `utf8-replaced` when its text
 * holds U+FFFD where the body had bytes that were not UTF-8, `type:<field>` for each field of the
 * wrong type (array indices folded: `type:geocode.UGC[]`).
 */
export function alteredHeader(
  value: { readonly invalidFields?: readonly InvalidField[] },
  utf8Replaced: boolean,
): Record<string, string> | undefined {
  const header = alteredHeaderValue(value.invalidFields, utf8Replaced ? ['utf8-replaced'] : [])
  return header ? { [ALTERED_HEADER]: header } : undefined
}

/** The NOAA / NWS connector (`source_type: noaa_weather`, `noaa_alerts`, `nws_alerts`, `noaa_observations`). */
export const noaaConnector = defineConnector({
  name: 'noaa',
  version: pkg.version,
  description:
    'NOAA / National Weather Service active alerts, station and zone observations, gridpoint and text forecasts (api.weather.gov)',
  sourceTypes: ['noaa_weather', 'noaa_alerts', 'nws_alerts', 'noaa_observations'],
  defaultTopic: 'wildfire-weather-data',
  configSchema: NoaaConfig,
  create: (config, ctx) => {
    if (config.user_agent === DEFAULT_USER_AGENT) {
      ctx.logger.warn(
        'no user_agent configured: NWS asks for one naming your application and a contact; set config.user_agent',
      )
    }
    return createNoaaPoller(resolveSettings(config), ctx)
  },
})

/** Builds the pull connector instance for resolved settings. */
export function createNoaaPoller(settings: NoaaSettings, ctx: PluginContext): PullConnector {
  const client = new NwsClient({
    userAgent: settings.userAgent,
    fetch: ctx.fetch,
    timeoutMs: settings.requestTimeoutMs,
    maxBodyBytes: settings.maxBodyBytes,
    now: () => ctx.clock.now(),
  })
  const log = ctx.logger
  const m = {
    requests: ctx.metrics.counter('noaa_requests_total', 'NWS HTTP requests'),
    notModified: ctx.metrics.counter('noaa_not_modified_total', 'NWS answers 304 Not Modified'),
    rejected: ctx.metrics.counter('noaa_features_rejected_total', 'features rejected as malformed'),
    emitted: ctx.metrics.counter('noaa_records_emitted_total', 'records emitted'),
    repeats: ctx.metrics.counter('noaa_repeats_total', 'features skipped as already emitted or stale'),
    invalidFields: ctx.metrics.counter(
      'noaa_fields_invalid_total',
      'fields of the wrong type, emitted as null and flagged',
    ),
    utf8Replaced: ctx.metrics.counter(
      'noaa_records_utf8_replaced_total',
      'records flagged for U+FFFD where the body had bytes that were not UTF-8',
    ),
    oversize: ctx.metrics.counter('noaa_bodies_oversize_total', 'answers over max_body_bytes, dead-lettered unread'),
  }

  const skipped = ctx.metrics.counter('noaa_skipped_total', 'inputs left out on purpose, by reason', ['reason'])
  const forecasts = new TextForecastReader({
    client,
    settings,
    log,
    now: () => ctx.clock.now(),
    metrics: m,
    record: (value, base, what, invalidUtf8) => record(value, base, what, invalidUtf8),
    reject: (items, what) => reject(items, what),
    skip: (reason) => {
      skipped.inc(1, { reason })
      ctx.skip?.(reason)
    },
  })
  const stationNames = new Map<string, { name: string | null; until: number }>()

  /** The record of `value`: flagged (header, counts) when it is not exactly what NWS sent. */
  const record = <V extends { readonly invalidFields?: readonly InvalidField[] }>(
    value: V,
    base: Omit<SourceRecord<V>, 'value' | 'headers'>,
    what: string,
    invalidUtf8: boolean,
  ): SourceRecord<V> => {
    const replaced = invalidUtf8 && JSON.stringify(value).includes('\uFFFD')
    const headers = alteredHeader(value, replaced)
    if (headers === undefined) return { ...base, value }
    if (replaced) m.utf8Replaced.inc(1, { what })
    if (value.invalidFields) m.invalidFields.inc(value.invalidFields.length, { what })
    return { ...base, value, headers }
  }

  /** GET with If-Modified-Since from the cursor; records the Last-Modified for the next cursor. */
  const read = async (
    url: string,
    what: string,
    cursor: NoaaCursor,
    modified: Record<string, string>,
    signal: AbortSignal,
  ): Promise<CollectionResponse> => {
    m.requests.inc(1, { what })
    const res = await client.collection(url, signal, cursor.modified[url])
    if (res.status === 304) {
      m.notModified.inc(1, { what })
      const previous = cursor.modified[url]
      if (previous !== undefined) modified[url] = previous
    } else if ('lastModified' in res && res.lastModified !== undefined) {
      modified[url] = res.lastModified
    }
    return res
  }

  const reject = (items: readonly { reason: string; input: unknown; location: string }[], what: string): void => {
    for (const item of items) ctx.reject(item)
    if (items.length > 0) m.rejected.inc(items.length, { what })
  }

  const alertRecord = (a: AlertSummary, invalidUtf8: boolean): SourceRecord<AlertSummary> =>
    record(
      a,
      {
        key: a.id,
        eventTime: a.sent,
        ...(settings.criticalEvents.has(a.event) ? { priority: 'critical' as const } : {}),
      },
      'alerts',
      invalidUtf8,
    )

  const pollAlerts = async (
    cursor: NoaaCursor,
    modified: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ records: SourceRecord[]; seen: Record<string, string> }> => {
    const url = `${settings.baseUrl}/alerts/active${settings.alertsQuery ? `?${settings.alertsQuery}` : ''}`
    const res = await read(url, 'alerts', cursor, modified, signal)
    if (!('body' in res)) return { records: [], seen: { ...cursor.alerts } }
    const parsed = parseAlerts(res.body.features, url)
    reject(parsed.rejected, 'alerts')
    // Rejected alerts stay in the seen set as they were, so a transient bad answer forgets nothing.
    const kept = parsed.rejected
      .map((r) => (r.input as { properties?: { id?: unknown } } | null)?.properties?.id)
      .filter((id): id is string => typeof id === 'string' && cursor.alerts[id] !== undefined)
    const admitted = admitAlerts(cursor.alerts, parsed.alerts, settings.maxTrackedAlerts)
    for (const id of kept) admitted.seen[id] ??= cursor.alerts[id]!
    m.emitted.inc(admitted.fresh.length, { what: 'alerts' })
    if (admitted.repeats > 0) m.repeats.inc(admitted.repeats, { what: 'alerts' })
    log.debug(
      {
        url,
        ms: res.ms,
        alerts: parsed.alerts.length,
        emitted: admitted.fresh.length,
        rejected: parsed.rejected.length,
      },
      'NWS alerts read',
    )
    if (res.invalid) log.warn({ url, ...res.invalid }, 'NWS alerts body holds bytes that are not UTF-8')
    return { records: admitted.fresh.map((a) => alertRecord(a, res.invalid !== undefined)), seen: admitted.seen }
  }

  /**
   * Reads a station from `from`. NWS answers the newest `limit` observations first, so when a full
   * page does not reach back to `from`, older pages are asked with `end` (at most
   * MAX_OBSERVATION_PAGES) rather than leaving a gap.
   */
  const pollStation = async (
    station: string,
    cursor: NoaaCursor,
    modified: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ records: SourceRecord<Observation>[]; newest: string | undefined }> => {
    const previous = cursor.stations[station]
    const from = previous ?? new Date(ctx.clock.now() - settings.initialLookbackMs).toISOString()
    const observations: Observation[] = []
    let invalidUtf8 = false
    // Merged into `modified` only when every page was read: a Last-Modified kept after a failed
    // page would answer 304 to the retry and hold back what the failed poll did not emit.
    const mine: Record<string, string> = {}
    let end: string | undefined
    for (let page = 0; page < MAX_OBSERVATION_PAGES; page++) {
      const query = new URLSearchParams({
        start: from,
        ...(end ? { end } : {}),
        limit: String(settings.observationLimit),
      })
      const url = `${settings.baseUrl}/stations/${encodeURIComponent(station)}/observations?${query}`
      // Only the first page's Last-Modified is kept: older pages are asked once.
      const res = await read(url, 'observations', cursor, page === 0 ? mine : {}, signal)
      if (!('body' in res)) break
      if (res.invalid) {
        invalidUtf8 = true
        log.warn({ url, ...res.invalid }, 'NWS observations body holds bytes that are not UTF-8')
      }
      const parsed = parseObservations(res.body.features, station, url)
      reject(parsed.rejected, 'observations')
      for (const o of parsed.observations) observations.push(o)
      log.debug({ url, ms: res.ms, observations: parsed.observations.length }, 'NWS observations read')
      const oldest = parsed.observations.reduce<string | undefined>(
        (min, o) => (min === undefined || o.timestamp < min ? o.timestamp : min),
        undefined,
      )
      // Another page only when this one was full, reached no further back than `from`, and moved
      // back in time (a server that ignores `end` would answer the same page again).
      if (res.body.features.length < settings.observationLimit || oldest === undefined || oldest <= from) break
      if (end !== undefined && oldest >= end) break
      if (page === MAX_OBSERVATION_PAGES - 1) {
        log.warn({ station, from, oldest }, 'observations older than the last page read are skipped')
      }
      end = oldest
    }
    Object.assign(modified, mine)
    const admitted = admitObservations(previous, from, observations)
    m.emitted.inc(admitted.fresh.length, { what: 'observations' })
    if (admitted.stale > 0) m.repeats.inc(admitted.stale, { what: 'observations' })
    return {
      records: (await withStationNames(admitted.fresh, signal)).map((o) =>
        record(o, { key: observationKey(o), eventTime: o.timestamp }, 'observations', invalidUtf8),
      ),
      newest: admitted.newest,
    }
  }

  /**
   * Gives each observation its station's name: the observation's own `stationName`, else the
   * `name` of `/stations/{id}`, read once a day per station. A failed look-up leaves it null.
   */
  const withStationNames = async (observations: Observation[], signal: AbortSignal): Promise<Observation[]> => {
    if (!settings.stationNames) return observations
    const out: Observation[] = []
    for (const o of observations) {
      if (o.stationName !== null) {
        out.push(o)
        continue
      }
      let known = stationNames.get(o.station)
      if (known === undefined || known.until <= ctx.clock.now()) {
        const url = `${settings.baseUrl}/stations/${encodeURIComponent(o.station)}`
        try {
          m.requests.inc(1, { what: 'stations' })
          const res = await client.feature(url, signal)
          const name = 'body' in res ? res.body.properties.name : undefined
          known = { name: typeof name === 'string' && name !== '' ? name : null, until: ctx.clock.now() + 86_400_000 }
        } catch (err) {
          if (signal.aborted) throw err
          log.warn({ station: o.station, error: (err as Error).message }, 'station name not read; left null')
          known = { name: null, until: ctx.clock.now() + 600_000 }
        }
        stationNames.set(o.station, known)
      }
      out.push({ ...o, stationName: known.name })
    }
    return out
  }

  /**
   * Reads the observations of every station of a forecast zone. The zone is read from its newest
   * observation less an hour (stations report late); each station's observations are admitted
   * against that station's own newest, so one station's report is emitted once whichever way
   * (station or zone) it was read. Returns the records and the cursor entries to set once the
   * whole read succeeded.
   */
  const pollZone = async (
    zone: string,
    cursor: NoaaCursor,
    stations: Readonly<Record<string, string>>,
    modified: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ records: SourceRecord<Observation>[]; newest: Record<string, string> }> => {
    const zoneKey = `zone:${zone}`
    const previous = cursor.stations[zoneKey]
    const from = new Date(
      previous !== undefined ? Date.parse(previous) - ZONE_OVERLAP_MS : ctx.clock.now() - settings.initialLookbackMs,
    ).toISOString()
    const query = new URLSearchParams({ start: from, limit: String(settings.observationLimit) })
    const url = `${settings.baseUrl}/zones/forecast/${encodeURIComponent(zone)}/observations?${query}`
    const res = await read(url, 'observations', cursor, modified, signal)
    if (!('body' in res)) return { records: [], newest: {} }
    if (res.invalid) log.warn({ url, ...res.invalid }, 'NWS observations body holds bytes that are not UTF-8')
    const parsed = parseObservations(res.body.features, zone, url)
    const updates: Record<string, string> = {}
    reject(parsed.rejected, 'observations')
    const byStation = new Map<string, Observation[]>()
    for (const o of parsed.observations) byStation.set(o.station, [...(byStation.get(o.station) ?? []), o])
    const fresh: Observation[] = []
    let newest = previous
    for (const [station, list] of byStation) {
      const admitted = admitObservations(stations[station], from, list)
      if (admitted.newest !== undefined) updates[station] = admitted.newest
      if (admitted.stale > 0) m.repeats.inc(admitted.stale, { what: 'observations' })
      for (const o of admitted.fresh) fresh.push(o)
      if (admitted.newest !== undefined && (newest === undefined || admitted.newest > newest)) newest = admitted.newest
    }
    if (newest !== undefined) updates[zoneKey] = newest
    m.emitted.inc(fresh.length, { what: 'observations' })
    log.debug(
      { url, ms: res.ms, observations: parsed.observations.length, emitted: fresh.length },
      'NWS zone observations read',
    )
    const records = (await withStationNames(fresh, signal)).map((o) =>
      record(o, { key: observationKey(o), eventTime: o.timestamp }, 'observations', res.invalid !== undefined),
    )
    return { records, newest: updates }
  }

  /** Reads one gridpoint; emits its forecast when `updateTime` is later than the one emitted. */
  const pollGrid = async (
    gridpoint: string,
    cursor: NoaaCursor,
    modified: Record<string, string>,
    signal: AbortSignal,
  ): Promise<{ records: SourceRecord<GridpointForecast>[]; updateTime: string | undefined }> => {
    const previous = cursor.grids[gridpoint]
    const [wfo, xy] = gridpoint.split('/') as [string, string]
    const url = `${settings.baseUrl}/gridpoints/${encodeURIComponent(wfo)}/${xy}`
    m.requests.inc(1, { what: 'gridpoints' })
    const res = await client.feature(url, signal, cursor.modified[url])
    if (!('body' in res)) {
      m.notModified.inc(1, { what: 'gridpoints' })
      if (cursor.modified[url] !== undefined) modified[url] = cursor.modified[url]
      return { records: [], updateTime: previous }
    }
    if (res.lastModified !== undefined) modified[url] = res.lastModified
    const parsed = parseGridpoint(res.body.properties, gridpoint, settings.gridLayers)
    if ('problem' in parsed) {
      reject([{ reason: parsed.problem, input: res.body.properties, location: url }], 'gridpoints')
      return { records: [], updateTime: previous }
    }
    reject(
      parsed.rejected.map((r) => ({ reason: r.reason, input: r.input, location: `${r.layer} of ${url}` })),
      'gridpoints',
    )
    const f = parsed.forecast
    const ageMs = ctx.clock.now() - Date.parse(f.updateTime)
    if (ageMs > STALE_FORECAST_MS) {
      log.warn(
        { gridpoint, updateTime: f.updateTime, ageHours: Math.round(ageMs / 3_600_000) },
        'NWS gridpoint forecast looks stale',
      )
    }
    if (previous !== undefined && f.updateTime <= previous) {
      m.repeats.inc(1, { what: 'gridpoints' })
      return { records: [], updateTime: previous }
    }
    m.emitted.inc(1, { what: 'gridpoints' })
    if (res.invalid) log.warn({ url, ...res.invalid }, 'NWS gridpoint body holds bytes that are not UTF-8')
    return {
      records: [
        record(
          f,
          { key: `${gridpoint}:${f.updateTime}`, eventTime: f.updateTime },
          'gridpoints',
          res.invalid !== undefined,
        ),
      ],
      updateTime: f.updateTime,
    }
  }

  const pollAll = async (cursor: NoaaCursor, signal: AbortSignal): Promise<PollResult> => {
    const records: SourceRecord[] = []
    const modified: Record<string, string> = {}
    let alerts = { ...cursor.alerts }
    const stations = { ...cursor.stations }
    const grids = { ...cursor.grids }
    const forecastTimes = { ...cursor.forecasts }
    let firstError: unknown
    let succeeded = 0
    const attempt = async (what: string, work: () => Promise<void>): Promise<void> => {
      try {
        await work()
        succeeded++
      } catch (err) {
        if (err instanceof NwsBodyTooLargeError && !signal.aborted) {
          // Not retried: the same request brings the same body. Its part of the cursor stays, and
          // the dead letter says how large the answer was.
          m.oversize.inc(1, { what: what.split(' ')[0]! })
          log.warn(
            { url: err.url, size: err.size, bytesRead: err.bytesRead },
            'NWS answer over max_body_bytes dead-lettered',
          )
          ctx.reject({
            reason: err.message,
            input: { size: err.size, max_body_bytes: err.maxBytes, preview: err.preview },
            location: err.url,
          })
          succeeded++
          return
        }
        // A refused configuration or a stop ends the poll; a transient failure of one read leaves
        // its part of the cursor where it was and lets the others through.
        if (errorCode(err) !== 'ERR_RETRYABLE' || signal.aborted) throw err
        firstError ??= err
        const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs
        log.warn(
          { what, error: (err as Error).message, ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}) },
          'NWS read failed in this poll; its part of the cursor stays where it was, so a later poll (a retry, the next cycle, or with --once the next run) reads it again',
        )
      }
    }
    if (settings.alertsQuery !== undefined) {
      await attempt('alerts', async () => {
        const r = await pollAlerts(cursor, modified, signal)
        for (const rec of r.records) records.push(rec)
        alerts = r.seen
      })
    }
    for (const station of settings.stations) {
      await attempt(`station ${station}`, async () => {
        const r = await pollStation(station, cursor, modified, signal)
        for (const rec of r.records) records.push(rec)
        if (r.newest !== undefined) stations[station] = r.newest
      })
    }
    for (const zone of settings.zones) {
      await attempt(`zone ${zone}`, async () => {
        const r = await pollZone(zone, cursor, stations, modified, signal)
        for (const rec of r.records) records.push(rec)
        Object.assign(stations, r.newest)
      })
    }
    for (const point of settings.forecastPoints) {
      await attempt(`forecasts ${point}`, async () => {
        const r = await forecasts.poll(point, cursor, modified, signal)
        for (const rec of r.records) records.push(rec)
        Object.assign(forecastTimes, r.forecasts)
      })
    }
    for (const gridpoint of settings.gridpoints) {
      await attempt(`gridpoint ${gridpoint}`, async () => {
        const r = await pollGrid(gridpoint, cursor, modified, signal)
        for (const rec of r.records) records.push(rec)
        if (r.updateTime !== undefined) grids[gridpoint] = r.updateTime
      })
    }
    if (succeeded === 0 && firstError !== undefined) throw firstError
    // URLs that failed this poll keep their Last-Modified, so nothing is lost.
    for (const [url, lm] of Object.entries(cursor.modified)) {
      if (!(url in modified) && firstError !== undefined) modified[url] = lm
    }
    return { records, cursor: cursorJson({ v: 1, alerts, stations, grids, forecasts: forecastTimes, modified }) }
  }

  return {
    mode: 'pull',
    async poll(request: PollRequest): Promise<PollResult> {
      request.signal.throwIfAborted()
      const linked = linkSignals([request.signal, ctx.signal])
      try {
        const r = readCursor(request.cursor)
        if (r.problem) log.warn({ problem: r.problem }, 'ignoring the stored cursor; starting afresh')
        return await pollAll(r.cursor, linked.signal)
      } finally {
        linked.dispose()
      }
    },
    async close() {},
  }
}
