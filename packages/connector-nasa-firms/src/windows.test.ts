import { describe, expect, it } from 'vitest'
import { dateWindows, recentWindows } from './windows'

describe('recentWindows', () => {
  it('asks for the smallest "most recent N days" range when it is 5 days or less', () => {
    expect(recentWindows('2026-09-25', '2026-09-25')).toEqual([
      { first: '2026-09-25', last: '2026-09-25', dayRange: 1 },
    ])
    expect(recentWindows('2026-09-24', '2026-09-25')).toEqual([
      { first: '2026-09-24', last: '2026-09-25', dayRange: 2 },
    ])
    expect(recentWindows('2026-02-25', '2026-03-01')).toEqual([
      { first: '2026-02-25', last: '2026-03-01', dayRange: 5 },
    ])
  })

  it('splits longer spans into DATE windows of at most 5 days, running forward', () => {
    expect(recentWindows('2026-09-18', '2026-09-25')).toEqual([
      { first: '2026-09-18', last: '2026-09-22', dayRange: 5, date: '2026-09-18' },
      { first: '2026-09-23', last: '2026-09-25', dayRange: 3, date: '2026-09-23' },
    ])
  })

  it('reads a start after today as today', () => {
    expect(recentWindows('2026-09-26', '2026-09-25')).toEqual([
      { first: '2026-09-25', last: '2026-09-25', dayRange: 1 },
    ])
  })
})

describe('dateWindows', () => {
  it('covers the span exactly, across a year end', () => {
    expect(dateWindows('2025-12-29', '2026-01-09').map((w) => [w.date, w.dayRange, w.last])).toEqual([
      ['2025-12-29', 5, '2026-01-02'],
      ['2026-01-03', 5, '2026-01-07'],
      ['2026-01-08', 2, '2026-01-09'],
    ])
  })
})
