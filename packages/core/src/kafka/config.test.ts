import { manifestProblems, validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { FirefrontConfig } from '../config/schema'
import { brokerList, kafkaSinkConfigFrom, resolveKafkaSinkConfig, spoolDirectory } from './config'
import { hasEnsureTopics, kafkaSink } from '../sinks/kafka/kafka-sink'

const load = (input: unknown): FirefrontConfig => {
  const result = validateConfig(FirefrontConfig, input)
  if (!result.ok) throw new Error(JSON.stringify(result.issues))
  return result.value
}

describe('kafka sink config', () => {
  it('is a valid sink plugin whose config has defaults for everything', () => {
    expect(manifestProblems(kafkaSink)).toEqual([])
    expect(kafkaSink).toMatchObject({ kind: 'sink', name: 'kafka' })
    const result = validateConfig(kafkaSink.configSchema, {})
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.value).toMatchObject({
        enable_dlq: true,
        idempotent: true,
        dlq: { topic: 'firefront-dlq', max_records_per_minute: 10000 },
        kafka: { max_retries: 3, retry_backoff_base: 1, compression: 'none', topics: { auto_create: true } },
      })
    }
  })

  it('maps the config file’s kafka, dlq, spool, enable_dlq and state_dir blocks, and the sink’s tunables', () => {
    const config = load({
      kafka: { bootstrap_servers: 'k1:9092,k2:9092', max_retries: 5, compression: 'gzip' },
      enable_dlq: false,
      dlq: { topic: 'wildfire-dlq', pause_seconds: 5 },
      spool: { max_bytes: 4096 },
      state_dir: '/var/lib/firefront',
      sink: { type: 'kafka', config: { close_timeout_seconds: 2, not_a_tunable: 1 } },
    })
    const sink = kafkaSinkConfigFrom(config)
    expect(sink).toMatchObject({
      kafka: { max_retries: 5, compression: 'gzip' },
      enable_dlq: false,
      dlq: { topic: 'wildfire-dlq', pause_seconds: 5 },
      spool: { max_bytes: 4096 },
      state_dir: '/var/lib/firefront',
      close_timeout_seconds: 2,
    })
    expect(brokerList(sink.kafka)).toEqual(['k1:9092', 'k2:9092'])
    expect(spoolDirectory(sink)).toBe('/var/lib/firefront/spool')
  })

  it('reports every problem with its path', () => {
    expect(() => resolveKafkaSinkConfig({ kafka: { max_retries: -1 }, dlq: { failure_rate_threshold: 2 } })).toThrow(
      /sink\.config\.kafka\.max_retries[\s\S]*sink\.config\.dlq\.failure_rate_threshold/,
    )
  })

  it('tells the runtime the instance can create topics', () => {
    expect(
      hasEnsureTopics({
        send: async () => ({ delivered: 0, deadLettered: 0, spooled: 0 }),
        ensureTopics: async () => {},
      } as never),
    ).toBe(true)
    expect(hasEnsureTopics({ send: async () => ({ delivered: 0, deadLettered: 0, spooled: 0 }) })).toBe(false)
  })
})
