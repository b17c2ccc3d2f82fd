/**
 * For HTTP connectors: an answer's body read as a stream up to a size cap, so one oversize answer
 * (a runaway export, a wrong URL, a hostile server) cannot take the process's memory. The cap is
 * checked against `Content-Length` first and against the bytes actually received as they arrive,
 * so a lying or absent `Content-Length` (chunked transfer) is caught too.
 * @packageDocumentation
 */
import { FirefrontError } from './errors'

/** Bytes of an oversize body kept for its preview. */
export const BODY_PREVIEW_BYTES = 256

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** The most bytes accepted; one more and reading stops. */
  readonly maxBytes: number
  /** Aborting it stops reading; the signal's reason is thrown. */
  readonly signal?: AbortSignal
}

/**
 * A body larger than the cap. Reading stopped at the cap (or before reading, when
 * `Content-Length` already said so); the rest was never buffered.
 */
export class BodyTooLargeError extends FirefrontError {
  /** The cap that was exceeded. */
  readonly maxBytes: number
  /** The size `Content-Length` declared, when it did. */
  readonly declaredBytes?: number
  /** Bytes received before reading stopped (at most the cap plus one network chunk). */
  readonly bytesRead: number
  /** The first {@link BODY_PREVIEW_BYTES} bytes, decoded leniently, for the dead letter. */
  readonly preview: string

  constructor(details: { maxBytes: number; declaredBytes?: number; bytesRead: number; preview: string }) {
    // No bytesRead in the message: it varies with the network, and the same oversize answer
    // must read the same each time (the runtime dead-letters a repeated input once).
    super(
      'ERR_INPUT_REJECTED',
      details.declaredBytes !== undefined
        ? `body of ${details.declaredBytes} bytes (Content-Length) is over the cap of ${details.maxBytes} bytes`
        : `body is over the cap of ${details.maxBytes} bytes (no Content-Length; reading stopped at the cap)`,
    )
    this.maxBytes = details.maxBytes
    this.declaredBytes = details.declaredBytes
    this.bytesRead = details.bytesRead
    this.preview = details.preview
  }

  /** What the size is known to be: the declared size, or a lower bound. */
  get size(): string {
    return this.declaredBytes !== undefined ? String(this.declaredBytes) : `>${this.maxBytes}`
  }
}

const lenient = new TextDecoder('utf-8')

function previewOf(chunks: readonly Uint8Array[]): string {
  const head = new Uint8Array(BODY_PREVIEW_BYTES)
  let filled = 0
  for (const chunk of chunks) {
    if (filled >= BODY_PREVIEW_BYTES) break
    const part = chunk.subarray(0, BODY_PREVIEW_BYTES - filled)
    head.set(part, filled)
    filled += part.length
  }
  // stream: true leaves a multi-byte character cut by the preview's end out rather than garbled
  return lenient.decode(head.subarray(0, filled), { stream: true })
}

/**
 * Reads `response`'s body into bytes, at most `maxBytes` of them. Rejects with
 * {@link BodyTooLargeError} as soon as the cap is passed — before reading anything when
 * `Content-Length` is over the cap, otherwise when the bytes received pass it (the stream is then
 * cancelled, so the rest is never buffered). Network errors and aborts reject as `fetch` does.
 *
 * @example
 * ```ts
 * const res = await ctx.fetch(url, { signal })
 * const bytes = await readBody(res, { maxBytes: 32 * 1024 * 1024, signal })
 * const { text, invalid } = decodeUtf8(bytes)
 * ```
 */
export async function readBody(response: Response, options: ReadBodyOptions): Promise<Uint8Array> {
  const { maxBytes, signal } = options
  signal?.throwIfAborted()
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  const body = response.body
  if (body === null) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  const onAbort = (): void => {
    void reader.cancel(signal?.reason).catch(() => {})
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    if (Number.isSafeInteger(declared) && declared > maxBytes) {
      // Only enough for the preview; the declared size is what the dead letter reports.
      while (size < BODY_PREVIEW_BYTES) {
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(value)
        size += value.length
      }
      throw new BodyTooLargeError({ maxBytes, declaredBytes: declared, bytesRead: size, preview: previewOf(chunks) })
    }
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.length
      if (size > maxBytes) {
        chunks.push(value)
        throw new BodyTooLargeError({ maxBytes, bytesRead: size, preview: previewOf(chunks) })
      }
      chunks.push(value)
    }
    // A cancelled read ends like a finished one: an abort must not pass for a whole body.
    signal?.throwIfAborted()
  } catch (err) {
    signal?.throwIfAborted()
    throw err
  } finally {
    signal?.removeEventListener('abort', onAbort)
    if (size > maxBytes || (Number.isSafeInteger(declared) && declared > maxBytes)) {
      // Stops the transfer: the connection is closed instead of draining the rest.
      await reader.cancel().catch(() => {})
    }
    reader.releaseLock()
  }
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}
