import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load'

const load = (yaml: string) => loadConfigText(yaml, { file: 'f.yaml', env: {} })

describe('delivery: exactly_once in the config', () => {
  it('is at_least_once by default, and exactly_once is accepted with the kafka sink and the Kafka cursor store', () => {
    expect(load('kafka: {}\n').config.delivery).toBe('at_least_once')
    const ok = load('delivery: exactly_once\nkafka: { bootstrap_servers: "k:9092" }\ncursors: { store: kafka }\n')
    expect(ok.issues).toEqual([])
    expect(ok.config.delivery).toBe('exactly_once')
  })

  it('is refused, at its line, with the file sink, the file cursor store, or the DLQ disabled', () => {
    const bad = load('delivery: exactly_once\nsink: { type: file }\ncursors:\n  store: file\nenable_dlq: false\n')
    expect(bad.ok).toBe(false)
    const byPath = Object.fromEntries(bad.issues.map((i) => [i.path, i]))
    expect(byPath['sink.type']).toMatchObject({
      line: 2,
      message: expect.stringMatching(/needs the kafka sink \(here: file\)/),
    })
    expect(byPath['cursors.store']).toMatchObject({ line: 4, message: expect.stringMatching(/store: kafka/) })
    expect(byPath.enable_dlq).toMatchObject({ line: 5, message: expect.stringMatching(/enable_dlq must stay true/) })
  })

  it('without a kafka: block and without a sink, the default file sink is named', () => {
    const bad = load('delivery: exactly_once\ncursors: { store: kafka }\n')
    expect(bad.issues.map((i) => [i.path, i.message])).toEqual([
      ['delivery', expect.stringMatching(/needs the kafka sink \(here: file\)/)],
    ])
  })
})

describe('kafka.max_in_flight_batches in the config', () => {
  it('is unset by default, and accepts more than 1 with the native client', () => {
    expect(load('kafka: {}\n').config.kafka.max_in_flight_batches).toBeUndefined()
    const ok = load('kafka:\n  client: native\n  max_in_flight_batches: 4\n')
    expect(ok.issues).toEqual([])
    expect(ok.config.kafka.max_in_flight_batches).toBe(4)
    expect(load('kafka:\n  max_in_flight_batches: 1\n').issues).toEqual([])
  })

  it('is refused above 1 with a client that keeps one request in flight, with exactly_once, and out of range', () => {
    const kafkajs = load('kafka:\n  max_in_flight_batches: 2\n')
    expect(kafkajs.issues).toEqual([
      expect.objectContaining({
        path: 'kafka.max_in_flight_batches',
        line: 2,
        message: expect.stringMatching(/needs kafka.client: native \(here: kafkajs/),
      }),
    ])
    const eos = load(
      'delivery: exactly_once\ncursors: { store: kafka }\nkafka:\n  client: native\n  max_in_flight_batches: 3\n',
    )
    expect(eos.issues.map((i) => [i.path, i.message])).toEqual([
      ['kafka.max_in_flight_batches', expect.stringMatching(/one transaction at a time/)],
    ])
    expect(load('kafka:\n  client: native\n  max_in_flight_batches: 17\n').ok).toBe(false)
    expect(load('kafka:\n  client: native\n  max_in_flight_batches: 0\n').ok).toBe(false)
  })
})

describe('kafka.producer_process in the config', () => {
  it('is off by default, accepted with the native client and refused with the others', () => {
    expect(load('kafka: {}\n').config.kafka.producer_process).toBe(false)
    expect(load('kafka:\n  client: native\n  producer_process: true\n').issues).toEqual([])
    expect(load('kafka:\n  client: platformatic\n  producer_process: true\n').issues).toEqual([
      expect.objectContaining({
        path: 'kafka.producer_process',
        message: expect.stringMatching(/needs kafka.client: native \(here: platformatic\)/),
      }),
    ])
  })
})

describe('kafka.native_producer in the config', () => {
  it('is auto by default; batch or node-rdkafka only with the native client; batch never beside producer_process', () => {
    expect(load('kafka: {}\n').config.kafka.native_producer).toBe('auto')
    expect(load('kafka:\n  client: native\n  native_producer: batch\n').issues).toEqual([])
    expect(
      load('kafka:\n  client: native\n  native_producer: node-rdkafka\n  producer_process: true\n').issues,
    ).toEqual([])
    expect(load('kafka:\n  client: kafkajs\n  native_producer: batch\n').issues).toEqual([
      expect.objectContaining({
        path: 'kafka.native_producer',
        message: expect.stringMatching(/needs kafka.client: native \(here: kafkajs\)/),
      }),
    ])
    expect(load('kafka:\n  client: native\n  native_producer: batch\n  producer_process: true\n').issues).toEqual([
      expect.objectContaining({
        path: 'kafka.native_producer',
        message: expect.stringMatching(/producer_process applies to node-rdkafka/),
      }),
    ])
    expect(load('kafka:\n  client: native\n  native_producer: fast\n').ok).toBe(false)
  })
})
