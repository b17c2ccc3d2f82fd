/**
 * Reads a topic from its first offset to the high watermark taken when called, with a throw-away
 * consumer group that commits nothing and is deleted after, as the kafkajs backend does. Both
 * read committed records only: the end is the last stable offset, before any open transaction.
 */
import { randomUUID } from 'node:crypto'
import { FirefrontError } from '@firefront/sdk'
import { type Admin, type BaseOptions, Consumer, type Message, type MessagesStream } from '@platformatic/kafka'
import type { ReadTopicOptions, TopicRecord } from '../transport'
import { headerStrings } from './messages'
import { closeWithin, forceClose } from './close-clients'
import { topicWatermarks } from './topic-admin'

/** The prefix of the reader's consumer groups (a random suffix follows). */
export const READER_GROUP_PREFIX = 'firefront-reader-'

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>

/**
 * Visits every record of `topic` below the high watermarks taken now, in offset order per
 * partition; resolves with the number of records the topic held (0 when it does not exist).
 * Throws `ERR_TIMEOUT` after `timeoutMs`.
 */
export async function readTopicToEnd(
  admin: Admin,
  clientOptions: BaseOptions,
  topic: string,
  visit: (record: TopicRecord) => void,
  { timeoutMs }: ReadTopicOptions,
): Promise<number> {
  if (!(await admin.listTopics()).includes(topic)) return 0
  const ends = new Map<number, bigint>()
  let total = 0n
  for (const [partition, { low, high }] of await topicWatermarks(admin, topic)) {
    if (high > low) {
      ends.set(partition, high)
      total += high - low
    }
  }
  if (ends.size === 0) return 0

  const groupId = `${READER_GROUP_PREFIX}${randomUUID()}`
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
    ...clientOptions,
    groupId,
    autocommit: false,
    autocreateTopics: false,
  })
  let stream: Stream | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FirefrontError('ERR_TIMEOUT', `reading ${topic} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      )
    })
    // The rejection is observed by the races below; this keeps an unraced one from surfacing.
    timedOut.catch(() => {})
    stream = await Promise.race([consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false }), timedOut])
    const reading = stream
    const done = new Set<number>()
    await Promise.race([
      timedOut,
      new Promise<void>((resolve, reject) => {
        // A partition is read when its last record below the end came out, or when the stream's
        // next fetch offset passed the end once every record fetched was handed over: a
        // transaction's commit marker, or an aborted transaction's records, take offsets but never
        // come out as messages. The stream moves that offset before it hands the fetch's records
        // over, all at once, right after its 'fetch' event: it is looked at after them.
        const fetched = (): void => {
          if (reading.readableLength > 0) return
          for (const [partition, end] of ends) {
            if ((reading.offsetsToFetch.get(`${topic}:${partition}`) ?? 0n) >= end) done.add(partition)
          }
          if (done.size === ends.size) resolve()
        }
        reading.on('error', reject)
        reading.on('fetch', () => setImmediate(fetched))
        reading.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => {
          const end = ends.get(message.partition)
          if (end === undefined || done.has(message.partition)) return
          if (message.offset < end) {
            try {
              visit({
                partition: message.partition,
                offset: message.offset.toString(),
                key: message.key ?? null,
                value: message.value ?? null,
                timestamp: message.timestamp.toString(),
                headers: headerStrings(message.headers),
              })
            } catch (err) {
              reject(err)
              return
            }
          }
          if (message.offset + 1n >= end) {
            done.add(message.partition)
            if (done.size === ends.size) resolve()
          }
        })
      }),
    ])
  } finally {
    clearTimeout(timer)
    const open = stream
    if (open) await closeWithin(() => open.close(), 'the reader stream').catch(() => {})
    await closeWithin(() => forceClose(consumer), 'the reader').catch(() => {})
    // The group never committed; removing it keeps the broker's group list clean.
    await admin.deleteGroups({ groups: [groupId] }).catch(() => {})
  }
  return Number(total)
}
