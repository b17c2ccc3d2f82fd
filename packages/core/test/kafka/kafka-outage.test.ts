/**
 * The kafka sink when Kafka goes away: an unreachable address, and a broker stopped by its PID
 * mid-stream and started again. Nothing is lost; the spool takes the batches and replays them.
 * The broker that is stopped is this file's own (port 19392, under a lock), never the shared one.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SinkBatch, SinkRecord } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { CLIENTS } from './clients'
import { createKafkaSink, inspectDlq, type KafkaSinkInstance, resolveKafkaSinkConfig } from '../../src/sinks/kafka'
import { withOwnBroker } from './exclusive-broker'
import { readTopic, uniqueTopic } from './kcat'

const OWN_BROKER_PORT = 19392

const rec = (n: number): SinkRecord => ({
  key: `r-${n}`,
  value: { n, frp: n * 0.5, confidence: 'nominal' },
  sourceId: 'iot-ca',
  sourceType: 'iot_mqtt',
  priority: 'normal',
  ingestedAt: new Date().toISOString(),
})
const batch = (topic: string, from: number, size: number): SinkBatch => ({
  topic,
  sourceId: 'iot-ca',
  sourceType: 'iot_mqtt',
  records: Array.from({ length: size }, (_, i) => rec(from + i)),
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The backend the current describe block runs on. */
let settings: Readonly<Record<string, unknown>> = { client: 'kafkajs' }

const sinks: KafkaSinkInstance[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close?.()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const stateDirFor = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `firefront-kafka-${name}-`))
  dirs.push(d)
  return d
}

function makeSink(brokers: string, stateDir: string, extra: Record<string, unknown> = {}) {
  const config = resolveKafkaSinkConfig({
    state_dir: stateDir,
    dlq: { topic: 'ff-it-outage-dlq' },
    ...extra,
    kafka: {
      bootstrap_servers: brokers,
      ...settings,
      retry_backoff_max: 2,
      topics: { partitions: 3 },
      ...(extra.kafka as object),
    },
  })
  const fake = createFakeContext({ id: 'sink:kafka#outage' })
  const sink = createKafkaSink(config, fake.ctx)
  sinks.push(sink)
  return { sink, ...fake }
}

for (const { name: each, settings: chosen, missing } of CLIENTS) {
  describe.skipIf(missing !== undefined)(
    `kafka sink when Kafka is away — kafka.client ${each}${missing ? ` (skipped: ${missing})` : ''}`,
    () => {
      beforeAll(() => {
        settings = chosen
      })

      it('with a wrong bootstrap address: a clear error, batches spooled, no crash; a new instance on the same spool replays them', async () => {
        const stateDir = stateDirFor('outage')
        const topic = uniqueTopic('ff-it-wrong-addr')
        const away = makeSink('127.0.0.1:1', stateDir)
        await away.sink.start?.()
        expect(await away.sink.send(batch(topic, 0, 25))).toEqual({ delivered: 0, deadLettered: 0, spooled: 25 })
        expect(await away.sink.send(batch(topic, 25, 25))).toEqual({ delivered: 0, deadLettered: 0, spooled: 25 })
        const health = await away.sink.health()
        expect(health).toMatchObject({ healthy: false, connected: false, spool_entries: 2 })
        // each client says it its own way: kafkajs "connect ECONNREFUSED 127.0.0.1:1", librdkafka
        // "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused"
        expect(String(health.last_error)).toMatch(/ECONNREFUSED 127\.0\.0\.1:1|127\.0\.0\.1:1.*Connection refused/)
        expect(away.logs.some((l) => l.level === 50 && /cannot reach kafka at 127\.0\.0\.1:1/.test(l.msg))).toBe(true)
        await away.sink.close?.()

        const brokers = inject('kafkaBrokers')
        // What `firefront dlq` would list meanwhile: nothing dead-lettered, 50 records in the spool.
        const listed = await inspectDlq(
          resolveKafkaSinkConfig({ state_dir: stateDir, kafka: { bootstrap_servers: brokers } }),
        )
        expect(listed.spool).toMatchObject({
          entries: 2,
          records: 50,
          byTopic: { [topic]: 50 },
          bySource: { 'iot-ca': 50 },
          byReason: { unavailable: 50 },
          deadLetters: 0,
        })

        const back = makeSink(brokers, stateDir)
        await back.sink.start?.() // replays the spool before resolving
        expect(back.sink.metrics()).toMatchObject({ replayed: 50, spool_entries: 0, connected: true })
        const got = readTopic(brokers, topic)
        expect(got.map((m) => m.key).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `r-${i}`).sort())
        expect(back.logs.some((l) => /spool holds 2 batch\(es\) from an earlier run/.test(l.msg))).toBe(true)
      })

      it('with the broker stopped mid-stream for ~20 s: every record arrives, through the spool, exactly once', async () => {
        await withOwnBroker(OWN_BROKER_PORT, async (broker) => {
          const stateDir = stateDirFor('restart')
          const { sink, logs } = makeSink(broker.brokers, stateDir)
          await sink.start?.()
          const topic = uniqueTopic('ff-it-restart')
          await sink.ensureTopics([topic])

          // A steady stream: a batch of 20 every 100 ms, each send awaited as the runtime does.
          let next = 0
          let streaming = true
          const totals = { delivered: 0, spooled: 0, deadLettered: 0 }
          const stream = (async () => {
            while (streaming) {
              const r = await sink.send(batch(topic, next, 20))
              next += 20
              totals.delivered += r.delivered
              totals.spooled += r.spooled
              totals.deadLettered += r.deadLettered
              await sleep(100)
            }
          })()

          await sleep(3000)
          broker.stop()
          await sleep(20_000)
          expect(sink.metrics()).toMatchObject({ connected: false })
          expect(totals.spooled).toBeGreaterThan(0)
          broker.restart()
          await sleep(5000)
          streaming = false
          await stream
          for (let i = 0; i < 120 && sink.metrics().spool_entries > 0; i++) await sleep(500)
          const m = sink.metrics()
          await sink.close?.()

          expect(totals.deadLettered).toBe(0)
          expect(totals.delivered + totals.spooled).toBe(next)
          expect(m).toMatchObject({ spool_entries: 0, connected: true })
          expect(m.spooled).toBeGreaterThan(0)
          expect(m.replayed).toBe(m.spooled)
          expect(logs.some((l) => /kafka is reachable again/.test(l.msg))).toBe(true)

          const got = readTopic(broker.brokers, topic)
          const seen = new Map<string, number>()
          for (const msg of got) seen.set(msg.key!, (seen.get(msg.key!) ?? 0) + 1)
          const missing = Array.from({ length: next }, (_, i) => `r-${i}`).filter((k) => !seen.has(k))
          const duplicated = [...seen.values()].filter((n) => n > 1).length
          expect(missing).toEqual([])
          // Idempotent producer, and the spooled batch replayed with the sequence it failed with:
          // the broker keeps one copy of each record.
          expect(duplicated).toBe(0)
          expect(got).toHaveLength(next)
          // Per key order holds too: within each partition, offsets follow the records' order.
          const byPartition = new Map<number, number[]>()
          for (const msg of [...got].sort((a, b) => a.offset - b.offset)) {
            byPartition.set(msg.partition, [...(byPartition.get(msg.partition) ?? []), Number(msg.key!.slice(2))])
          }
          for (const ns of byPartition.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b))
        })
      }, 480_000)
    },
  )
}
