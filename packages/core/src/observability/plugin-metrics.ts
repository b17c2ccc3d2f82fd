/**
 * The metrics handle given to plugins, backed by prom-client: `firefront_plugin_<name>` (a counter's
 * name gets `_total` when it lacks it) with the
 * `plugin` label and the labels the plugin passes (declared up front, or fixed by the first
 * sample; the SDK's `checkMetricLabels` is the one rule). Asking twice for one name returns the
 * same instrument, across plugin instances too.
 */
import {
  type Counter,
  checkMetricLabels,
  type Gauge,
  type Histogram,
  type MetricLabels,
  type MetricsHandle,
} from '@firefront/sdk'
import client from 'prom-client'

const clean = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_')

/** The exported name: prefixed, and a counter ends in `_total` (Prometheus convention) even when its plugin forgot. */
export const pluginMetricName = (kind: Kind, name: string): string => {
  const base = `firefront_plugin_${clean(name)}`
  return kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base
}

/** The kinds of plugin metric. */
export type Kind = 'counter' | 'gauge' | 'histogram'
type Instrument = client.Counter<string> | client.Gauge<string> | client.Histogram<string>

/** The label names each plugin metric was created with (instruments are shared by name). */
const labelNamesOf = new WeakMap<Instrument, readonly string[]>()

function instrument(
  registry: client.Registry,
  kind: Kind,
  name: string,
  help: string | undefined,
  labelNames: readonly string[],
): Instrument {
  const full = pluginMetricName(kind, name)
  const existing = registry.getSingleMetric(full) as Instrument | undefined
  if (existing) {
    checkMetricLabels(full, labelNamesOf.get(existing), Object.fromEntries(labelNames.map((l) => [l, ''])))
    return existing
  }
  const options = { name: full, help: help ?? name, labelNames: ['plugin', ...labelNames], registers: [registry] }
  const made =
    kind === 'counter'
      ? new client.Counter(options)
      : kind === 'gauge'
        ? new client.Gauge(options)
        : new client.Histogram(options)
  labelNamesOf.set(made, labelNames)
  return made
}

/** Creates the plugin metrics handle for plugin `pluginId` in `registry`. */
export function createPluginMetrics(registry: client.Registry, pluginId: string): MetricsHandle {
  /** An instrument made at its declaration (with label names) or at its first sample. */
  const lazy = (kind: Kind, name: string, help: string | undefined, declared: readonly string[] | undefined) => {
    let made: Instrument | undefined =
      declared === undefined ? undefined : instrument(registry, kind, name, help, [...declared].sort())
    return (labels: MetricLabels | undefined): { target: Instrument; labels: Record<string, string> } => {
      const full = pluginMetricName(kind, name)
      const names = checkMetricLabels(full, made ? labelNamesOf.get(made) : undefined, labels)
      made ??= instrument(registry, kind, name, help, names)
      return { target: made, labels: { ...labels, plugin: pluginId } }
    }
  }
  return {
    counter(name, help, labelNames): Counter {
      const at = lazy('counter', name, help, labelNames)
      return {
        inc: (v = 1, l) => {
          const { target, labels } = at(l)
          ;(target as client.Counter<string>).inc(labels, v)
        },
      }
    },
    gauge(name, help, labelNames): Gauge {
      const at = lazy('gauge', name, help, labelNames)
      return {
        set: (v, l) => {
          const { target, labels } = at(l)
          ;(target as client.Gauge<string>).set(labels, v)
        },
      }
    },
    histogram(name, help, labelNames): Histogram {
      const at = lazy('histogram', name, help, labelNames)
      return {
        observe: (v, l) => {
          const { target, labels } = at(l)
          ;(target as client.Histogram<string>).observe(labels, v)
        },
      }
    },
  }
}
