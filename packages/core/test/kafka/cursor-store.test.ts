import { randomUUID } from 'node:crypto'
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs'
import { describe, expect, inject, it } from 'vitest'
import { main } from '../../src/cli/main'
import { StreamManager } from '../../src/runtime/stream-manager'
import { KafkaCursorStore } from '../../src/kafka/cursor-store'
import { BACKENDS as CLIENTS } from './clients'
import { configFrom, quietLogger, readOutput, sequenceConnector, tempDir } from '../pipeline/helpers'

describe('cursors in a compacted Kafka topic', () => {
  for (const { client, missing } of CLIENTS) {
    it.skipIf(missing !== undefined)(
      `commits, resets and reads back across instances; the topic is compacted (kafka.client ${client}${missing ? `, skipped: ${missing}` : ''})`,
      async () => {
        const brokers = inject('kafkaBrokers')
        const topic = `cursors-${randomUUID()}`
        const config = configFrom(
          `kafka: { bootstrap_servers: "${brokers}", client: ${client} }\ncursors: { store: kafka, topic: ${topic} }\n`,
        )
        const first = await KafkaCursorStore.open(config)
        expect(first.list()).toEqual({})
        await first.commit('firms', { VIIRS_SNPP_NRT: '2026-11-27T01:00:00Z' }, 10)
        await first.commit('firms', { VIIRS_SNPP_NRT: '2026-11-27T02:00:00Z' }, 5)
        await first.commit('noaa', 'etag-1')
        await first.reset('noaa')
        await first.close()

        const second = await KafkaCursorStore.open(config)
        expect(second.get('firms')).toMatchObject({ cursor: { VIIRS_SNPP_NRT: '2026-11-27T02:00:00Z' }, records: 15 })
        expect(second.get('noaa')).toBeUndefined()
        await second.close()

        const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin()
        await admin.connect()
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
        })
        await admin.disconnect()
        expect(described.resources[0]?.configEntries[0]?.configValue).toBe('compact')
      },
    )
  }

  it('a restarted StreamManager resumes from the Kafka store; `firefront cursors` lists it', async () => {
    const brokers = inject('kafkaBrokers')
    const dir = tempDir()
    const yaml = `state_dir: ${dir}/state
kafka: { bootstrap_servers: "${brokers}" }
cursors: { store: kafka, topic: cursors-${randomUUID()} }
sink: { type: file, config: { directory: ${dir}/out } }
sources:
  seq: { source_type: sequence, topic: t, rate_limit_per_minute: 600000, ingestion: { mode: batch, max_pages_per_cycle: 2 }, config: { total: 30, per_poll: 10 } }
`
    for (let i = 0; i < 2; i++) {
      const manager = new StreamManager({
        config: configFrom(yaml),
        logger: quietLogger(),
        plugins: [sequenceConnector],
      })
      await manager.runOnce()
      await manager.stop()
    }
    const ns = readOutput(`${dir}/out`)
      .get('t')!
      .map((r) => (r.value as { n: number }).n)
    expect(ns).toEqual(Array.from({ length: 30 }, (_, n) => n))

    const file = `${dir}/firefront.yaml`
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, yaml)
    let out = ''
    expect(
      await main(['cursors', file], { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } }),
    ).toBe(0)
    expect(out).toMatch(/^seq\s+\S+Z\s+no\s+30$/m)
  })
})
