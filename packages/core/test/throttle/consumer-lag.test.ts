import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { validateConfig } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { describe, expect, inject, it } from 'vitest'
import { ConsumerLagConfig, consumerLagThrottlePolicy, LagThrottle } from '../../src/throttle/consumer-lag'
import { createKafkaLagReader } from '../../src/kafka/lag-reader'

const config = (over: Record<string, unknown> = {}) => {
  const r = validateConfig(ConsumerLagConfig, {
    min_send_rate: 1,
    max_send_rate: 100,
    target_consumer_lag: 1000,
    critical_consumer_lag: 5000,
    adjustment_factor: 2,
    ...over,
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.value
}

describe('LagThrottle (AIMD on consumer lag)', () => {
  it('allows at the max rate while lag is under target, paced at 1/rate', () => {
    const t = new LagThrottle(config())
    t.observe(10)
    expect(t.state).toBe('allow')
    expect(t.rate).toBe(100)
    expect(t.delayFor(0)).toBe(0)
    expect(t.delayFor(0)).toBe(10)
    expect(t.delayFor(0)).toBe(20)
  })

  it('divides the rate above target, backs off exponentially above critical, recovers additively', () => {
    const t = new LagThrottle(config())
    t.observe(2000)
    expect(t.state).toBe('throttle_moderate')
    expect(t.rate).toBe(50)
    t.observe(9000)
    expect(t.state).toBe('throttle_critical')
    expect(t.rate).toBe(12.5)
    expect(t.backoffLevel).toBe(1)
    t.observe(9000)
    expect(t.backoffLevel).toBe(2)
    expect(t.rate).toBeCloseTo(3.125)
    const d = t.delayFor(1_000_000)
    expect(d).toBe(2000) // backoff 1 s × factor^(level−1)
    t.observe(0)
    expect(t.state).toBe('allow')
    expect(t.rate).toBeCloseTo(3.125 + 9.9)
    for (let i = 0; i < 20; i++) t.observe(0)
    expect(t.rate).toBe(100)
    expect(t.rate).toBeGreaterThanOrEqual(1)
  })

  it('never goes under min_send_rate', () => {
    const t = new LagThrottle(config())
    for (let i = 0; i < 50; i++) t.observe(100000)
    expect(t.rate).toBe(1)
  })
})

describe('consumer lag read from the real broker', () => {
  it('is high watermark minus the committed offset of the group, and drives the policy', async () => {
    const brokers = inject('kafkaBrokers')
    const topic = `lag-${randomUUID()}`
    const groupId = `lag-group-${randomUUID()}`
    const kafka = new Kafka({ clientId: 'lag-test', brokers: [brokers], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
    // idempotent: a retried send must not write records twice (the lag counts them)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    await producer.send({
      topic,
      messages: Array.from({ length: 60 }, (_, i) => ({ partition: i % 2, value: String(i) })),
    })
    await producer.disconnect()
    // the group has consumed 10 of partition 0 and 5 of partition 1
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '10' },
        { partition: 1, offset: '5' },
      ],
    })
    await admin.disconnect()

    const reader = createKafkaLagReader({ brokers: [brokers], groups: [groupId] })
    const snap = await reader.read()
    await reader.close()
    expect(snap.byGroup[groupId]).toBe(30 - 10 + (30 - 5))
    expect(snap.maxLag).toBe(45)

    const fake = createFakeContext()
    const policy = await consumerLagThrottlePolicy.create(
      config({ brokers: [brokers], consumer_groups: [groupId], target_consumer_lag: 10, critical_consumer_lag: 40 }),
      fake.ctx,
    )
    await policy.start?.()
    const decision = await policy.check({ sourceId: 's', topic, size: 1 })
    const metrics = policy.metrics()
    await policy.close?.()
    expect(decision.action).toBe('throttle_critical')
    expect(metrics).toMatchObject({ current_state: 'throttle_critical', consumer_lag: 45, lag_reads: 1 })
  })
})
