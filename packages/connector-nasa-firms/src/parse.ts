/**
 * FIRMS CSV → typed detections. Pure: no I/O, no clock. The column set is read from the header
 * line, never assumed from the SOURCE name (VIIRS, MODIS, SP's `type`, the country API's leading
 * `country_id`, LANDSAT's own set, and any column FIRMS adds later).
 */
import { FirefrontError } from '@firefront/sdk'
import { type CsvEngine, forEachCsvRecord } from './csv'
import { dayStartMs } from './dates'

/** Confidence on one scale for every instrument. */
export type ConfidenceLevel = 'low' | 'nominal' | 'high'

/**
 * One fire detection. Field names are the FIRMS column names, so the FIRMS attribute
 * documentation applies as it is; only columns present in the file appear. Numbers are numbers
 * (`null` when the cell is empty); `version` stays an opaque string (`2.0NRT`, `2`, `61.03`).
 */
export interface FirmsDetection {
  /** The FIRMS SOURCE that was queried (e.g. `VIIRS_SNPP_NRT`); `null` when the caller did not say. */
  source: string | null
  /** ISO-3 country code (country API only). */
  country_id?: string | null
  /** Centre of the fire pixel, decimal degrees. */
  latitude: number
  longitude: number
  /** VIIRS I-4 / I-5 brightness temperatures, K. */
  bright_ti4?: number | null
  bright_ti5?: number | null
  /** MODIS channel 21/22 and 31 brightness temperatures, K. */
  brightness?: number | null
  bright_t31?: number | null
  /** Pixel size along scan and track. */
  scan?: number | null
  track?: number | null
  /** LANDSAT WRS-2 path and row. */
  path?: number | null
  row?: number | null
  /** Acquisition date, UTC, `YYYY-MM-DD`. */
  acq_date: string
  /** Acquisition time, UTC, `HHMM` zero-padded (the API prints `241` for 02:41; this holds `0241`). */
  acq_time: string
  /** `acq_date` + `acq_time` as ISO-8601 UTC, e.g. `2026-10-01T02:41:00Z`. */
  acq_datetime: string
  /** Platform as FIRMS prints it: `N`, `N20`, `N21`, `1`, `Terra`, `Aqua`, `A`, `T`, `L8`, `L9`… */
  satellite?: string | null
  instrument?: string | null
  /** Confidence as FIRMS prints it: `l`/`n`/`h` (VIIRS), 0–100 (MODIS, a number), `L`/`M`/`H` (LANDSAT). */
  confidence?: string | number | null
  /** `confidence` on one scale; `null` when it is missing or not recognised. */
  confidence_level: ConfidenceLevel | null
  version?: string | null
  /** Fire radiative power, MW. */
  frp?: number | null
  /** `D` or `N`. */
  daynight?: string | null
  /** SP only: 0 vegetation fire, 1 active volcano, 2 other static land source, 3 offshore. */
  type?: number | null
  /** Columns this parser does not know, kept as the strings FIRMS printed. */
  extra?: Record<string, string>
}

/** A row that could not become a detection. */
export interface RejectedRow {
  readonly reason: string
  /** The row's text as it was. */
  readonly input: string
  /** 1-based data row number (the header is row 0). */
  readonly row: number
}

/** What {@link parseFirmsCsv} returns. */
export interface FirmsParseResult {
  /** Header column names, lower-cased. */
  readonly columns: readonly string[]
  readonly detections: FirmsDetection[]
  readonly rejected: RejectedRow[]
}

/** Options of {@link parseFirmsCsv}. */
export interface ParseOptions {
  /** The FIRMS SOURCE queried; goes into each detection and its key. */
  readonly source?: string
  /** CSV reader; `auto` unless comparing engines. */
  readonly engine?: CsvEngine
  /**
   * Checks each line's text before it is read (the header included); a reason rejects that row
   * (or, for the header, the body). Used for rows whose bytes were not valid UTF-8.
   */
  readonly checkLine?: (line: string) => string | undefined
}

/** The body is not FIRMS CSV (an HTML page, an error text, a header without the needed columns). */
export class FirmsFormatError extends FirefrontError {
  constructor(message: string) {
    super('ERR_INPUT_REJECTED', message)
  }
}

/** True when `line` looks like a FIRMS CSV header (`latitude,…` or `country_id,…`). */
export function isFirmsHeader(line: string): boolean {
  const first = line
    .replace(/^\uFEFF/, '')
    .split(',', 1)[0]!
    .trim()
    .toLowerCase()
  return first === 'latitude' || first === 'country_id'
}

type Kind = 'lat' | 'lon' | 'date' | 'time' | 'num' | 'str' | 'conf' | 'extra'

const KINDS: Record<string, Kind> = {
  latitude: 'lat',
  longitude: 'lon',
  acq_date: 'date',
  acq_time: 'time',
  confidence: 'conf',
  bright_ti4: 'num',
  bright_ti5: 'num',
  brightness: 'num',
  bright_t31: 'num',
  scan: 'num',
  track: 'num',
  frp: 'num',
  path: 'num',
  row: 'num',
  type: 'num',
  country_id: 'str',
  satellite: 'str',
  instrument: 'str',
  version: 'str',
  daynight: 'str',
}

const REQUIRED = ['latitude', 'longitude', 'acq_date', 'acq_time'] as const

/** MODIS detection confidence (%) at which the nominal and the high class begin. */
export const MODIS_CONFIDENCE_CLASSES = { nominalFrom: 30, highFrom: 80 } as const

/**
 * Maps a raw confidence to its level: letters for VIIRS (`l`/`n`/`h`) and LANDSAT (`L`/`M`/`H`),
 * 0–100 for MODIS. The MODIS classes are those of the MODIS Collection 6 Active Fire Product
 * User's Guide (Giglio, Schroeder, Hall and Justice; the guide FIRMS's FAQ and its attribute page
 * point to for the confidence field): low 0 ≤ C < 30 %, nominal 30 ≤ C < 80 %, high 80 ≤ C ≤ 100 %.
 * FIRMS's attribute page says each detection "is assigned one of the three fire classes (low-
 * confidence fire, nominal-confidence fire, or high-confidence fire)". A number outside 0–100 has
 * no class (null).
 */
export function confidenceLevel(raw: string | number | null): ConfidenceLevel | null {
  if (raw === null) return null
  if (typeof raw === 'number') {
    if (!(raw >= 0 && raw <= 100)) return null
    const { nominalFrom, highFrom } = MODIS_CONFIDENCE_CLASSES
    return raw < nominalFrom ? 'low' : raw < highFrom ? 'nominal' : 'high'
  }
  switch (raw.trim().toLowerCase()) {
    case 'l':
    case 'low':
      return 'low'
    case 'n':
    case 'nominal':
    case 'm': // LANDSAT: medium
    case 'medium':
      return 'nominal'
    case 'h':
    case 'high':
      return 'high'
    default:
      return null
  }
}

const INTEGER = /^\d+$/
const TIME = /^(\d{1,4})$|^(\d{1,2}):(\d{2})$/

interface TimeOfDay {
  readonly hhmm: string
  /** `HH:MM` */
  readonly clock: string
}

function parseTime(raw: string): TimeOfDay | undefined {
  const m = TIME.exec(raw.trim())
  if (!m) return undefined
  // FIRMS prints HHMM without leading zeros (`241` is 02:41): left-pad to four digits.
  const digits = m[1] !== undefined ? m[1].padStart(4, '0') : `${m[2]!.padStart(2, '0')}${m[3]}`
  if (Number(digits.slice(0, 2)) > 23 || Number(digits.slice(2)) > 59) return undefined
  return { hhmm: digits, clock: `${digits.slice(0, 2)}:${digits.slice(2)}` }
}

/**
 * Parses a FIRMS CSV body (area or country API, any source) into typed detections.
 *
 * Rows that cannot be read (wrong column count, non-numeric or out-of-range latitude/longitude,
 * a bad date or time, text in a numeric column) are returned in `rejected` with the reason; the
 * rest of the file is still read. A header-only body gives zero detections. Throws
 * {@link FirmsFormatError} when the first line is not a FIRMS header.
 */
export function parseFirmsCsv(text: string, options: ParseOptions = {}): FirmsParseResult {
  const source = options.source ?? null
  const detections: FirmsDetection[] = []
  const rejected: RejectedRow[] = []
  let columns: string[] | undefined
  let kinds: Kind[] = []
  let interned: (Map<string, string> | undefined)[] = []
  const days = new Map<string, number | undefined>()
  const times = new Map<string, TimeOfDay | undefined>()
  // FIRMS lists rows grouped by acquisition time, so the previous row's time strings are reused.
  let lastDate = ''
  let lastTime = ''
  let lastEventTime = ''
  let lastPadded = ''

  forEachCsvRecord(
    text,
    (fields, line, index, problem) => {
      const altered = options.checkLine?.(line)
      if (columns === undefined) {
        if (altered !== undefined) throw new FirmsFormatError(`FIRMS CSV header: ${altered}`)
        if (fields === null || !isFirmsHeader(fields.join(','))) {
          throw new FirmsFormatError(`not a FIRMS CSV body: first line is ${JSON.stringify(snippet(line))}`)
        }
        columns = fields.map(
          (f, i) =>
            f
              .replace(/^\uFEFF/, '')
              .trim()
              .toLowerCase() || `column_${i + 1}`,
        )
        const missing = REQUIRED.filter((c) => !columns!.includes(c))
        if (missing.length > 0) {
          throw new FirmsFormatError(`FIRMS CSV header lacks ${missing.join(', ')}: ${JSON.stringify(snippet(line))}`)
        }
        kinds = columns.map((c) => KINDS[c] ?? 'extra')
        interned = kinds.map((k) => (k === 'str' || k === 'conf' ? new Map<string, string>() : undefined))
        return
      }
      if (altered !== undefined) {
        rejected.push({ reason: altered, input: line, row: index })
        return
      }
      if (fields === null) {
        rejected.push({ reason: problem ?? 'unreadable CSV record', input: line, row: index })
        return
      }
      if (fields.length !== kinds.length) {
        rejected.push({ reason: `expected ${kinds.length} columns, got ${fields.length}`, input: line, row: index })
        return
      }
      const d = newDetection()
      d.source = source
      let date = ''
      let timeRaw = ''
      let extra: Record<string, string> | undefined
      let confidence: string | number | null = null
      let reason: string | undefined
      cells: for (let i = 0; i < kinds.length; i++) {
        const raw = fields[i]!
        const name = columns[i]!
        switch (kinds[i]) {
          case 'lat':
          case 'lon': {
            const n = raw === '' ? Number.NaN : Number(raw)
            const lat = kinds[i] === 'lat'
            if (!Number.isFinite(n)) {
              reason = `${name} ${JSON.stringify(raw)} is not a number`
              break cells
            }
            if (lat ? n < -90 || n > 90 : n < -180 || n > 180) {
              reason = `${name} ${raw} is out of range`
              break cells
            }
            d[name] = n
            break
          }
          case 'date':
            date = raw.trim()
            d[name] = date
            break
          case 'time':
            timeRaw = raw
            d[name] = raw // replaced by the padded HHMM below; set here to keep the column order
            break
          case 'num':
            if (raw === '') d[name] = null
            else {
              const n = Number(raw)
              if (!Number.isFinite(n)) {
                reason = `${name} ${JSON.stringify(raw)} is not a number`
                break cells
              }
              d[name] = n
            }
            break
          case 'str':
            d[name] = raw === '' ? null : intern(interned[i]!, raw)
            break
          case 'conf':
            confidence = raw === '' ? null : INTEGER.test(raw) ? Number(raw) : intern(interned[i]!, raw)
            d[name] = confidence
            break
          default:
            if (extra === undefined) extra = {}
            extra[name] = raw
        }
      }
      if (reason === undefined && (date !== lastDate || timeRaw !== lastTime)) {
        let dayMs = days.get(date)
        if (dayMs === undefined && !days.has(date)) {
          dayMs = dayStartMs(date)
          days.set(date, dayMs)
        }
        let time = times.get(timeRaw)
        if (time === undefined && !times.has(timeRaw)) {
          time = parseTime(timeRaw)
          times.set(timeRaw, time)
        }
        if (dayMs === undefined) reason = `acq_date ${JSON.stringify(date)} is not a date (YYYY-MM-DD)`
        else if (time === undefined) reason = `acq_time ${JSON.stringify(timeRaw)} is not a time (HHMM)`
        else {
          lastDate = date
          lastTime = timeRaw
          lastEventTime = `${date}T${time.clock}:00Z`
          lastPadded = time.hhmm
        }
      }
      if (reason !== undefined) {
        rejected.push({ reason, input: line, row: index })
        return
      }
      d.acq_date = lastDate // the shared copy: one string for the many rows of a minute
      d.acq_time = lastPadded
      d.acq_datetime = lastEventTime
      d.confidence_level = confidenceLevel(confidence)
      if (extra !== undefined) d.extra = extra
      detections.push(d as unknown as FirmsDetection)
    },
    options.engine,
  )
  if (columns === undefined) throw new FirmsFormatError('not a FIRMS CSV body: it is empty')
  return { columns, detections, rejected }
}

/**
 * Makes the (empty) object each detection is built in. V8 sizes the objects a constructor makes
 * from the `this.x =` assignments in its body: the branch below never runs, but it reserves
 * in-object room for every FIRMS column, so the parser's property stores never spill into a
 * separate property array (less memory per detection and less garbage collection; see the
 * firms-parse benchmark). The prototype is `Object.prototype`, so detections are plain objects
 * with only the properties the parser sets.
 */
function Detection(this: Record<string, unknown>, reserve?: boolean): void {
  if (reserve) {
    this.source = null
    this.country_id = null
    this.latitude = null
    this.longitude = null
    this.bright_ti4 = null
    this.bright_ti5 = null
    this.brightness = null
    this.bright_t31 = null
    this.scan = null
    this.track = null
    this.path = null
    this.row = null
    this.acq_date = null
    this.acq_time = null
    this.satellite = null
    this.instrument = null
    this.confidence = null
    this.version = null
    this.frp = null
    this.daynight = null
    this.type = null
    this.acq_datetime = null
    this.confidence_level = null
    this.extra = null
  }
}
Detection.prototype = Object.prototype
const newDetection = (): Record<string, unknown> => new (Detection as unknown as new () => Record<string, unknown>)()

function intern(map: Map<string, string>, raw: string): string {
  const hit = map.get(raw)
  if (hit !== undefined) return hit
  if (map.size < 256) map.set(raw, raw)
  return raw
}

/**
 * The stable identity of a detection: `<source>:<YYYY-MM-DDTHH:MMZ>:<satellite>:<latitude>:<longitude>`,
 * e.g. `VIIRS_NOAA20_NRT:2026-09-25T07:18Z:N20:8.11408:80.98805`. The same detection read again
 * (a later poll, the area or the country API) gets the same key.
 */
export function detectionKey(d: FirmsDetection): string {
  return `${d.source ?? ''}:${d.acq_datetime.slice(0, 16)}Z:${pixelKey(d)}`
}

/** The part of {@link detectionKey} after the time: what tells detections of one minute apart. */
export function pixelKey(d: FirmsDetection): string {
  return `${d.satellite ?? ''}:${d.latitude}:${d.longitude}`
}

function snippet(line: string): string {
  const flat = line.replace(/\s+/g, ' ').trim()
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat
}
