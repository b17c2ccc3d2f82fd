import { readFileSync } from 'node:fs'
import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startConnector, startTransportsMosquitto, withoutDigest } from './mqtt-harness'

let broker: Awaited<ReturnType<typeof startTransportsMosquitto>>
beforeAll(async () => {
  broker = await startTransportsMosquitto()
})
afterAll(() => broker.stop())

const reading = JSON.stringify({ deviceId: 'ws-1', ts: '2026-08-01T12:00:01Z', seq: 1 })

const publishOverTls = async (): Promise<void> => {
  const publisher = await connectAsync(broker.mqttsUrl, { ca: readFileSync(broker.caPath) })
  await publisher.publishAsync('sensors/ws-1', reading, { qos: 1 })
  await publisher.endAsync()
}

describe('transports', () => {
  it('mqtts:// with ca_path', async () => {
    const run = await startConnector({
      url: broker.mqttsUrl,
      topics: ['sensors/#'],
      ca_path: broker.caPath,
      clean_session: true,
    })
    await run.waitForLog('subscribed')
    await publishOverTls()
    await run.waitFor(1)
    await run.stop()
    expect(run.error).toBeUndefined()
    expect(run.records.map((r) => withoutDigest(r.key))).toEqual(['ws-1:sensor:2026-08-01T12:00:01.000Z:1'])
  })

  it('mqtts:// refuses an unknown certificate as a configuration error, unless reject_unauthorized is false', async () => {
    const refused = await startConnector({ url: broker.mqttsUrl, topics: ['sensors/#'], clean_session: true })
    await refused.done
    expect(refused.error).toMatchObject({
      code: 'ERR_CONNECTOR_CONFIG',
      message: expect.stringMatching(/certificate/i),
    })

    const lax = await startConnector({
      url: broker.mqttsUrl,
      topics: ['sensors/#'],
      reject_unauthorized: false,
      clean_session: true,
    })
    await lax.waitForLog('subscribed')
    await lax.stop()
    expect(lax.error).toBeUndefined()
  })

  it('an unreadable ca_path is a configuration error', async () => {
    const run = await startConnector({
      url: broker.mqttsUrl,
      topics: ['a/#'],
      ca_path: '/nonexistent/ca.pem',
      clean_session: true,
    })
    await run.done
    expect(run.error).toMatchObject({ code: 'ERR_CONNECTOR_CONFIG', message: expect.stringContaining('ca_path') })
  })

  it('ws://', async () => {
    const run = await startConnector({ url: broker.wsUrl, topics: ['sensors/#'], clean_session: true })
    await run.waitForLog('subscribed')
    const publisher = await connectAsync(broker.wsUrl)
    await publisher.publishAsync('sensors/ws-1', reading, { qos: 1 })
    await publisher.endAsync()
    await run.waitFor(1)
    await run.stop()
    expect(run.records[0]?.headers).toMatchObject({ 'mqtt-topic': 'sensors/ws-1', 'mqtt-qos': '1' })
  })
})
