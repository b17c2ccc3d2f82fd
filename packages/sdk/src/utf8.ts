/**
 * For connectors: bytes decoded as UTF-8 without hiding what could not be decoded. A lenient
 * decoder turns bad bytes into U+FFFD silently; {@link decodeUtf8} says when it happened, how
 * often and where, so the connector can reject or flag exactly what was altered.
 * @packageDocumentation
 */
import { Buffer, isUtf8 } from 'node:buffer'

/** What {@link decodeUtf8} found wrong with the bytes. */
export interface InvalidUtf8 {
  /** Invalid byte sequences, each shown as one U+FFFD in the text. */
  readonly sequences: number
  /** Byte offset of the first one. */
  readonly firstOffset: number
  /**
   * U+FFFD characters the bytes themselves held (valid `EF BF BD`). When non-zero, a U+FFFD in
   * the text is not proof that bytes were replaced there.
   */
  readonly genuineReplacements: number
}

/** Decoded text, and what was replaced when the bytes were not all valid UTF-8. */
export interface DecodedText {
  /** The text; invalid sequences are U+FFFD in it. A leading BOM is removed. */
  readonly text: string
  /** Present only when some bytes were not valid UTF-8. */
  readonly invalid?: InvalidUtf8
}

/** The replacement character a lenient decoder puts where bytes were invalid. */
export const REPLACEMENT_CHARACTER = '\uFFFD'

const lenient = new TextDecoder('utf-8')

/** Byte offset of the first invalid UTF-8 sequence (WHATWG rules, as TextDecoder's); -1 if none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) lo = 0xa0
      if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) lo = 0x90
      if (b === 0xf4) hi = 0x8f
    } else return i
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined) return i
      const min = k === 1 ? lo : 0x80
      const max = k === 1 ? hi : 0xbf
      if (c < min || c > max) return i
    }
    i += need + 1
  }
  return -1
}

function countGenuineReplacements(bytes: Uint8Array): number {
  let count = 0
  for (let i = bytes.indexOf(0xef); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) count++
  }
  return count
}

function countReplacements(text: string): number {
  let count = 0
  for (let i = text.indexOf(REPLACEMENT_CHARACTER); i !== -1; i = text.indexOf(REPLACEMENT_CHARACTER, i + 1)) count++
  return count
}

/**
 * Decodes `bytes` as UTF-8. Valid input costs one validation and one decode; only invalid input is decoded
 * again leniently and measured, so the caller can reject (or flag) the rows, features or
 * payloads that hold a U+FFFD it did not send.
 *
 * @example
 * ```ts
 * const { text, invalid } = decodeUtf8(bytes)
 * if (invalid) ctx.reject({ reason: `not UTF-8 at byte ${invalid.firstOffset}`, input: text })
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  if (isUtf8(bytes)) {
    // Validated in one fast pass, then decoded by Buffer; unlike TextDecoder it keeps a BOM: drop it.
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text }
  }
  const text = lenient.decode(bytes)
  const genuineReplacements = countGenuineReplacements(bytes)
  return {
    text,
    invalid: {
      sequences: Math.max(1, countReplacements(text) - genuineReplacements),
      firstOffset: Math.max(0, firstInvalidUtf8(bytes)),
      genuineReplacements,
    },
  }
}
