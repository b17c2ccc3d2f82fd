/**
 * The bare kafkajs contestant: sends exactly the messages Firefront sends (key, JSON value,
 * headers, timestamp) in requests of `batch` records with an idempotent producer, acks all, one
 * request in flight — the settings of Firefront's kafkajs backend, without the pipeline.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { producerArgs, sendAll } from './producer-args'
import { firefrontMessages } from './records'

const args = producerArgs()
const kafka = new Kafka({ clientId: 'peers-bare-kafkajs', brokers: args.brokers, logLevel: logLevel.NOTHING })
const producer = kafka.producer({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
})
await producer.connect()
await sendAll(args, firefrontMessages, async (messages) => {
  await producer.send({ topic: args.topic, acks: -1, messages })
})
await producer.disconnect()
