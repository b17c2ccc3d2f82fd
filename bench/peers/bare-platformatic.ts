/**
 * The bare @platformatic/kafka contestant: the same messages as Firefront, in requests of `batch`
 * records, idempotent (which the library runs with acks all and one request in flight). The
 * package is optional here, so it is imported by a name the type checker does not follow, and
 * typed by the few members used.
 */
import { producerArgs, sendAll } from './producer-args'
import { type BenchMessage, firefrontMessages } from './records'

interface PlatformaticMessage {
  readonly topic: string
  readonly key: string
  readonly value: string
  readonly headers: Record<string, string>
  readonly timestamp: bigint
}
interface PlatformaticProducer {
  send(options: { messages: PlatformaticMessage[] }): Promise<unknown>
  close(): Promise<void>
}
interface PlatformaticModule {
  Producer: new (options: Record<string, unknown>) => PlatformaticProducer
  stringSerializers: unknown
}

const specifier: string = '@platformatic/kafka'
const { Producer, stringSerializers } = (await import(specifier)) as PlatformaticModule
const args = producerArgs()
const producer = new Producer({
  clientId: 'peers-bare-platformatic',
  bootstrapBrokers: args.brokers,
  serializers: stringSerializers,
  idempotent: true,
  acks: -1,
})
const toMessage = (m: BenchMessage): PlatformaticMessage => ({
  topic: args.topic,
  key: m.key,
  value: m.value,
  headers: m.headers,
  timestamp: BigInt(m.timestamp),
})
await sendAll(args, firefrontMessages, async (messages) => {
  await producer.send({ messages: messages.map(toMessage) })
})
await producer.close()
