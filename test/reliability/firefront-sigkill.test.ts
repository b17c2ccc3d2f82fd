// Firefront SIGKILLed mid-stream and started again on the same state: with a pull source (the
// cursor resumes from what was acknowledged) and with the MQTT connector on a persistent session
// (the broker keeps the QoS 1 messages published while Firefront is down and hands them over at
// restart; what Firefront had acknowledged and not yet delivered comes from its intake journal).
// Every record must reach Kafka; what a kill can duplicate (at-least-once) is counted.
// Short in `npm test`; `npm run test:reliability` kills three times in a longer stream, and also
// runs the pull source with delivery: exactly_once, where nothing may be duplicated.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterEach, describe, expect, inject, it } from 'vitest'
import {
  type CounterServer,
  countKeys,
  startCounterServer,
  startWorker,
  type Worker,
  waitFor,
} from '../../packages/core/test/cluster/harness'
import { payloadDigest, recordKey } from '../../packages/connector-iot-mqtt/src/dedupe'
import { LONG, report, tally } from './ledger'
import { counterConfig, MQTT_TRUST, mqttConfig, sigkill, sleep, stopAll, untilAllDelivered } from './runs'

const KILLS = LONG ? 3 : 1

/** Records the restarted workers sent from their intake journal, as their logs say. */
function replayed(ws: readonly Worker[]): number {
  let n = 0
  for (const w of ws) {
    for (const line of w.output().split('\n')) {
      if (!line.includes('sending what the intake journal held')) continue
      try {
        n += (JSON.parse(line) as { records?: number }).records ?? 0
      } catch {
        // a line cut by the kill
      }
    }
  }
  return n
}

let dir: string
let server: CounterServer | undefined
let workers: Worker[] = []

afterEach(async () => {
  await stopAll(workers)
  workers = []
  await server?.close()
  server = undefined
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('Firefront SIGKILLed mid-stream and restarted', () => {
  const deliveries = LONG ? (['at_least_once', 'exactly_once'] as const) : (['at_least_once'] as const)
  for (const delivery of deliveries) {
    it(`a pull source: every record arrives after ${KILLS} SIGKILL(s) (${delivery})`, async () => {
      const brokers = inject('kafkaBrokers')
      dir = mkdtempSync(join(tmpdir(), 'firefront-reliability-pull-'))
      const total = LONG ? 3000 : 500
      const rate = LONG ? 40 : 50
      server = await startCounterServer(total, rate)
      const topic = `reliability-pull-${delivery}-${randomUUID().slice(0, 8)}`
      const config = counterConfig({ dir, brokers, topic, url: server.url, delivery })
      const keys = Array.from({ length: total }, (_, i) => `s1-${i + 1}`)

      let worker = await startWorker(config, 'w1')
      workers.push(worker)
      for (let k = 1; k <= KILLS; k++) {
        // kill at spread points of the stream: after about k/(KILLS+1) of the records were delivered
        const mark = Math.floor((total * k) / (KILLS + 1))
        await waitFor(`${mark} records delivered before kill ${k}`, 120_000, async () =>
          (await countKeys(brokers, topic)).size >= mark ? true : undefined,
        )
        await sleep(Math.floor(Math.random() * 400))
        await sigkill(worker)
        worker = await startWorker(config, `w1-restart-${k}`)
        workers.push(worker)
      }
      const seen = await untilAllDelivered(brokers, topic, keys, 180_000)
      await stopAll(workers)
      const t = tally(keys, seen)
      report(`Firefront SIGKILL x${KILLS}, pull source (${delivery})`, {
        checked: t.checked,
        lost: t.lost.length,
        duplicated: t.duplicated,
        accounted: t.checked - t.lost.length,
        detail: `restarts ${KILLS}, unexpected keys ${t.unexpected}`,
      })
      expect(t.lost, worker.output().slice(-3000)).toEqual([])
      expect(t.unexpected).toBe(0)
      if (delivery === 'exactly_once') expect(t.duplicated).toBe(0)
      expect(await worker.exited).toBe(0)
    }, 600_000)
  }

  // the mode's default buffer, and the smallest one (examples/kafka/mqtt-to-kafka.yaml's)
  // (the short run, inside `npm test`, takes the default buffer only)
  it.each([
    { buffer: 'default buffer', bufferSize: undefined },
    ...(LONG ? [{ buffer: 'buffer_size 1', bufferSize: 1 }] : []),
  ])(
    `the MQTT connector on a persistent session, $buffer: every message arrives, those published while it is down and those acknowledged but not yet in Kafka at a kill (${KILLS} SIGKILL(s))`,
    async ({ buffer, bufferSize }) => {
      const brokers = inject('kafkaBrokers')
      const mqttUrl = inject('mqttUrl')
      dir = mkdtempSync(join(tmpdir(), 'firefront-reliability-mqtt-'))
      const run = randomUUID().slice(0, 8)
      const topic = `reliability-mqtt-${run}`
      const prefix = `firefront-reliability/${run}`
      const config = mqttConfig({
        dir,
        brokers,
        topic,
        mqttUrl,
        filter: `${prefix}/+/telemetry`,
        clientId: `firefront-reliability-${run}`,
        ...(bufferSize ? { bufferSize } : {}),
      })
      const publisher = await mqtt.connectAsync(mqttUrl, { clientId: `reliability-pub-${run}`, clean: true })
      const base = Date.parse('2026-08-01T12:00:00Z')
      const keys: string[] = []
      const keysWhileDown = new Set<string>()
      let seq = 0
      let publishedWhileDown = 0
      let down = false
      const publish = async () => {
        seq++
        const ts = new Date(base + seq * 1000).toISOString()
        const payload = JSON.stringify({ deviceId: 'ws-1', ts, seq, temperatureC: 20 + (seq % 10) })
        // the key the connector gives it (device, kind, payload time and sequence, payload digest)
        keys.push(recordKey({ deviceId: 'ws-1', kind: 'sensor', ts, seq }, payloadDigest(Buffer.from(payload))))
        await publisher.publishAsync(`${prefix}/ws-1/telemetry`, payload, { qos: 1 })
        if (down) {
          publishedWhileDown++
          keysWhileDown.add(keys.at(-1)!)
        }
      }
      const subscribed = (w: Worker) =>
        waitFor('the subscription', 60_000, async () => (w.output().includes('"msg":"subscribed"') ? true : undefined))

      try {
        let worker = await startWorker(config, 'mqtt-1', MQTT_TRUST)
        workers.push(worker)
        await subscribed(worker)
        const perPhase = LONG ? 400 : 120
        for (let k = 1; k <= KILLS; k++) {
          // a steady stream of 50 messages/s, killed in the middle of it
          for (let i = 0; i < perPhase; i++) {
            await publish()
            await sleep(20)
          }
          await sigkill(worker)
          down = true
          for (let i = 0; i < perPhase / 2; i++) await publish()
          down = false
          worker = await startWorker(config, `mqtt-restart-${k}`, MQTT_TRUST)
          workers.push(worker)
          await subscribed(worker)
        }
        for (let i = 0; i < perPhase; i++) {
          await publish()
          await sleep(20)
        }
        // the last message and those published while down must arrive; then let the rest settle
        await untilAllDelivered(brokers, topic, [...keysWhileDown, keys.at(-1)!], 120_000)
        await stopAll(workers)
        const seen = await countKeys(brokers, topic)
        const t = tally(keys, seen)
        const lostWhileDown = t.lost.filter((k) => keysWhileDown.has(k))
        report(`Firefront SIGKILL x${KILLS}, MQTT persistent session, ${buffer}`, {
          checked: t.checked,
          lost: t.lost.length,
          duplicated: t.duplicated,
          accounted: t.checked - t.lost.length,
          detail: `published while down ${publishedWhileDown} (lost ${lostWhileDown.length}), restarts ${KILLS}, replayed from the intake journal ${replayed(workers)}`,
        })
        // The guarantees under test: the broker keeps what is published while Firefront is away, and
        // what Firefront acknowledged to the broker is in its intake journal, sent at the restart.
        expect(t.lost, `lost: ${t.lost.slice(0, 20).join(', ')}\n${worker.output().slice(-3000)}`).toEqual([])
        expect(t.unexpected).toBe(0)
        expect(await worker.exited).toBe(0)
      } finally {
        await publisher.endAsync()
      }
    },
    600_000,
  )
})
