/**
 * Records and cursors: what connectors hand to the runtime.
 * @packageDocumentation
 */

/** A JSON value: what a cursor, a record value and plugin state may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Priority levels of the runtime's queue, highest first. */
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const

/** One of {@link PRIORITIES}. `critical` is dequeued before `high`, and so on; FIFO within a level. */
export type Priority = (typeof PRIORITIES)[number]

/**
 * One record emitted by a connector.
 *
 * The runtime adds its own headers (source id and type, ingested-at, content type) when it sends
 * the record; the connector's own `headers` are kept alongside them.
 */
export interface SourceRecord<V = unknown> {
  /** Stable identity of the record, used as the Kafka message key (dedupe and compaction). */
  readonly key?: string
  /** The payload; serialised as JSON by the sinks. */
  readonly value: V
  /** When the observed event happened, as an ISO-8601 string in UTC. */
  readonly eventTime?: string
  /** Extra headers, carried to the sink as they are. */
  readonly headers?: Readonly<Record<string, string>>
  /** Overrides the source's priority for this record. */
  readonly priority?: Priority
  /** Overrides topic resolution for this record (the first step of the resolver chain). */
  readonly topic?: string
}

/**
 * Where a pull connector is in its source. Opaque to the runtime: it is stored as JSON after the
 * records it came with are acknowledged by the sink, and handed back to the next `poll`.
 */
export type Cursor = JsonValue

/** Identity of the configured source a plugin instance serves. */
export interface SourceInfo {
  /** The source's id: its key under `sources:` in the config file. */
  readonly sourceId: string
  /** The seed's `source_type` (e.g. `nasa_firms`, `noaa_weather`, `iot_mqtt`). */
  readonly sourceType: string
  /** The source's explicit `topic`, when configured. */
  readonly topic?: string
  /** The topic its connector suggests (`defaultTopic` of the connector manifest), when it has one. */
  readonly defaultTopic?: string
}
