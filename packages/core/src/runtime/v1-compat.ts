/**
 * The seed's V1 compatibility facade: `new StreamManagerV1(...)` and
 * `startStreaming(connector, { sourceId, pollingIntervalSeconds })`, mapped onto
 * {@link StreamManager}. A source the config does not declare is added as a `real_time` source.
 */
import type { ConnectorInstance, Plugin } from '@firefront/sdk'
import type { SourceConfig } from '../config/schema'
import type { StreamManager } from './stream-manager'

/** The seed's V1 `StreamingConfig`. */
export interface StreamingConfig {
  readonly sourceId: string
  readonly pollingIntervalSeconds?: number
  /** Defaults to the source id. */
  readonly sourceType?: string
  readonly topic?: string
}

/** The V1 interface over a V2 manager. */
export class StreamManagerV1 {
  readonly manager: StreamManager

  constructor(manager: StreamManager) {
    this.manager = manager
  }

  /** Starts streaming `connector` as source `config.sourceId`; returns the stream id. */
  async startStreaming(connector: ConnectorInstance | Plugin<'connector'>, config: StreamingConfig): Promise<string> {
    const sources = this.manager.config.sources as Record<string, SourceConfig>
    if (!sources[config.sourceId]) {
      sources[config.sourceId] = {
        source_type: config.sourceType ?? config.sourceId,
        enabled: true,
        ...(config.topic ? { topic: config.topic } : {}),
        ingestion: {
          mode: 'real_time',
          polling_interval_seconds: config.pollingIntervalSeconds ?? 30,
        } as SourceConfig['ingestion'],
        rate_limit_per_minute: 60,
        timeout_seconds: 30,
        cache_ttl_seconds: 0,
        max_poll_retries: 3,
        config: {},
      }
    }
    return this.manager.startStream(config.sourceId, connector)
  }

  /** Stops one stream started by {@link startStreaming}. */
  stopStreaming(streamId: string): Promise<void> {
    return this.manager.stopStream(streamId)
  }

  /** Stops everything. */
  async stopAll(): Promise<void> {
    const report = await this.manager.stop()
    if (report.failures.length > 0) throw report.failures[0]!.error
  }
}
