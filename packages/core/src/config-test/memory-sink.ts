/**
 * The sink of `firefront test`: it keeps what a Kafka sink would write, message by message —
 * the same serialisation and headers (`prepareMessages`), and the same dead letters for records
 * that cannot be sent — without a broker.
 */
import type { SinkBatch, SinkInstance } from '@firefront/sdk'
import { HEADERS } from '@firefront/sdk'
import { type OutMessage, prepareMessages, toDeadLetter } from '../kafka/delivery/messages'

/** One message as Kafka would receive it. */
export interface WrittenMessage {
  readonly topic: string
  readonly key: string | null
  readonly value: unknown
  readonly headers: Readonly<Record<string, string>>
}

/** A memory sink and what it received. */
export interface MemorySink {
  readonly sink: SinkInstance
  readonly written: WrittenMessage[]
}

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Makes a sink whose batches end in `written`; batches to `dlqTopic` are dead letters already. */
export function createMemorySink(maxMessageBytes: number, dlqTopic: string): MemorySink {
  const written: WrittenMessage[] = []
  const keep = (topic: string, m: OutMessage) =>
    written.push({ topic, key: m.key, value: parsed(m.value), headers: m.headers })
  const sink: SinkInstance = {
    async send(batch: SinkBatch) {
      const meta = { topic: batch.topic, sourceId: batch.sourceId, sourceType: batch.sourceType }
      const prepared = prepareMessages(batch.records, meta, maxMessageBytes)
      for (const m of prepared.messages) keep(batch.topic, m)
      for (const p of prepared.poison) {
        const info = {
          error: p.error,
          code: p.code,
          attempts: 0,
          originalTopic: batch.topic,
          failedAt: new Date().toISOString(),
        }
        keep(dlqTopic, toDeadLetter(p.message, info))
      }
      return { delivered: prepared.messages.length, deadLettered: prepared.poison.length, spooled: 0 }
    },
  }
  return { sink, written }
}

/** Whether a written message is a dead letter (it names an error). */
export const isDeadLetter = (m: WrittenMessage, dlqTopic: string): boolean =>
  m.topic === dlqTopic || m.headers[HEADERS.error] !== undefined
