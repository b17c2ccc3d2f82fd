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
