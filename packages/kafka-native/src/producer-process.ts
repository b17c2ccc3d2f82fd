/**
 * The producer process's entry: one {@link NativeProducer} in a process of its own, so the
 * per-record `produce()` calls into librdkafka and their delivery reports do not take the
 * JavaScript thread that runs the pipeline. (A worker thread cannot hold it: node-rdkafka's addon
 * loads in one thread per process, and the transport's admin and readers use it.) Each batch
 * arrives as one buffer (`batch-codec.ts`) and is answered once every record of it is
 * acknowledged or failed. The process ends when its parent closes the channel or goes away.
 */
import type { ClientSettings, Redactor } from '@firefront/core'
import { decodeBatch } from './batch-codec'
import { loadRdKafka } from './load-rdkafka'
import { NativeProducer } from './native-producer'
import {
  errorToData,
  type ProducerProcessData,
  type ProducerReply,
  type ProducerRequest,
} from './producer-process-protocol'

const send = process.send?.bind(process)
if (!send) throw new Error('producer-process runs as a child process with an IPC channel')
const reply = (message: ProducerReply): void => {
  if (process.connected) send(message)
}
const identity = (t: string): string => t
// Secrets are redacted on the transport's side, where every message and log line arrives.
const redactor: Redactor = { text: identity, fields: (v) => v, message: (e) => String(e) }

let data: ProducerProcessData | undefined
let producer: NativeProducer | undefined

const newProducer = (d: ProducerProcessData): NativeProducer =>
  new NativeProducer({
    rd: loadRdKafka(),
    config: { global: d.global, topic: d.topic },
    settings: {
      brokers: d.brokers,
      connectionTimeoutMs: d.connectionTimeoutMs,
      requestTimeoutMs: d.requestTimeoutMs,
      redactor,
    } as unknown as ClientSettings,
    forward: (client, log) =>
      reply({ log: { client, severity: log.severity, fac: String(log.fac), message: String(log.message) } }),
    redact: identity,
  })

const answer = (id: number, work: () => Promise<void>): void => {
  let run: Promise<void>
  try {
    run = work()
  } catch (err) {
    run = Promise.reject(err)
  }
  run.then(
    () => reply({ id, ok: true }),
    (err: unknown) => reply({ id, ok: false, error: errorToData(err) }),
  )
}

const current = (): NativeProducer => {
  if (!producer) throw new Error('the producer process was not initialised')
  return producer
}

process.on('message', (request: ProducerRequest) => {
  switch (request.op) {
    case 'init':
      data = request.data
      producer = newProducer(data)
      reply({ id: request.id, ok: true })
      break
    case 'send': {
      const b = request.batch
      answer(request.id, () =>
        current().send(request.topic, decodeBatch(b.buffer as ArrayBuffer, b.byteLength, b.byteOffset)),
      )
      break
    }
    case 'connect':
      answer(request.id, () => current().connect())
      break
    case 'reset':
      answer(request.id, async () => {
        const old = current()
        producer = newProducer(data!)
        await old.close(0)
        await producer.connect()
      })
      break
    case 'close':
      answer(request.id, () => current().close(request.flushMs))
      break
  }
})

// The parent closed the channel or went away: nothing is left to deliver to.
process.on('disconnect', () => {
  void (producer?.close(0) ?? Promise.resolve()).finally(() => process.exit(0))
})
