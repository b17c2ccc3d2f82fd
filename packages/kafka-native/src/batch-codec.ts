/**
 * A batch of messages as one buffer, so the producer process gets a whole batch in one message
 * instead of a serialised object per record. Keys and values travel as UTF-8
 * (or their bytes), timestamps as numbers, and a headers object shared by consecutive messages
 * (the kafka sink shares one per run of equal headers) is written once and referred to after.
 *
 * Layout, little-endian: `u32 count`, then per message `i32 keyLength` (-1: null) and the key
 * (a text key as its UTF-8 bytes, which is what the client sends for it), `i32 valueLength` (-1:
 * null) and the value, `f64 timestamp` (NaN: none), `i32 headerSet` (-1: none; the next new index is followed by `u32 n` and n times name and value, each
 * as `i32 length` and UTF-8).
 */
import type { KafkaMessage } from '@firefront/core'

/** One encoded batch: `buffer` holds `byteLength` bytes of it from `byteOffset`. */
export interface EncodedBatch {
  readonly buffer: ArrayBuffer
  readonly byteOffset: number
  readonly byteLength: number
  readonly count: number
}

/** The most bytes a value takes: UTF-8 needs at most 3 bytes per UTF-16 unit. */
const bound = (v: string | Buffer | null): number => (v === null ? 0 : typeof v === 'string' ? v.length * 3 : v.length)

function headersBound(headers: Readonly<Record<string, string>>): number {
  let n = 4
  for (const name in headers) n += 8 + name.length * 3 + (headers[name]?.length ?? 0) * 3
  return n
}

/**
 * Encodes `messages` into one buffer: `scratch` when it is large enough (the caller reuses it once
 * the bytes are consumed), else a fresh (transferable) one.
 */
export function encodeBatch(messages: readonly KafkaMessage[], scratch?: Buffer): EncodedBatch {
  let size = 4
  let lastHeaders: KafkaMessage['headers'] | undefined
  for (const m of messages) {
    size += 4 + 4 + 8 + 4 + bound(m.key) + bound(m.value)
    if (m.headers && m.headers !== lastHeaders) size += headersBound(m.headers)
    lastHeaders = m.headers
  }
  const buf = scratch && scratch.length >= size ? scratch : Buffer.allocUnsafeSlow(size)
  let at = 0
  const bytes = (v: string | Buffer): void => {
    const n = typeof v === 'string' ? buf.write(v, at + 4) : v.copy(buf, at + 4)
    buf.writeInt32LE(n, at)
    at += 4 + n
  }
  buf.writeUInt32LE(messages.length, at)
  at += 4
  let sets = 0
  lastHeaders = undefined
  for (const m of messages) {
    if (m.key === null) {
      buf.writeInt32LE(-1, at)
      at += 4
    } else bytes(m.key)
    if (m.value === null) {
      buf.writeInt32LE(-1, at)
      at += 4
    } else bytes(m.value)
    buf.writeDoubleLE(m.timestamp === undefined ? Number.NaN : Number(m.timestamp), at)
    at += 8
    if (!m.headers) {
      buf.writeInt32LE(-1, at)
      at += 4
    } else if (m.headers === lastHeaders) {
      buf.writeInt32LE(sets - 1, at)
      at += 4
    } else {
      buf.writeInt32LE(sets++, at)
      at += 4
      const names = Object.keys(m.headers).filter((k) => m.headers![k] !== undefined)
      buf.writeUInt32LE(names.length, at)
      at += 4
      for (const name of names) {
        bytes(name)
        bytes(m.headers[name]!)
      }
    }
    lastHeaders = m.headers
  }
  return { buffer: buf.buffer as ArrayBuffer, byteOffset: buf.byteOffset, byteLength: at, count: messages.length }
}

/**
 * Decodes a batch of `byteLength` bytes at `byteOffset` of `buffer`; keys and values are views of
 * it (no copies), headers shared per set.
 */
export function decodeBatch(buffer: ArrayBuffer, byteLength: number, byteOffset = 0): KafkaMessage[] {
  const buf = Buffer.from(buffer, byteOffset, byteLength)
  let at = 0
  const view = (): Buffer | null => {
    const n = buf.readInt32LE(at)
    at += 4
    if (n < 0) return null
    const out = buf.subarray(at, at + n)
    at += n
    return out
  }
  const text = (): string => {
    const n = buf.readInt32LE(at)
    at += 4
    const out = buf.toString('utf8', at, at + n)
    at += n
    return out
  }
  const count = buf.readUInt32LE(at)
  at += 4
  const sets: Array<Readonly<Record<string, string>>> = []
  const out: KafkaMessage[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const key = view()
    const value = view()
    const ts = buf.readDoubleLE(at)
    at += 8
    const set = buf.readInt32LE(at)
    at += 4
    let headers: Readonly<Record<string, string>> | undefined
    if (set >= 0) {
      if (set === sets.length) {
        const n = buf.readUInt32LE(at)
        at += 4
        const h: Record<string, string> = {}
        for (let j = 0; j < n; j++) {
          const name = text()
          h[name] = text()
        }
        sets.push(Object.freeze(h))
      }
      headers = sets[set]
    }
    out[i] = {
      key,
      value,
      ...(Number.isNaN(ts) ? {} : { timestamp: String(ts) }),
      ...(headers ? { headers } : {}),
    }
  }
  return out
}
