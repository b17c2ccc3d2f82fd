import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../packages/core/src/config/load'
import { firefrontConfig, sentBySummary } from '../../bench/peers/contestants'
import { ratesOf, roundOrder } from '../../bench/peers/measure'
import { firefrontMessages, firmsRecord } from '../../bench/peers/records'

describe('peers benchmark method', () => {
  it('takes the steady rate over the middle 80 % of append times, end to end from the process start', () => {
    // 1000 records, one per ms from t=1000, after a 500 ms start-up, then 100 late stragglers
    const times = [...Array.from({ length: 1000 }, (_, i) => 1000 + i), ...Array.from({ length: 100 }, () => 5000)]
    const rates = ratesOf(times, 500)
    // the middle 80 % (records 110 .. 989) lie one per ms
    expect(rates.steady).toBeCloseTo(1000, -1)
    expect(rates.endToEnd).toBeCloseTo(1100 / 4.5, 3)
  })

  it('puts each contestant at another place in each round', () => {
    const rounds = [0, 1, 2].map((r) => roundOrder(['a', 'b', 'c'], r))
    expect(rounds).toEqual([
      ['a', 'b', 'c'],
      ['a', 'c', 'b'],
      ['c', 'a', 'b'],
    ])
    for (const c of ['a', 'b', 'c']) expect(new Set(rounds.map((o) => o.indexOf(c))).size).toBeGreaterThan(1)
  })

  it('writes a config the runtime accepts, with the batch, queue and source the method describes', () => {
    const loaded = loadConfigText(
      firefrontConfig({ client: 'kafkajs', brokers: '127.0.0.1:1', topic: 't', records: 12_345, stateDir: './s' }),
      { file: 'peers.yaml', env: {} },
    )
    expect(loaded.issues).toEqual([])
    expect(loaded.config.kafka.batch_size).toBe(500)
    expect(loaded.config.queue_overflow_strategy).toBe('block')
    expect(loaded.config.sources['firms-bench']?.config).toEqual({ total: 12_345, per_poll: 5000 })
  })

  it('reads the sent count from the total line of the run summary', () => {
    const stdout =
      '\nsummary\n  firms-bench (peers-bench, stopped): fetched 9, sent 9, dead-lettered 0\n  total: fetched 9, rejected inputs 0, sent 9, dead-lettered 0, spooled 0, dropped 0, failed 0\n'
    expect(sentBySummary(stdout)).toBe(9)
    expect(sentBySummary('firefront run: refused')).toBeUndefined()
  })

  it('sends FIRMS-shaped values of about 275 bytes, the same for every contestant', () => {
    const messages = firefrontMessages(0, 1000, '2026-01-01T00:00:00.000Z')
    const mean = messages.reduce((s, m) => s + Buffer.byteLength(m.value), 0) / messages.length
    expect(mean).toBeGreaterThan(250)
    expect(mean).toBeLessThan(300)
    expect(messages[7]!.value).toBe(JSON.stringify(firmsRecord(7).value))
    expect(Object.keys(messages[0]!.headers)).toHaveLength(5)
  })
})
