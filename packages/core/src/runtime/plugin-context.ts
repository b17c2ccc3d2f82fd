/** Builds the {@link PluginContext} each plugin instance receives. */
import type { Clock, FetchFn, Logger, PluginContext, RejectedInput, SourceInfo } from '@firefront/sdk'
import type client from 'prom-client'
import { createPluginMetrics } from '../observability/plugin-metrics'

/** What the runtime knows when it creates a plugin instance. */
export interface ContextParts {
  readonly id: string
  readonly logger: Logger
  readonly metricsRegistry: client.Registry
  readonly signal: AbortSignal
  readonly clock: Clock
  readonly source?: SourceInfo
  readonly fetch?: FetchFn
  readonly reject?: (input: RejectedInput) => void
  readonly skip?: (reason: string, count: number) => void
}

/** Creates a plugin context; `reject` defaults to logging the input as lost (only plugins without a source). */
export function createPluginContext(parts: ContextParts): PluginContext {
  const logger = parts.logger.child({ plugin: parts.id })
  return {
    id: parts.id,
    source: parts.source,
    logger,
    metrics: createPluginMetrics(parts.metricsRegistry, parts.id),
    signal: parts.signal,
    clock: parts.clock,
    fetch: parts.fetch ?? globalThis.fetch,
    reject:
      parts.reject ??
      ((input) =>
        logger.error(
          { reason: input.reason, location: input.location },
          'input rejected by a plugin that serves no source',
        )),
    skip: (reason, count = 1) => {
      if (parts.skip) parts.skip(reason, count)
      else logger.debug({ reason, count }, 'inputs skipped by a plugin that serves no source')
    },
  }
}
