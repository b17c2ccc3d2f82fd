/**
 * The metrics handle given to plugins, backed by prom-client: `firefront_plugin_<name>` with a
 * `plugin` label. Asking twice for one name returns the same instrument.
 */
import type { Counter, Gauge, Histogram, MetricsHandle } from '@firefront/sdk'
import client from 'prom-client'

const clean = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_')

/** Creates the plugin metrics handle for plugin `pluginId` in `registry`. */
export function createPluginMetrics(registry: client.Registry, pluginId: string): MetricsHandle {
  const get = <T extends client.Metric<string>>(name: string, make: (full: string) => T): T => {
    const full = `firefront_plugin_${clean(name)}`
    return (registry.getSingleMetric(full) as T | undefined) ?? make(full)
  }
  // Instruments are declared with the `plugin` label only, so other labels a plugin passes are ignored.
  const labels = (_extra?: Readonly<Record<string, string>>) => ({ plugin: pluginId })
  return {
    counter(name, help): Counter {
      const c = get(
        name,
        (full) => new client.Counter({ name: full, help: help ?? name, labelNames: ['plugin'], registers: [registry] }),
      )
      return { inc: (v = 1, l) => c.inc(labels(l), v) }
    },
    gauge(name, help): Gauge {
      const g = get(
        name,
        (full) => new client.Gauge({ name: full, help: help ?? name, labelNames: ['plugin'], registers: [registry] }),
      )
      return { set: (v, l) => g.set(labels(l), v) }
    },
    histogram(name, help): Histogram {
      const h = get(
        name,
        (full) =>
          new client.Histogram({ name: full, help: help ?? name, labelNames: ['plugin'], registers: [registry] }),
      )
      return { observe: (v, l) => h.observe(labels(l), v) }
    },
  }
}
