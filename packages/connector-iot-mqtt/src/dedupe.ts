/**
 * Record identity and redelivery detection. A message is identified by its device, its kind, the
 * payload's own time (with `seq` where the format has one) and a digest of its bytes, so STATE and
 * SENSOR of one TelePeriod (same `Time`) are two records and only a byte-identical redelivery is a
 * duplicate. A message without a time of its own (INFO1–3, RESULT, LWT) is a duplicate only of the
 * last message on its topic: `{"POWER":"ON"}` after an `OFF` is news, not a redelivery.
 */
import { createHash } from 'node:crypto'
import type { Normalised } from './payloads'

/** The first 16 hex digits of the payload's SHA-256. */
export function payloadDigest(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, 16)
}

/** The record key of a message: `device:kind:time[:seq]:digest`, or `device:kind:digest` without a time. */
export function recordKey(data: Pick<Normalised, 'deviceId' | 'kind' | 'ts' | 'seq'>, digest: string): string {
  if (data.ts === undefined) return `${data.deviceId}:${data.kind}:${digest}`
  return `${data.deviceId}:${data.kind}:${data.ts}${data.seq === undefined ? '' : `:${data.seq}`}:${digest}`
}

/**
 * A bounded set of recently emitted record keys (least recently seen dropped first), so a message
 * redelivered after a reconnect is not emitted twice.
 */
export class RecentKeys {
  private readonly keys = new Map<string, string>()

  constructor(private readonly capacity: number) {}

  /** True when `key` was remembered (and marks it as recently seen). */
  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  /** The value remembered for `key` (marking it as recently seen). */
  get(key: string): string | undefined {
    const value = this.keys.get(key)
    if (value === undefined) return undefined
    this.keys.delete(key)
    this.keys.set(key, value)
    return value
  }

  /** Remembers `key` (with a value), dropping the least recently seen key beyond the capacity. */
  add(key: string, value = ''): void {
    if (this.capacity <= 0) return
    this.keys.delete(key)
    this.keys.set(key, value)
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value
      if (oldest !== undefined) this.keys.delete(oldest)
    }
  }

  get size(): number {
    return this.keys.size
  }
}

/** Tells redeliveries from new messages (see the module comment); `capacity` 0 disables it. */
export class Redeliveries {
  private readonly timed: RecentKeys
  private readonly lastOnTopic: RecentKeys

  constructor(capacity: number) {
    this.timed = new RecentKeys(capacity)
    this.lastOnTopic = new RecentKeys(capacity)
  }

  /** True when the message with `key` on `topic` was already emitted. */
  seen(topic: string, key: string, timed: boolean): boolean {
    return timed ? this.timed.has(key) : this.lastOnTopic.get(topic) === key
  }

  /** Remembers an emitted message. */
  remember(topic: string, key: string, timed: boolean): void {
    if (timed) this.timed.add(key)
    else this.lastOnTopic.add(topic, key)
  }
}
