// The Kafka broker SIGKILLed mid-stream (no controlled shutdown) and started again on its data
// while `firefront run` keeps polling a pull source: batches go to the disk spool while it is away
// and are replayed when it is back. Every record must arrive; duplicates are counted. The broker is
// this file's own (port 19592, under the cross-run lock), never the shared one.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type CounterServer,
  countKeys,
  startCounterServer,
  startWorker,
  type Worker,
  waitFor,
} from '../../packages/core/test/cluster/harness'
import { withOwnBroker } from '../../packages/core/test/kafka/exclusive-broker'
import { LONG, report, tally } from './ledger'
import { counterConfig, sleep, stopAll, untilAllDelivered } from './runs'

const OWN_BROKER_PORT = 19592
const DOWN_SECONDS = LONG ? 30 : 10

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

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = new Socket()
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
    s.connect(port, '127.0.0.1')
  })

describe('the Kafka broker SIGKILLed mid-stream and restarted', () => {
  it(`every record arrives through the spool (broker down ${DOWN_SECONDS} s)`, async () => {
    await withOwnBroker(OWN_BROKER_PORT, async (broker) => {
      dir = mkdtempSync(join(tmpdir(), 'firefront-reliability-broker-'))
      const total = LONG ? 4000 : 800
      server = await startCounterServer(total, LONG ? 50 : 40)
      const topic = `reliability-broker-${randomUUID().slice(0, 8)}`
      const config = counterConfig({ dir, brokers: broker.brokers, topic, url: server.url })
      const keys = Array.from({ length: total }, (_, i) => `s1-${i + 1}`)
      const worker = await startWorker(config, 'w1')
      workers.push(worker)

      await waitFor('a quarter of the records delivered', 120_000, async () =>
        (await countKeys(broker.brokers, topic)).size >= total / 4 ? true : undefined,
      )
      broker.kill()
      await waitFor('the broker gone', 30_000, async () => ((await answers(broker.port)) ? undefined : true))
      const killedAt = Date.now()
      await sleep(DOWN_SECONDS * 1000)
      const offered = server.available()
      broker.restart()
      const downFor = (Date.now() - killedAt) / 1000

      const seen = await untilAllDelivered(broker.brokers, topic, keys, 240_000)
      await stopAll(workers)
      const t = tally(keys, seen)
      report(`Kafka broker SIGKILL, down ${DOWN_SECONDS} s`, {
        checked: t.checked,
        lost: t.lost.length,
        duplicated: t.duplicated,
        accounted: t.checked - t.lost.length,
        detail: `broker away ${downFor.toFixed(1)} s (restart included), records offered by then ${offered}`,
        measured: { down_seconds: Math.round(downFor) },
      })
      expect(t.lost, worker.output().slice(-3000)).toEqual([])
      expect(t.unexpected).toBe(0)
      // the run saw the outage and came back from it
      expect(worker.output()).toMatch(/kafka is reachable again|spool/)
      expect(await worker.exited).toBe(0)
    })
  }, 900_000)
})
