/**
 * Reads the text forecasts of configured points: `/points/{lat},{lon}` once a day (cached, as
 * NWS asks: points metadata change rarely), then the gridpoint's `/forecast` and
 * `/forecast/hourly` and the fire-weather zone's `/zones/fire/{zone}/forecast`, each with
 * If-Modified-Since, emitting a forecast when its update time is later than the one emitted.
 * A fire-weather zone for which NWS offers no forecast (HTTP 404) is skipped and counted.
 */
import { type Counter, type Logger, type SourceRecord, errorCode } from '@firefront/sdk'
import type { CollectionResponse, Feature, NwsClient } from './client'
import type { NoaaSettings } from './config'
import type { NoaaCursor } from './cursor'
import type { InvalidField } from './fields'
import {
  type PointInfo,
  type TextForecast,
  type ZoneForecast,
  parsePoint,
  parseTextForecast,
  parseZoneForecast,
} from './forecasts'

/** A forecast older than this is logged as stale (NWS updates them several times a day). */
const STALE_FORECAST_MS = 12 * 3_600_000

/** What the forecast reader needs from the connector. */
export interface ForecastDeps {
  readonly client: NwsClient
  readonly settings: NoaaSettings
  readonly log: Logger
  readonly now: () => number
  readonly metrics: {
    readonly requests: Counter
    readonly notModified: Counter
    readonly emitted: Counter
    readonly repeats: Counter
  }
  /** Makes the record of a value (flagged when it is not exactly what NWS sent). */
  readonly record: <V extends { readonly invalidFields?: readonly InvalidField[] }>(
    value: V,
    base: Omit<SourceRecord<V>, 'value' | 'headers'>,
    what: string,
    invalidUtf8: boolean,
  ) => SourceRecord<V>
  readonly reject: (items: readonly { reason: string; input: unknown; location: string }[], what: string) => void
  /** Counts inputs left out on purpose. */
  readonly skip: (reason: string) => void
}

/** The result of one point's poll. */
export interface PointPoll {
  readonly records: SourceRecord[]
  /** Cursor entries (`forecasts`) to set. */
  readonly forecasts: Record<string, string>
}

/** Reads the text forecasts of points; keeps the `/points` answers for `pointsCacheMs`. */
export class TextForecastReader {
  private readonly points = new Map<string, { info: PointInfo; until: number }>()
  private readonly noZoneForecast = new Set<string>()

  constructor(private readonly d: ForecastDeps) {}

  /** The grid and zones of `point`, from the cache or `/points`. */
  async lookUp(point: string, signal: AbortSignal): Promise<PointInfo | undefined> {
    const cached = this.points.get(point)
    if (cached && cached.until > this.d.now()) return cached.info
    const url = `${this.d.settings.baseUrl}/points/${point}`
    this.d.metrics.requests.inc(1, { what: 'points' })
    const res = await this.d.client.feature(url, signal)
    if (!('body' in res)) return cached?.info
    const info = parsePoint(res.body.properties, point)
    if ('problem' in info) {
      this.d.reject([{ reason: info.problem, input: res.body.properties, location: url }], 'points')
      return undefined
    }
    this.points.set(point, { info, until: this.d.now() + this.d.settings.pointsCacheMs })
    this.d.log.info(
      { point, office: info.office, gridX: info.gridX, gridY: info.gridY, fireWeatherZone: info.fireWeatherZone },
      'NWS point looked up',
    )
    return info
  }

  /** Reads every forecast of one point. */
  async poll(
    point: string,
    cursor: NoaaCursor,
    modified: Record<string, string>,
    signal: AbortSignal,
  ): Promise<PointPoll> {
    const out: PointPoll = { records: [], forecasts: {} }
    const info = await this.lookUp(point, signal)
    if (!info) return out
    const grid = `${info.office}/${info.gridX},${info.gridY}`
    const base = `${this.d.settings.baseUrl}/gridpoints/${encodeURIComponent(info.office)}/${info.gridX},${info.gridY}`
    const units = `units=${this.d.settings.forecastUnits}`
    const types: ['periods' | 'hourly', string][] = [['periods', `${base}/forecast?${units}`]]
    if (this.d.settings.forecastHourly) types.push(['hourly', `${base}/forecast/hourly?${units}`])
    for (const [type, url] of types) {
      const key = `${grid}:${type}`
      const res = await this.get(url, 'forecasts', cursor, modified, signal)
      if (!res) continue
      const f = parseTextForecast(res.body.properties, info, type)
      if ('problem' in f) {
        this.d.reject([{ reason: f.problem, input: res.body.properties, location: url }], 'forecasts')
        continue
      }
      this.staleCheck(key, f.updateTime)
      const emitted = this.admit(key, f.updateTime, cursor, out, 'forecasts')
      if (emitted) {
        out.records.push(
          this.d.record<TextForecast>(
            f,
            { key: `${key}:${f.updateTime}`, eventTime: f.updateTime },
            'forecasts',
            res.invalid !== undefined,
          ),
        )
      }
    }
    const zone = info.fireWeatherZone
    if (this.d.settings.fireZoneForecasts && zone !== null && !this.noZoneForecast.has(zone)) {
      const url = `${this.d.settings.baseUrl}/zones/fire/${encodeURIComponent(zone)}/forecast`
      let res: Extract<CollectionResponse<Feature>, { body: Feature }> | undefined
      try {
        res = await this.get(url, 'fire-zone-forecasts', cursor, modified, signal)
      } catch (err) {
        // NWS answers 404 for zones it has no forecast for: not offered, not a broken configuration.
        if (errorCode(err) !== 'ERR_CONNECTOR_CONFIG' || !/\(HTTP 404\)/.test((err as Error).message)) throw err
        this.noZoneForecast.add(zone)
        this.d.skip('fire_zone_forecast_not_offered')
        this.d.log.info({ zone, url }, 'NWS offers no forecast for this fire-weather zone; not asked again this run')
        return out
      }
      if (!res) return out
      const f = parseZoneForecast(res.body.properties, zone)
      if ('problem' in f) {
        this.d.reject([{ reason: f.problem, input: res.body.properties, location: url }], 'fire-zone-forecasts')
        return out
      }
      const key = `fire/${zone}`
      if (this.admit(key, f.updated, cursor, out, 'fire-zone-forecasts')) {
        out.records.push(
          this.d.record<ZoneForecast>(
            f,
            { key: `${key}:${f.updated}`, eventTime: f.updated },
            'fire-zone-forecasts',
            res.invalid !== undefined,
          ),
        )
      }
    }
    return out
  }

  /** A conditional GET of a Feature; undefined when it was not modified. */
  private async get(
    url: string,
    what: string,
    cursor: NoaaCursor,
    modified: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Extract<CollectionResponse<Feature>, { body: Feature }> | undefined> {
    this.d.metrics.requests.inc(1, { what })
    const previous = cursor.modified[url]
    const res = await this.d.client.feature(url, signal, previous)
    if (!('body' in res)) {
      this.d.metrics.notModified.inc(1, { what })
      if (previous !== undefined) modified[url] = previous
      return undefined
    }
    if (res.lastModified !== undefined) modified[url] = res.lastModified
    return res
  }

  /** True when `time` is later than the one emitted under `key`; notes it in `out`. */
  private admit(key: string, time: string, cursor: NoaaCursor, out: PointPoll, what: string): boolean {
    const before = cursor.forecasts[key]
    if (before !== undefined && time <= before) {
      this.d.metrics.repeats.inc(1, { what })
      return false
    }
    out.forecasts[key] = time
    this.d.metrics.emitted.inc(1, { what })
    return true
  }

  private staleCheck(key: string, updateTime: string): void {
    const ageMs = this.d.now() - Date.parse(updateTime)
    if (ageMs > STALE_FORECAST_MS) {
      this.d.log.warn(
        { forecast: key, updateTime, ageHours: Math.round(ageMs / 3_600_000) },
        'NWS forecast looks stale',
      )
    }
  }
}
