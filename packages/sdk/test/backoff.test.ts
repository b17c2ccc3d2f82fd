import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../src/backoff'

const opts = { baseMs: 1000, maxMs: 30_000 }

describe('backoffDelay', () => {
  it('doubles from the base: 1, 2, 4, 8 s', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, { ...opts, random: () => 0.5 }))).toEqual([1000, 2000, 4000, 8000])
  })

  it('jitters by ±20 % around each step', () => {
    expect(backoffDelay(1, { ...opts, random: () => 0 })).toBe(800)
    expect(backoffDelay(1, { ...opts, random: () => 0.999999 })).toBe(1200)
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(3200)
    expect(backoffDelay(3, { ...opts, random: () => 0.999999 })).toBe(4800)
  })

  it('caps the delay at maxMs', () => {
    expect(backoffDelay(3, { baseMs: 1000, maxMs: 3000, random: () => 0.5 })).toBe(3000)
    expect(backoffDelay(40, { baseMs: 1000, maxMs: 30_000, random: () => 0.999999 })).toBe(30_000)
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, { baseMs: 1000, maxMs: 5000, random: () => 0.999999 }))).toEqual([
      1200, 2400, 4800, 5000,
    ])
  })

  it('takes another share of jitter, or none', () => {
    expect(backoffDelay(2, { ...opts, jitter: 0, random: () => 0 })).toBe(2000)
    expect(backoffDelay(2, { ...opts, jitter: 0.5, random: () => 0 })).toBe(1000)
  })
})
