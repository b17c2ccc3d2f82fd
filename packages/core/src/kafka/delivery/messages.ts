/**
 * Turns sink records into Kafka messages (key, JSON value, headers) and dead-letter messages.
 * Pure: no kafkajs here, so spooled messages and tests use the same shape.
 */
import { HEADERS, type SinkRecord } from '@firefront/sdk'

/** Header names the sink writes: the SDK's, declared once. */
export { HEADERS }

/** The content type of every value the sink writes. */
export const CONTENT_TYPE = 'application/json'

/** Error codes the sink itself puts in `firefront.error.code` (the broker's types are used as they are). */
export const SINK_ERROR_CODES = {
  serialization: 'SERIALIZATION_FAILED',
  tooLarge: 'RECORD_TOO_LARGE',
} as const

/** A message ready for Kafka, in a form that is also written to the spool as JSON. */
export interface OutMessage {
  readonly key: string | null
  /** The JSON text of the record's value. */
  readonly value: string
  readonly headers: Readonly<Record<string, string>>
  /** Epoch milliseconds as a string (kafkajs' form): when the runtime accepted the record. */
  readonly timestamp: string
}

/** A record that cannot be sent to its topic as it is. */
export interface PoisonRecord {
  readonly message: OutMessage
  readonly code: string
  readonly error: string
}

/** Where a batch came from and goes. */
export interface BatchMeta {
  readonly topic: string
  readonly sourceId: string
  readonly sourceType: string
}

/** What {@link prepareMessages} made of a batch: messages to send, in order, and records to dead-letter. */
export interface PreparedBatch {
  readonly messages: OutMessage[]
  readonly poison: PoisonRecord[]
  /** Bytes of the messages (headers and keys counted in characters: exact for ASCII). */
  readonly bytes: number
}

/** Bytes a message takes on the wire, near enough for the size check (key, value, headers). */
export function messageBytes(m: OutMessage): number {
  let n = Buffer.byteLength(m.value) + (m.key === null ? 0 : Buffer.byteLength(m.key))
  for (const [k, v] of Object.entries(m.headers)) n += Buffer.byteLength(k) + Buffer.byteLength(v)
  return n
}

/**
 * JSON for any value: BigInt becomes a string of its digits, a cycle `"[Circular]"`, undefined
 * and functions `null`. Used for the dead-letter copy of a value that `JSON.stringify` refuses.
 */
export function safeJson(value: unknown): string {
  const ancestors: unknown[] = []
  const walk = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString()
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return null
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
    if (v === null || typeof v !== 'object') return v
    if (ancestors.includes(v)) return '[Circular]'
    const withJson = v as { toJSON?: () => unknown }
    if (typeof withJson.toJSON === 'function') {
      try {
        return walk(withJson.toJSON())
      } catch (err) {
        return `[toJSON threw: ${err instanceof Error ? err.message : String(err)}]`
      }
    }
    ancestors.push(v)
    try {
      if (Array.isArray(v)) return v.map(walk)
      if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), walk(x)]))
      if (v instanceof Set) return [...v].map(walk)
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(v)) {
        try {
          out[key] = walk((v as Record<string, unknown>)[key])
        } catch (err) {
          out[key] = `[unreadable: ${err instanceof Error ? err.message : String(err)}]`
        }
      }
      return out
    } finally {
      ancestors.pop()
    }
  }
  try {
    return JSON.stringify(walk(value)) ?? 'null'
  } catch (err) {
    return JSON.stringify(`[unserialisable: ${err instanceof Error ? err.message : String(err)}]`)
  }
}

interface Built {
  readonly headers: Readonly<Record<string, string>>
  /** Characters of the header names and values (bytes for ASCII, which they nearly always are). */
  readonly chars: number
}

function headersOf(record: SinkRecord, sourceId: string, sourceType: string): Built {
  const headers: Record<string, string> = {}
  let chars = 0
  // The record's own headers first: the sink's names below win over a clash.
  if (record.headers) {
    for (const k in record.headers) {
      const v = String(record.headers[k])
      headers[k] = v
      chars += k.length + v.length
    }
  }
  headers[HEADERS.sourceId] = sourceId
  headers[HEADERS.sourceType] = sourceType
  chars += HEADERS.sourceId.length + sourceId.length + HEADERS.sourceType.length + sourceType.length
  if (record.eventTime) {
    headers[HEADERS.eventTime] = record.eventTime
    chars += HEADERS.eventTime.length + record.eventTime.length
  }
  headers[HEADERS.ingestedAt] = record.ingestedAt
  headers[HEADERS.contentType] = CONTENT_TYPE
  chars += HEADERS.ingestedAt.length + record.ingestedAt.length + HEADERS.contentType.length + CONTENT_TYPE.length
  return { headers: Object.freeze(headers), chars }
}

/**
 * Headers and timestamps for the records of one batch. Records of one poll share their source,
 * usually their event time and often their ingestion time; a record whose header inputs are the
 * previous one's gets the same (frozen) headers object, and an ingestion time already parsed is
 * not parsed again. Records with headers of their own always get their own object.
 */
class BatchHeaders {
  #last: Built | undefined
  #lastSourceId = ''
  #lastSourceType = ''
  #lastEventTime: string | undefined
  #lastIngestedAt = ''
  #lastTimestamp = ''
  readonly #meta: BatchMeta
  readonly #fallback: string

  constructor(meta: BatchMeta, now: number) {
    this.#meta = meta
    this.#fallback = String(now)
  }

  headers(record: SinkRecord): Built {
    const sourceId = record.sourceId || this.#meta.sourceId
    const sourceType = record.sourceType || this.#meta.sourceType
    if (record.headers) return headersOf(record, sourceId, sourceType)
    const last = this.#last
    if (
      last !== undefined &&
      sourceId === this.#lastSourceId &&
      sourceType === this.#lastSourceType &&
      record.eventTime === this.#lastEventTime &&
      record.ingestedAt === this.#lastIngestedAt
    ) {
      return last
    }
    const built = headersOf(record, sourceId, sourceType)
    this.#last = built
    this.#lastSourceId = sourceId
    this.#lastSourceType = sourceType
    this.#lastEventTime = record.eventTime
    return built
  }

  /** Epoch milliseconds as a string: when the runtime accepted the record. */
  timestamp(record: SinkRecord): string {
    if (record.ingestedAt === this.#lastIngestedAt && this.#lastTimestamp !== '') return this.#lastTimestamp
    const t = Date.parse(record.ingestedAt)
    const ts = Number.isFinite(t) ? String(t) : this.#fallback
    this.#lastIngestedAt = record.ingestedAt
    this.#lastTimestamp = ts
    return ts
  }
}

/**
 * Serialises a batch in order. A record whose value `JSON.stringify` refuses (BigInt, a cycle, a
 * throwing `toJSON`, `undefined`), or whose message is over `maxMessageBytes`, becomes a
 * {@link PoisonRecord} instead; the others are sent. Each value is serialised once, here: the
 * same string goes to Kafka, to the spool and to the dead-letter topic.
 */
export function prepareMessages(
  records: readonly SinkRecord[],
  meta: BatchMeta,
  maxMessageBytes: number,
  now: number = Date.now(),
): PreparedBatch {
  const messages: OutMessage[] = []
  const poison: PoisonRecord[] = []
  const shared = new BatchHeaders(meta, now)
  let bytes = 0
  for (const record of records) {
    const key = record.key ?? null
    // headers before the timestamp: both compare with the previous record's ingestion time
    const { headers, chars } = shared.headers(record)
    const timestamp = shared.timestamp(record)
    let value: string | undefined
    let error: string | undefined
    try {
      value = JSON.stringify(record.value)
      if (value === undefined) error = `value is ${typeof record.value}, which JSON cannot represent`
    } catch (err) {
      error = `value is not JSON-serialisable: ${err instanceof Error ? err.message : String(err)}`
    }
    if (value === undefined || error !== undefined) {
      poison.push({
        message: { key, value: safeJson(record.value), headers, timestamp },
        code: SINK_ERROR_CODES.serialization,
        error: error ?? 'value is not JSON-serialisable',
      })
      continue
    }
    const message: OutMessage = { key, value, headers, timestamp }
    // Keys and headers are counted in characters (bytes, for the ASCII they nearly always are);
    // exactly only when that count comes near the limit.
    let size = Buffer.byteLength(value) + (key === null ? 0 : key.length) + chars
    if (size + 2 * (chars + (key?.length ?? 0)) > maxMessageBytes) size = messageBytes(message)
    if (size > maxMessageBytes) {
      poison.push({
        message,
        code: SINK_ERROR_CODES.tooLarge,
        error: `record is ${size} bytes, over kafka.max_message_bytes (${maxMessageBytes})`,
      })
      continue
    }
    bytes += size
    messages.push(message)
  }
  return { messages, poison, bytes }
}

/** What a dead-letter message says about its failure. */
export interface DeadLetterInfo {
  readonly error: string
  readonly code: string
  readonly attempts: number
  readonly originalTopic: string
  readonly failedAt: string
}

/** The dead-letter copy of a message: same key and value, headers naming the failure. */
export function toDeadLetter(message: OutMessage, info: DeadLetterInfo): OutMessage {
  return {
    key: message.key,
    value: message.value,
    timestamp: message.timestamp,
    headers: {
      ...message.headers,
      [HEADERS.error]: info.error.slice(0, 2000),
      [HEADERS.errorCode]: info.code,
      [HEADERS.attempts]: String(info.attempts),
      [HEADERS.originalTopic]: info.originalTopic,
      [HEADERS.failedAt]: info.failedAt,
    },
  }
}

/**
 * Splits messages into runs of at most `maxBytes` each (a run holds at least one message), so
 * that one request stays under the broker's size limit, and of at most `maxRecords` messages.
 * Most batches make a single run.
 */
export function chunkByBytes(
  messages: readonly OutMessage[],
  maxBytes: number,
  maxRecords = Number.POSITIVE_INFINITY,
): OutMessage[][] {
  const out: OutMessage[][] = []
  let cur: OutMessage[] = []
  let size = 0
  for (const m of messages) {
    const b = messageBytes(m)
    if (cur.length > 0 && (size + b > maxBytes || cur.length >= maxRecords)) {
      out.push(cur)
      cur = []
      size = 0
    }
    cur.push(m)
    size += b
  }
  if (cur.length > 0) out.push(cur)
  return out
}
