// A local plugin of the quickstart: replays bundled real API responses as if they were fetched,
// page by page, with a cursor — so the whole pipeline runs without network access.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ConnectorConfigError, defineConnector, Type } from '@firefront/sdk'
import { detectionKey, parseFirmsCsv } from '@firefront/connector-nasa-firms'

const ReplayConfig = Type.Object(
  {
    file: Type.String({ minLength: 1, description: 'file under data/, next to this module' }),
    format: Type.Union([Type.Literal('firms-csv'), Type.Literal('geojson')]),
    page_size: Type.Integer({ minimum: 1, default: 50 }),
    firms_source: Type.String({ default: 'VIIRS_NOAA20_NRT' }),
  },
  { additionalProperties: false },
)

/** GeoJSON features (alerts, observations) → records keyed by the feature id. */
function geojsonRecords(text, file) {
  const doc = JSON.parse(text)
  if (!doc || !Array.isArray(doc.features)) throw new ConnectorConfigError(`${file} is not a GeoJSON FeatureCollection`)
  return doc.features.map((f) => {
    const p = f.properties ?? {}
    const when = p.sent ?? p.timestamp
    const urgent = p.event === 'Red Flag Warning' || p.event === 'Fire Weather Watch'
    return {
      key: String(f.id ?? p.id ?? p['@id']),
      value: f,
      ...(typeof when === 'string' && !Number.isNaN(Date.parse(when))
        ? { eventTime: new Date(when).toISOString() }
        : {}),
      ...(urgent ? { priority: 'critical' } : {}),
    }
  })
}

export default defineConnector({
  name: 'replay',
  version: '1.0.0',
  description: 'replays a bundled API response, page by page',
  sourceTypes: ['replay'],
  configSchema: ReplayConfig,
  create(config, ctx) {
    let records
    const load = () => {
      if (records) return records
      const path = fileURLToPath(new URL(`./data/${config.file}`, import.meta.url))
      const text = readFileSync(path, 'utf8')
      if (config.format === 'geojson') {
        records = geojsonRecords(text, config.file)
      } else {
        const parsed = parseFirmsCsv(text, { source: config.firms_source })
        for (const bad of parsed.rejected)
          ctx.reject({ reason: bad.reason, input: bad.text, location: `row ${bad.row} of ${config.file}` })
        records = parsed.detections.map((d) => ({ key: detectionKey(d), value: d, eventTime: d.acq_datetime }))
      }
      return records
    }
    return {
      mode: 'pull',
      async poll({ cursor, signal }) {
        signal.throwIfAborted()
        const all = load()
        const from = typeof cursor === 'number' ? cursor : 0
        const page = all.slice(from, from + config.page_size)
        return { records: page, cursor: from + page.length, hasMore: from + page.length < all.length }
      },
    }
  },
})
