/**
 * Rows of a FIRMS body whose bytes are not valid UTF-8. The body is decoded leniently (bad bytes
 * become U+FFFD), so each such line is found again by its decoded text and rejected with its
 * original bytes, while every other row is read as usual. Only bodies that failed the strict
 * decode come here.
 */
import { firstInvalidUtf8 } from '@firefront/sdk'

/** One line that is not valid UTF-8. */
export interface InvalidLine {
  /** Byte offset of the first bad byte within the line. */
  readonly offset: number
  /** The line's bytes as received, base64. */
  readonly base64: string
}

const LF = 0x0a
const CR = 0x0d

/** The lines of `bytes` that are not valid UTF-8, by their lenient decoded text (without CR). */
export function findInvalidLines(bytes: Uint8Array): Map<string, InvalidLine[]> {
  const found = new Map<string, InvalidLine[]>()
  // The whole body was decoded once with its BOM dropped; only its first line may lose one here.
  const first = new TextDecoder('utf-8')
  const rest = new TextDecoder('utf-8', { ignoreBOM: true })
  let start = 0
  while (start < bytes.length) {
    let end = bytes.indexOf(LF, start)
    if (end === -1) end = bytes.length
    let stop = end
    if (stop > start && bytes[stop - 1] === CR) stop--
    const line = bytes.subarray(start, stop)
    const offset = firstInvalidUtf8(line)
    if (offset !== -1) {
      const text = (start === 0 ? first : rest).decode(line)
      const entry = { offset, base64: Buffer.from(line).toString('base64') }
      const list = found.get(text)
      if (list) list.push(entry)
      else found.set(text, [entry])
    }
    start = end + 1
  }
  return found
}

/** The reason a line with bad bytes is rejected. */
export const invalidLineReason = (line: InvalidLine): string =>
  `the row holds bytes that are not valid UTF-8 (the first at byte ${line.offset} of the row; shown as U+FFFD in the text)`
