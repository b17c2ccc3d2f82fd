/**
 * The peers benchmark's source: a pull connector that generates `total` detections in polls of
 * `per_poll`, written only against @firefront/sdk like any third-party plugin. It does no I/O, so
 * the source is never what limits the run. Bundled to `.mjs` at bench start and declared in the
 * run's config by relative path.
 */
import { defineConnector, type SourceRecord, Type } from '@firefront/sdk'
import { firmsRecord, SOURCE_TYPE } from './records'

export default defineConnector({
  name: 'peers-bench',
  version: '1.0.0',
  sourceTypes: [SOURCE_TYPE],
  configSchema: Type.Object({ total: Type.Integer({ minimum: 0 }), per_poll: Type.Integer({ minimum: 1 }) }),
  create: (config) => ({
    mode: 'pull',
    async poll({ cursor }) {
      const from = typeof cursor === 'number' ? cursor : 0
      const until = Math.min(config.total, from + config.per_poll)
      const records: SourceRecord[] = []
      for (let n = from; n < until; n++) records.push(firmsRecord(n))
      return { records, cursor: until, hasMore: until < config.total }
    },
  }),
})
