/**
 * Rewrites the generated tables of docs/metrics.md from the metrics the exporter registers. A test
 * fails when the file drifts: run `npm run metrics:write` after adding or changing a metric.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { withMetricsReference } from '../packages/core/src/observability/metrics-reference'

const file = fileURLToPath(new URL('../docs/metrics.md', import.meta.url))
writeFileSync(file, await withMetricsReference(readFileSync(file, 'utf8')))
console.log('wrote the reference tables of docs/metrics.md')
