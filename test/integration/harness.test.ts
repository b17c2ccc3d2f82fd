import { execFile, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import mqtt from 'mqtt'
import { describe, expect, inject, it } from 'vitest'

const run = promisify(execFile)

describe('test harness: real Kafka', () => {
  it('1,000 messages produced with kafkajs are read back by kcat, count and content', async () => {
    const brokers = inject('kafkaBrokers')
    const topic = `harness-${randomUUID()}`
    const kafka = new Kafka({ clientId: 'harness-test', brokers: [brokers], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
    await admin.disconnect()
    const producer = kafka.producer({ idempotent: true })
    await producer.connect()
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }) }))
    await producer.send({ topic, acks: -1, messages })
    await producer.disconnect()

    const { stdout } = await run('kcat', ['-C', '-b', brokers, '-t', topic, '-e', '-q', '-f', '%k\t%s\n'], {
      maxBuffer: 1 << 24,
    })
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(1000)
    expect(lines[0]).toBe('k0\t{"i":0}')
    expect(lines[999]).toBe('k999\t{"i":999}')
    expect(new Set(lines).size).toBe(1000)
  })
})

describe('test harness: real MQTT', () => {
  it('a message published with mosquitto_pub is received by mqtt.js', async () => {
    const url = new URL(inject('mqttUrl'))
    const topic = `firefront/harness/${randomUUID()}`
    const client = await mqtt.connectAsync(url.toString(), { clientId: `harness-${randomUUID()}` })
    try {
      await client.subscribeAsync(topic, { qos: 1 })
      const received = new Promise<string>((resolve) =>
        client.on('message', (_t, payload) => resolve(payload.toString())),
      )
      const payload = JSON.stringify({ deviceId: 'sensor-1', temperatureC: 41.5 })
      const pub = spawn('mosquitto_pub', [
        '-h',
        url.hostname,
        '-p',
        url.port || '1883',
        '-q',
        '1',
        '-t',
        topic,
        '-m',
        payload,
      ])
      const code = await new Promise<number | null>((resolve) => pub.on('close', resolve))
      expect(code).toBe(0)
      expect(JSON.parse(await received)).toEqual({ deviceId: 'sensor-1', temperatureC: 41.5 })
    } finally {
      await client.endAsync()
    }
  })
})
