/**
 * What `firefront dlq <config> [--replay] [--source S] [--since T]` does: lists what the
 * dead-letter topic, the disk spool and the local dead-letter file hold, and sends chosen
 * dead-lettered records back to their original topic once their cause is fixed.
 *
 * The dead-letter topic is read through the Kafka adapter from the beginning up to the high
 * watermark taken at the start. The spool and the local dead-letter file are read from disk, so
 * they are listed even when no broker answers.
 */
import { FirefrontError } from '@firefront/sdk'
import type { FirefrontConfig } from '../../config/schema'
import { type KafkaSinkConfig, kafkaSinkConfigFrom, localDeadLetterDirectory, spoolDirectory } from '../../kafka/config'
import type { SpooledBatch } from '../../kafka/delivery/delivery-spool'
import { HEADERS } from '../../kafka/delivery/messages'
import { openKafkaTransport } from '../../kafka/open-transport'
import type { KafkaMessage, KafkaTransport, TopicRecord } from '../../kafka/transport'
import { redactorFor } from '../../kafka/safe-config'
import { scanSpool } from '../../spool/segment-spool'

/** Which dead-lettered records to list or replay. Every given field must match. */
export interface DlqFilter {
  /** Source id (`firefront.source.id`). */
  readonly source?: string
  /** Only records dead-lettered at or after this time (`firefront.failed.at`). */
  readonly since?: Date | string
  /** Error code (`firefront.error.code`), e.g. `MESSAGE_TOO_LARGE`. */
  readonly reason?: string
  /** Original topic (`firefront.original.topic`). */
  readonly topic?: string
  /** How many matching records {@link inspectDlq} lists one by one (default 20). */
  readonly limit?: number
  /** Give up reading the topic after this long (default 60 s). */
  readonly timeoutMs?: number
}

/** One dead-lettered record, as listed. */
export interface DlqRecordSummary {
  readonly partition: number
  readonly offset: string
  readonly key: string | null
  readonly sourceId: string | null
  readonly sourceType: string | null
  readonly originalTopic: string | null
  readonly code: string | null
  readonly error: string | null
  readonly failedAt: string | null
  readonly attempts: number | null
}

/** Counts of a store of pending records. */
export interface PendingSummary {
  /** Batches (spool entries). */
  readonly entries: number
  readonly records: number
  readonly bytes: number
  readonly byTopic: Record<string, number>
  readonly bySource: Record<string, number>
  /** By why they are there (`unavailable`, `paused`, `dlq-capped`, ...). */
  readonly byReason: Record<string, number>
  /** Records in it that are dead letters waiting for the dead-letter topic. */
  readonly deadLetters: number
  readonly tornLines: number
}

/** What {@link inspectDlq} found. */
export interface DlqInspection {
  readonly topic: string
  /**
   * Why the dead-letter topic could not be read (no broker answered, a timeout...), or null when
   * it was. When set, `total`, `matched` and the counts cover nothing from the topic; `spool` and
   * `local` are still what is on disk.
   */
  readonly topicError: string | null
  /** Records in the dead-letter topic (up to the high watermark). */
  readonly total: number
  /** Records that match the filter. */
  readonly matched: number
  /** Matching records by error code. */
  readonly byReason: Record<string, number>
  readonly bySource: Record<string, number>
  readonly byOriginalTopic: Record<string, number>
  /** The first `limit` matching records. */
  readonly records: DlqRecordSummary[]
  /** The disk spool (batches waiting for Kafka). */
  readonly spool: PendingSummary
  /** The local dead-letter file (records no topic took). */
  readonly local: PendingSummary
}

/** What {@link replayDlq} did. */
export interface DlqReplayResult {
  readonly topic: string
  readonly matched: number
  readonly replayed: number
  /** Matching records without an original topic header (not sent). */
  readonly skipped: number
  readonly failed: number
  readonly byTopic: Record<string, number>
  readonly errors: string[]
}

type DlqRecord = TopicRecord

const bump = (map: Record<string, number>, key: string | null | undefined, n = 1): void => {
  const k = key ?? '(none)'
  map[k] = (map[k] ?? 0) + n
}

const sinkConfig = (config: FirefrontConfig | KafkaSinkConfig): KafkaSinkConfig =>
  'sources' in config || 'plugins' in config
    ? kafkaSinkConfigFrom(config as FirefrontConfig)
    : (config as KafkaSinkConfig)

function matches(record: DlqRecord, filter: DlqFilter): boolean {
  const h = record.headers
  if (filter.source !== undefined && h[HEADERS.sourceId] !== filter.source) return false
  if (filter.reason !== undefined && h[HEADERS.errorCode] !== filter.reason) return false
  if (filter.topic !== undefined && h[HEADERS.originalTopic] !== filter.topic) return false
  if (filter.since !== undefined) {
    const since = filter.since instanceof Date ? filter.since.getTime() : Date.parse(filter.since)
    if (Number.isNaN(since))
      throw new FirefrontError('ERR_CONFIG_INVALID', `--since: not a date: ${String(filter.since)}`)
    const failedAt = Date.parse(h[HEADERS.failedAt] ?? '')
    if (Number.isNaN(failedAt) || failedAt < since) return false
  }
  return true
}

/** Opens a transport for `firefront dlq` on the sink's `kafka:` block. */
function openTransport(config: KafkaSinkConfig, suffix: string, retries?: number): Promise<KafkaTransport> {
  return openKafkaTransport({
    kafka: config.kafka,
    clientIdSuffix: suffix,
    ...(retries !== undefined ? { retries } : {}),
  })
}

/** Reads the dead-letter topic from its first offset to the high watermark taken now. */
async function readDeadLetters(
  config: KafkaSinkConfig,
  visit: (r: DlqRecord) => void,
  timeoutMs: number,
): Promise<number> {
  const transport = await openTransport(config, '-dlq')
  try {
    return await transport.readTopic(config.dlq.topic, visit, { timeoutMs })
  } finally {
    await transport.disconnect()
  }
}

async function pendingSummary(directory: string): Promise<PendingSummary> {
  const byTopic: Record<string, number> = {}
  const bySource: Record<string, number> = {}
  const byReason: Record<string, number> = {}
  let records = 0
  let deadLetters = 0
  const scan = await scanSpool<SpooledBatch>(directory, (entry) => {
    const n = entry.messages.length
    records += n
    if (entry.deadLetter) deadLetters += n
    bump(byTopic, entry.deadLetter?.originalTopic ?? entry.topic, n)
    bump(bySource, entry.sourceId, n)
    bump(byReason, entry.reason, n)
  })
  return {
    entries: scan.entries,
    records,
    bytes: scan.bytes,
    byTopic,
    bySource,
    byReason,
    deadLetters,
    tornLines: scan.tornLines,
  }
}

/**
 * Lists what the dead-letter topic holds (counts by reason, source and original topic, and the
 * first `filter.limit` matching records), and what the disk spool and the local dead-letter file
 * hold. Takes the loaded config file, or a kafka sink config.
 *
 * @example
 * ```ts
 * const report = await inspectDlq(config, { source: 'firms-viirs', since: '2026-01-01T00:00:00Z' })
 * console.log(report.matched, report.byReason, report.spool.records)
 * ```
 */
export async function inspectDlq(
  config: FirefrontConfig | KafkaSinkConfig,
  filter: DlqFilter = {},
): Promise<DlqInspection> {
  const c = sinkConfig(config)
  const limit = filter.limit ?? 20
  const byReason: Record<string, number> = {}
  const bySource: Record<string, number> = {}
  const byOriginalTopic: Record<string, number> = {}
  const records: DlqRecordSummary[] = []
  let matched = 0
  let total = 0
  let topicError: string | null = null
  const since = filter.since
  // A bad --since is the caller's mistake, not the broker's: report it before reading anything.
  if (since !== undefined && Number.isNaN(since instanceof Date ? since.getTime() : Date.parse(since))) {
    throw new FirefrontError('ERR_CONFIG_INVALID', `--since: not a date: ${String(since)}`)
  }
  try {
    total = await readDeadLetters(
      c,
      (r) => {
        if (!matches(r, filter)) return
        matched++
        const h = r.headers
        bump(byReason, h[HEADERS.errorCode])
        bump(bySource, h[HEADERS.sourceId])
        bump(byOriginalTopic, h[HEADERS.originalTopic])
        if (records.length < limit) {
          const attempts = Number(h[HEADERS.attempts])
          records.push({
            partition: r.partition,
            offset: r.offset,
            key: r.key?.toString() ?? null,
            sourceId: h[HEADERS.sourceId] ?? null,
            sourceType: h[HEADERS.sourceType] ?? null,
            originalTopic: h[HEADERS.originalTopic] ?? null,
            code: h[HEADERS.errorCode] ?? null,
            error: h[HEADERS.error] ?? null,
            failedAt: h[HEADERS.failedAt] ?? null,
            attempts: Number.isFinite(attempts) ? attempts : null,
          })
        }
      },
      filter.timeoutMs ?? 60_000,
    )
  } catch (err) {
    topicError = redactorFor(c.kafka).message(err)
    total = 0
    matched = 0
    records.length = 0
    for (const m of [byReason, bySource, byOriginalTopic]) for (const k of Object.keys(m)) delete m[k]
  }
  return {
    topic: c.dlq.topic,
    topicError,
    total,
    matched,
    byReason,
    bySource,
    byOriginalTopic,
    records,
    spool: await pendingSummary(spoolDirectory(c)),
    local: await pendingSummary(localDeadLetterDirectory(c)),
  }
}

/** Headers that describe the failure; a replayed record leaves them behind. */
const FAILURE_HEADERS = new Set<string>([
  HEADERS.error,
  HEADERS.errorCode,
  HEADERS.attempts,
  HEADERS.failedAt,
  HEADERS.originalTopic,
])

/**
 * Sends the dead-lettered records that match `filter` back to their original topic (from the
 * `firefront.original.topic` header), with their key, value and own headers, plus
 * `firefront.replayed.from: <dlq topic>/<partition>/<offset>`. The dead-letter topic is not
 * changed (Kafka topics are append-only): replaying twice sends twice.
 */
export async function replayDlq(
  config: FirefrontConfig | KafkaSinkConfig,
  filter: DlqFilter = {},
): Promise<DlqReplayResult> {
  const c = sinkConfig(config)
  const byTopic = new Map<string, KafkaMessage[]>()
  let matched = 0
  let skipped = 0
  await readDeadLetters(
    c,
    (r) => {
      if (!matches(r, filter)) return
      matched++
      const topic = r.headers[HEADERS.originalTopic]
      if (!topic) {
        skipped++
        return
      }
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(r.headers)) if (!FAILURE_HEADERS.has(k)) headers[k] = v
      headers[HEADERS.replayedFrom] = `${c.dlq.topic}/${r.partition}/${r.offset}`
      const list = byTopic.get(topic) ?? []
      list.push({ key: r.key, value: r.value, headers, timestamp: r.timestamp })
      byTopic.set(topic, list)
    },
    filter.timeoutMs ?? 60_000,
  )
  const counts: Record<string, number> = {}
  const errors: string[] = []
  let replayed = 0
  let failed = 0
  if (byTopic.size > 0) {
    const transport = await openTransport(c, '-dlq-replay', 3)
    try {
      for (const [topic, messages] of byTopic) {
        for (let i = 0; i < messages.length; i += c.kafka.batch_size) {
          const chunk = messages.slice(i, i + c.kafka.batch_size)
          try {
            await transport.send(topic, chunk)
            replayed += chunk.length
            bump(counts, topic, chunk.length)
          } catch (err) {
            failed += chunk.length
            errors.push(`${topic}: ${transport.redactor.message(err)}`)
          }
        }
      }
    } finally {
      await transport.disconnect()
    }
  }
  return { topic: c.dlq.topic, matched, replayed, skipped, failed, byTopic: counts, errors }
}
