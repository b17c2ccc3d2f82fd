/**
 * Messages in the form @platformatic/kafka writes and reads: keys, values and headers as Buffers
 * (the library writes its input as it is, with no serialisers), timestamps as BigInts.
 */
import type { MessageToProduce } from '@platformatic/kafka'
import type { KafkaMessage } from '../transport'

const bytes = (v: string | Buffer): Buffer => (typeof v === 'string' ? Buffer.from(v) : v)

function headerBuffers(headers: Readonly<Record<string, string>>): Map<Buffer, Buffer> {
  const out = new Map<Buffer, Buffer>()
  for (const name of Object.keys(headers)) out.set(Buffer.from(name), Buffer.from(headers[name]!))
  return out
}

/**
 * One produce request's messages for `topic`. A null value stays null (a tombstone). Messages
 * that share one headers object (records of one poll) share one encoded copy: the library reads
 * it and never changes it.
 */
export function toProduceMessages(topic: string, messages: readonly KafkaMessage[]): MessageToProduce[] {
  const out: MessageToProduce[] = new Array(messages.length)
  let lastHeaders: KafkaMessage['headers']
  let lastEncoded: Map<Buffer, Buffer> | undefined
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!
    const message: MessageToProduce = { topic }
    if (m.key !== null) message.key = bytes(m.key)
    if (m.value !== null) message.value = bytes(m.value)
    if (m.headers) {
      if (m.headers !== lastHeaders || lastEncoded === undefined) {
        lastHeaders = m.headers
        lastEncoded = headerBuffers(m.headers)
      }
      message.headers = lastEncoded
    }
    if (m.timestamp !== undefined) message.timestamp = BigInt(m.timestamp)
    out[i] = message
  }
  return out
}

/** Headers as strings: the first value of a repeated header. */
export function headerStrings(headers: ReadonlyMap<Buffer | undefined, Buffer | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of headers) {
    if (k === undefined || v === undefined) continue
    const name = k.toString()
    if (!(name in out)) out[name] = v.toString()
  }
  return out
}
