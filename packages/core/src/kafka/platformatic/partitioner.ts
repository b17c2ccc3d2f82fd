/**
 * Partitioning identical to the Java client's and kafkajs' DefaultPartitioner: a keyed message
 * goes to `toPositive(murmur2(key)) % partitions`, so switching client backends never moves a key
 * to another partition. @platformatic/kafka's own default differs (`murmur2 >>> 0`), and its
 * murmur2 works on BigInts; this one is 32-bit integer arithmetic throughout.
 */

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/** Kafka's murmur2 hash of `data` (a signed 32-bit integer), as `Utils.murmur2` in the Java client. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  switch (length & 3) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the Java original falls through
    case 3:
      h ^= data[whole + 2]! << 16
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: the Java original falls through
    case 2:
      h ^= data[whole + 1]! << 8
    case 1:
      h ^= data[whole]!
      h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** The partition index (before `% partitions`) of a keyed message: never negative. */
export function keyHash(key: Uint8Array): number {
  return murmur2(key) & 0x7fffffff
}

/**
 * A partitioner for @platformatic/kafka's producer: keyed messages by {@link keyHash} (the
 * library takes the result modulo the topic's partition count), unkeyed ones round-robin per
 * topic, as kafkajs spreads them.
 */
export function createJavaCompatiblePartitioner(): (message: { topic: string }, key: Buffer | undefined) => number {
  const counters = new Map<string, number>()
  return (message, key) => {
    if (key !== undefined && key !== null) return keyHash(key)
    const next = ((counters.get(message.topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff
    counters.set(message.topic, next)
    return next
  }
}
