/**
 * The rule for the labels a plugin passes with a metric sample, shared by the runtime and the
 * test kit's fake context so a plugin's tests see what production does: label names follow
 * Prometheus (`[a-zA-Z_][a-zA-Z0-9_]*`, not `__`-prefixed), `plugin` is the runtime's own, and
 * every sample of one metric carries the same label names (fixed by its declaration or its first
 * sample).
 * @packageDocumentation
 */
import { FirefrontError } from './errors'
import type { MetricLabels } from './context'

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** The label names the runtime sets itself on plugin metrics. */
export const RESERVED_METRIC_LABELS: readonly string[] = ['plugin']

/** The sorted label names of a sample (none when `labels` is undefined). */
export const metricLabelNames = (labels: MetricLabels | undefined): string[] => Object.keys(labels ?? {}).sort()

/**
 * Checks a sample's labels against the metric's established label names (`undefined` on the
 * first sample of an undeclared metric) and returns the label names the metric has from now on.
 *
 * @throws FirefrontError `ERR_PLUGIN_INVALID` naming the metric and both label sets.
 */
export function checkMetricLabels(
  metric: string,
  established: readonly string[] | undefined,
  labels: MetricLabels | undefined,
): readonly string[] {
  const names = metricLabelNames(labels)
  for (const name of names) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new FirefrontError('ERR_PLUGIN_INVALID', `metric ${metric}: "${name}" is not a valid label name`)
    }
    if (RESERVED_METRIC_LABELS.includes(name)) {
      throw new FirefrontError('ERR_PLUGIN_INVALID', `metric ${metric}: the label "${name}" is set by the runtime`)
    }
  }
  if (established === undefined) return names
  if (names.length !== established.length || names.some((n, i) => n !== established[i])) {
    throw new FirefrontError(
      'ERR_PLUGIN_INVALID',
      `metric ${metric} has the labels [${established.join(', ')}]; a sample came with [${names.join(', ')}] (every sample of a metric carries the same label names)`,
    )
  }
  return established
}
