import type { TestProject } from 'vitest/node'
import { startKafka } from './kafka'
import { ensureMqtt } from './mqtt'
import { checkOperatorTools } from './operator-tools'
import { ensureWitnessTools } from './tools'

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string
    mqttUrl: string
  }
}

/**
 * Starts what the suite needs: a real Kafka broker (unless KAFKA_BROKERS names one), an MQTT
 * broker, and the witness tools. Everything started here is stopped in the returned teardown.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  ensureWitnessTools()
  checkOperatorTools()
  const stops: Array<() => void> = []
  let brokers = process.env.KAFKA_BROKERS
  if (!brokers) {
    const kafka = startKafka(Number(process.env.KAFKA_TEST_PORT ?? 19092))
    brokers = kafka.brokers
    stops.push(kafka.stop)
  }
  const mqtt = await ensureMqtt()
  stops.push(mqtt.stop)
  process.env.KAFKA_BROKERS = brokers
  process.env.MQTT_URL = mqtt.url
  project.provide('kafkaBrokers', brokers)
  project.provide('mqttUrl', mqtt.url)
  return () => {
    for (const stop of stops.reverse()) stop()
  }
}
