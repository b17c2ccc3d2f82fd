/**
 * The intake journal's price on a push source, journal off, on (the default), and on with
 * `fsync: true`; alternated rounds, medians, ratios against "off" measured in the same run:
 * 1. synthetic: messages per second into the runtime when each one is emitted and awaited one at
 *    a time, as the MQTT connector does before its PUBACK (the journal's cost per message);
 * 2. MQTT end to end: QoS 1 messages published to the local Mosquitto (127.0.0.1:1883, or
 *    MQTT_URL) and taken by the MQTT connector, through the runtime, to a sink that acknowledges
 *    at once — what a user sees. Left out with a note when no MQTT broker answers.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConnector, defineSink, type Plugin, Type } from '@firefront/sdk'
import mqtt from 'mqtt'
import { pino } from 'pino'
import iotMqtt from '../packages/connector-iot-mqtt/src/index'
import { loadConfigText } from '../packages/core/src/config/load'
import { StreamManager } from '../packages/core/src/runtime/stream-manager'
import { type BenchRow, median } from './harness'

const ROUNDS = 5
const MESSAGES = 20_000
/** fsync'd writes cost a disk flush each: fewer messages keep the round short. */
const FSYNC_MESSAGES = 1_000

type Variant = 'off' | 'on' | 'fsync'
const MQTT_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883'
const MQTT_MESSAGES = 5_000
/** QoS 1 publishes awaiting their PUBACK at once on the publisher's side. */
const PUBLISH_WINDOW = 100
/** Messages published and not yet at the sink, at most. */
const MAX_BACKLOG = 800

const journalBlock = (v: Variant) => (v === 'off' ? '{ enabled: false }' : `{ enabled: true, fsync: ${v === 'fsync'} }`)

/** A sink that acknowledges every record at once, counting them. */
function countingSink(onDelivered: (n: number) => void): Plugin<'sink'> {
  return defineSink({
    name: 'bench-null',
    version: '1.0.0',
    configSchema: Type.Object({}),
    create: () => ({
      send: async (batch) => {
        onDelivered(batch.records.length)
        return { delivered: batch.records.length, deadLettered: 0, spooled: 0 }
      },
    }),
  })
}

/** A runtime with one source `s` of `sourceType` (its connector's `config` as YAML), the variant's journal. */
function managerFor(
  dir: string,
  sourceType: string,
  variant: Variant,
  config: string,
  plugins: Plugin[],
): StreamManager {
  const loaded = loadConfigText(
    `state_dir: ${dir}/state
sink: { type: bench-null }
kafka: { batch_size: 500, batch_timeout_seconds: 0.01 }
queue_max_size: 50000
sources:
  s:
    source_type: ${sourceType}
    topic: readings
    ingestion: { mode: continuous_streaming }
    journal: ${journalBlock(variant)}
    config: ${config}
`,
    { file: join(dir, 'bench.yaml'), env: {} },
  )
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.path}: ${i.message}`).join('\n'))
  return new StreamManager({ config: loaded.config, logger: pino({ level: 'silent' }), plugins })
}

/** Messages per second from the first publish until the sink has them all. */
async function mqttRound(variant: Variant): Promise<number> {
  const n = variant === 'fsync' ? FSYNC_MESSAGES : MQTT_MESSAGES
  const dir = mkdtempSync(join(tmpdir(), 'firefront-bench-journal-mqtt-'))
  const run = randomUUID().slice(0, 8)
  let delivered = 0
  const manager = managerFor(
    dir,
    'iot_mqtt',
    variant,
    `{ url: ${JSON.stringify(MQTT_URL)}, topics: ["bench-journal/${run}/+/telemetry"], qos: 1, client_id: bench-journal-${run} }`,
    [iotMqtt as Plugin, countingSink((k) => (delivered += k))],
  )
  const publisher = await mqtt.connectAsync(MQTT_URL, { clientId: `bench-journal-pub-${run}`, clean: true })
  const payload = (i: number) =>
    JSON.stringify({
      deviceId: `ws-${i % 20}`,
      ts: new Date(Date.UTC(2026, 7, 1, 12) + i * 1000).toISOString(),
      seq: i,
      temperatureC: 21.5,
      humidity: 34,
    })
  try {
    await manager.startStream('s')
    // a probe until the subscription is live, so the timing starts with a subscribed connector
    for (let probe = 0; delivered === 0; probe++) {
      if (probe > 600) throw new Error(`no MQTT message came through from ${MQTT_URL} in 30 s`)
      await publisher.publishAsync(`bench-journal/${run}/probe/telemetry`, payload(-1 - probe), { qos: 1 })
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const before = delivered
    const started = performance.now()
    const inFlight = new Set<Promise<unknown>>()
    for (let i = 0; i < n; i++) {
      // Mosquitto drops QoS 1 messages for a subscriber with more than max_queued_messages (1000
      // by default) waiting: the publisher keeps the backlog under that, so the rate measured is
      // the one the subscriber sustains, not one the broker reaches by dropping.
      while (i - (delivered - before) > MAX_BACKLOG) await new Promise((resolve) => setTimeout(resolve, 1))
      const p = publisher.publishAsync(`bench-journal/${run}/ws-${i % 20}/telemetry`, payload(i), { qos: 1 })
      inFlight.add(p)
      void p.finally(() => inFlight.delete(p))
      if (inFlight.size >= PUBLISH_WINDOW) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    const giveUp = performance.now() + 120_000
    while (delivered - before < n) {
      if (performance.now() > giveUp) throw new Error(`journal ${variant}: ${delivered - before} of ${n} arrived`)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    return n / ((performance.now() - started) / 1000)
  } finally {
    await publisher.endAsync()
    await manager.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function mqttAnswers(): Promise<boolean> {
  try {
    const c = await mqtt.connectAsync(MQTT_URL, { connectTimeout: 2000, reconnectPeriod: 0 })
    await c.endAsync()
    return true
  } catch {
    return false
  }
}

async function round(variant: Variant): Promise<number> {
  const n = variant === 'fsync' ? FSYNC_MESSAGES : MESSAGES
  const dir = mkdtempSync(join(tmpdir(), 'firefront-bench-journal-'))
  let delivered = 0
  let started = 0
  let emitted = 0
  const sensors = defineConnector({
    name: 'bench-sensors',
    version: '1.0.0',
    sourceTypes: ['bench_sensors'],
    configSchema: Type.Object({}),
    create: () => ({
      mode: 'push',
      async subscribe(emit, signal) {
        started = performance.now()
        for (let i = 0; i < n && !signal.aborted; i++) {
          // a Tasmota-like SENSOR reading, ~300 bytes as JSON
          await emit({
            key: `ridge-${i % 50}:sensor:2026-08-01T12:${String(i % 60).padStart(2, '0')}:00:${i}`,
            value: {
              deviceId: `ridge-${i % 50}`,
              kind: 'sensor',
              time: '2026-08-01T12:00:00Z',
              readings: { temperatureC: 21.5, humidity: 34, pm25: 12, pressureHpa: 1011.2, windKmh: 14.4 },
              units: { temperatureC: '°C', humidity: '%', pm25: 'µg/m³', pressureHpa: 'hPa', windKmh: 'km/h' },
              seq: i,
            },
            eventTime: '2026-08-01T12:00:00.000Z',
            headers: { 'mqtt-topic': `tele/ridge-${i % 50}/SENSOR`, 'mqtt-kind': 'sensor' },
          })
          emitted++
        }
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
      },
    }),
  })
  const manager = managerFor(dir, 'bench_sensors', variant, '{}', [sensors, countingSink((k) => (delivered += k))])
  await manager.startStream('s')
  while (emitted < n) await new Promise((resolve) => setTimeout(resolve, 2))
  const seconds = (performance.now() - started) / 1000
  await manager.stop()
  rmSync(dir, { recursive: true, force: true })
  if (delivered !== n) throw new Error(`journal ${variant}: ${delivered} of ${n} delivered`)
  return n / seconds
}

/** Alternated rounds of the three variants; rows of rates, and ratios against "off" per round. */
async function measure(
  part: string,
  run: (v: Variant) => Promise<number>,
  sizes: Record<Variant, number>,
): Promise<BenchRow[]> {
  const order: Variant[] = ['off', 'on', 'fsync']
  const rates = new Map<Variant, number[]>(order.map((v) => [v, []]))
  const ratios = { on: [] as number[], fsync: [] as number[] }
  await run('on') // warm-up, not counted
  for (let r = 0; r < ROUNDS; r++) {
    const turn = r % 2 === 0 ? order : [...order].reverse()
    const got = new Map<Variant, number>()
    for (const v of turn) got.set(v, await run(v))
    for (const [v, rate] of got) rates.get(v)!.push(rate)
    ratios.on.push(got.get('on')! / got.get('off')!)
    ratios.fsync.push(got.get('fsync')! / got.get('off')!)
  }
  const label: Record<Variant, string> = { off: 'journal off', on: 'journal on (default)', fsync: 'journal on, fsync' }
  const rows: BenchRow[] = order.map((v) => ({
    suite: 'journal',
    name: `${part}: messages/s, ${label[v]}`,
    value: median(rates.get(v)!),
    unit: 'msg/s',
    note: `${sizes[v]} per round, median of ${ROUNDS}: ${rates
      .get(v)!
      .map((x) => Math.round(x))
      .join(' / ')}`,
  }))
  for (const v of ['on', 'fsync'] as const) {
    rows.push({
      suite: 'journal',
      name: `${part}: ${label[v]} ÷ off`,
      value: median(ratios[v]),
      unit: 'ratio',
      note: `per round: ${ratios[v].map((x) => x.toFixed(3)).join(', ')}`,
    })
  }
  return rows
}

export default async function bench(): Promise<BenchRow[]> {
  const rows = await measure('synthetic, emit awaited one at a time', round, {
    off: MESSAGES,
    on: MESSAGES,
    fsync: FSYNC_MESSAGES,
  })
  const off = rows[0]!.value
  const on = rows[1]!.value
  rows.push({
    suite: 'journal',
    name: 'synthetic: journal cost per message',
    value: (1 / on - 1 / off) * 1e6,
    unit: 'µs',
    note: 'from the medians: 1/on − 1/off',
  })
  if (await mqttAnswers()) {
    rows.push(
      ...(await measure('MQTT end to end (Mosquitto, QoS 1)', mqttRound, {
        off: MQTT_MESSAGES,
        on: MQTT_MESSAGES,
        fsync: FSYNC_MESSAGES,
      })),
    )
  } else {
    process.stderr.write(`bench journal: no MQTT broker at ${MQTT_URL}; the end-to-end part is left out\n`)
  }
  return rows
}
