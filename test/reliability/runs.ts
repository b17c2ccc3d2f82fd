/**
 * Firefront processes for the reliability tests: config files for a pull source (the cluster tests'
 * counter connector reading a local HTTP server) and for the MQTT connector, both into Kafka, and
 * waiting for a topic to hold every key. Processes are the cluster harness's workers (the built CLI).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { countKeys, FIXTURES, stopAll, type Worker, waitFor } from '../../packages/core/test/cluster/harness'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The built MQTT connector and the folder to trust it from (it lies outside the test's config folder). */
export const MQTT_PLUGIN = join(ROOT, 'packages/connector-iot-mqtt/dist/index.js')
export const MQTT_TRUST = ['--allow-plugin-path', join(ROOT, 'packages/connector-iot-mqtt')]

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export { sleep }

/** The kafka and state part every config here shares. */
function common(dir: string, brokers: string, topic: string, delivery: 'at_least_once' | 'exactly_once'): string {
  return `state_dir: ${JSON.stringify(join(dir, 'state'))}
kafka:
  bootstrap_servers: ${brokers}
  batch_timeout_seconds: 0.1
  retry_backoff_max: 2
  topics: { partitions: 2 }
delivery: ${delivery}
enable_dlq: true
dlq: { topic: ${topic}.dlq }
${delivery === 'exactly_once' ? `cursors: { store: kafka, topic: ${topic}.cursors }\n` : ''}shutdown_timeout_seconds: 20
log_level: info
`
}

/** A config with one counter source `s1` polling `url` every 0.2 s, pages of `page` records. */
export function counterConfig(o: {
  dir: string
  brokers: string
  topic: string
  url: string
  page?: number
  delivery?: 'at_least_once' | 'exactly_once'
  extra?: string
}): string {
  const file = join(o.dir, 'counter.yaml')
  writeFileSync(
    file,
    `plugins: [${JSON.stringify(join(FIXTURES, 'counter-connector.mjs'))}]
${common(o.dir, o.brokers, o.topic, o.delivery ?? 'at_least_once')}${o.extra ?? ''}
sources:
  s1:
    source_type: counter
    topic: ${o.topic}
    rate_limit_per_minute: 60000
    cache_ttl_seconds: 0
    ingestion: { mode: real_time, polling_interval_seconds: 0.2 }
    config: { url: "${o.url}", source: s1, page_size: ${o.page ?? 50} }
`,
  )
  return file
}

/** A config with one iot_mqtt source on a persistent session (clean_session false, QoS 1). */
export function mqttConfig(o: {
  dir: string
  brokers: string
  topic: string
  mqttUrl: string
  filter: string
  clientId: string
  /** The continuous_streaming buffer; omitted: the mode's default (100 records or 5 s). */
  bufferSize?: number
}): string {
  const file = join(o.dir, 'mqtt.yaml')
  writeFileSync(
    file,
    `plugins: [${JSON.stringify(MQTT_PLUGIN)}]
${common(o.dir, o.brokers, o.topic, 'at_least_once')}
sources:
  sensors:
    source_type: iot_mqtt
    topic: ${o.topic}
    ingestion: { mode: continuous_streaming${o.bufferSize ? `, buffer_size: ${o.bufferSize}` : ''} }
    config:
      url: ${JSON.stringify(o.mqttUrl)}
      topics: [${JSON.stringify(o.filter)}]
      client_id: ${JSON.stringify(o.clientId)}
      clean_session: false
      qos: 1
`,
  )
  return file
}

/** Waits until `topic` holds every one of `keys` (at least once), then returns the copies per key. */
export async function untilAllDelivered(
  brokers: string,
  topic: string,
  keys: readonly string[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  let last = new Map<string, number>()
  try {
    return await waitFor(`every one of ${keys.length} keys in ${topic}`, timeoutMs, async () => {
      last = await countKeys(brokers, topic)
      return keys.every((k) => last.has(k)) ? last : undefined
    })
  } catch (err) {
    // the caller reports what was lost; the last reading is the evidence
    if (last.size === 0) throw err
    return last
  }
}

/** SIGKILLs a worker (no shutdown code runs) and waits until it is gone. */
export async function sigkill(w: Worker): Promise<void> {
  w.child.kill('SIGKILL')
  await w.exited
}

export { stopAll }
