import { describe, expect, test } from 'vitest'
import { didYouMean, editDistance } from './suggest'

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['queue_max_sise', 'queue_max_size', 1],
    ['ab', 'ba', 1], // a transposition is one edit
    ['realtime', 'real_time', 1],
  ])('%s → %s: %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
    expect(editDistance(b, a)).toBe(d)
  })
})

describe('didYouMean', () => {
  const keys = ['queue_max_size', 'queue_overflow_strategy', 'enable_dlq', 'kafka', 'sources']

  test.each([
    ['queue_max_sise', 'queue_max_size'],
    ['queueMaxSize', 'queue_max_size'],
    ['QUEUE-MAX-SIZE', 'queue_max_size'],
    ['enable_dql', 'enable_dlq'],
    ['source', 'sources'],
    ['kafak', 'kafka'],
  ])('%s → %s', (input, expected) => {
    expect(didYouMean(input, keys)).toBe(expected)
  })

  test('a prefix of a value is a near miss', () => {
    expect(didYouMean('drop_old', ['drop_oldest', 'drop_newest', 'block'])).toBe('drop_oldest')
    expect(didYouMean('realtime', ['batch', 'real_time', 'continuous_streaming'])).toBe('real_time')
    expect(didYouMean('newest', ['drop_oldest', 'drop_newest', 'block'])).toBe('drop_newest')
  })

  test('nothing when nothing is close', () => {
    expect(didYouMean('hourly', ['batch', 'real_time', 'continuous_streaming'])).toBeUndefined()
    expect(didYouMean('streaming', ['batch', 'real_time', 'continuous_streaming'])).toBe('continuous_streaming')
    expect(didYouMean('topic', keys)).toBeUndefined()
    expect(didYouMean('kafka', keys)).toBeUndefined()
  })
})
