import type { Logger } from '@firefront/sdk'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DropLog } from './drop-log'

function capture(): { logger: Logger; lines: Array<{ fields: Record<string, unknown>; msg: string }> } {
  const lines: Array<{ fields: Record<string, unknown>; msg: string }> = []
  const warn = (a: Record<string, unknown> | string, b?: string) =>
    lines.push(typeof a === 'string' ? { fields: {}, msg: a } : { fields: a, msg: b ?? '' })
  const noop = () => {}
  const logger: Logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: warn as Logger['warn'],
    error: noop,
    fatal: noop,
    child: () => logger,
  }
  return { logger, lines }
}

afterEach(() => vi.useRealTimers())

describe('DropLog', () => {
  it('logs the first drop at once, then at most one line per source and reason per interval, with the count', () => {
    vi.useFakeTimers()
    let now = 0
    const clock = { now: () => now, sleep: async () => {} }
    const { logger, lines } = capture()
    const log = new DropLog(logger, clock, 10_000)
    log.note('mqtt', 'queue_overflow_oldest', 1)
    for (let i = 0; i < 500; i++) log.note('mqtt', 'queue_overflow_oldest', 2)
    log.note('other', 'queue_overflow_oldest', 7)
    expect(lines.map((l) => l.fields)).toEqual([
      { source: 'mqtt', reason: 'queue_overflow_oldest', count: 1 },
      { source: 'other', reason: 'queue_overflow_oldest', count: 7 },
    ])
    // the interval passes: one line with everything since
    now = 10_000
    vi.advanceTimersByTime(10_000)
    expect(lines.at(-1)?.fields).toEqual({ source: 'mqtt', reason: 'queue_overflow_oldest', count: 1000 })
    expect(lines).toHaveLength(3)
    log.flush()
    expect(lines).toHaveLength(3)
  })

  it('carries the latest example and its own wording (rejected inputs)', () => {
    let now = 0
    const { logger, lines } = capture()
    const log = new DropLog(logger, { now: () => now, sleep: async () => {} }, 10_000, (n) => `${n} input(s) rejected`)
    log.note('firms', 'input_rejected', 1, { reason: 'expected 14 columns, got 9', location: 'row 3' })
    for (let i = 0; i < 99; i++)
      log.note('firms', 'input_rejected', 1, { reason: 'bad latitude', location: `row ${i + 4}` })
    now = 10_000
    log.flush()
    expect(lines).toEqual([
      {
        fields: {
          source: 'firms',
          reason: 'input_rejected',
          count: 1,
          example: { reason: 'expected 14 columns, got 9', location: 'row 3' },
        },
        msg: '1 input(s) rejected',
      },
      {
        fields: {
          source: 'firms',
          reason: 'input_rejected',
          count: 99,
          example: { reason: 'bad latitude', location: 'row 102' },
        },
        msg: '99 input(s) rejected',
      },
    ])
  })
})
