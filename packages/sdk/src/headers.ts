/**
 * The Kafka header names Firefront writes, declared once: on every record (where it came from,
 * when) and on dead letters (why it failed, where it was going). Useful to plugin authors and to
 * whoever consumes the dead-letter topic.
 * @packageDocumentation
 */

/** Header names Firefront writes on records and dead letters. */
export const HEADERS = {
  /** The source id of the config (`sources.<id>`). */
  sourceId: 'firefront.source.id',
  /** The source's `source_type`. */
  sourceType: 'firefront.source.type',
  /** The record's `eventTime` (ISO 8601), when it has one. */
  eventTime: 'firefront.event.time',
  /** When Firefront took the record in (ISO 8601). */
  ingestedAt: 'firefront.ingested.at',
  /** The value's content type (`application/json`). */
  contentType: 'content-type',
  /** Dead letters: what went wrong, in words. */
  error: 'firefront.error',
  /** Dead letters: a stable code (`ERR_INPUT_REJECTED`, `RECORD_TOO_LARGE`, a broker error type). */
  errorCode: 'firefront.error.code',
  /** Dead letters: send attempts made. */
  attempts: 'firefront.attempts',
  /** Dead letters: the topic the record was meant for. */
  originalTopic: 'firefront.original.topic',
  /** Dead letters: when it was dead-lettered (ISO 8601). */
  failedAt: 'firefront.failed.at',
  /** A replayed dead letter: the dead-letter topic it came back from. */
  replayedFrom: 'firefront.replayed.from',
  /** Dead letters of inputs a connector rejected (`'true'`). */
  rejected: 'firefront.rejected',
  /** Rejected inputs: where in the response the input was (a CSV line, a payload topic). */
  location: 'firefront.location',
  /**
   * A record whose data is not exactly what the source sent: comma-separated tokens, e.g.
   * `type:<field>` for a field of the wrong type emitted as null, `utf8-replaced` for text that
   * holds U+FFFD where the input had bytes that were not UTF-8.
   */
  altered: 'firefront.altered',
} as const

/** One of the {@link HEADERS} names. */
export type HeaderName = (typeof HEADERS)[keyof typeof HEADERS]
