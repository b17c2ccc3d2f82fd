import { describe, expect, test } from 'vitest'
import { canonicalSegments, formatPath, parsePath, pointerToSegments, valueAt } from './path'

describe('dotted paths', () => {
  test.each([
    [['sources', 'firms', 'ingestion', 'mode'], 'sources.firms.ingestion.mode'],
    [['plugins', 0], 'plugins[0]'],
    [['kafka', 'bootstrap_servers', 1], 'kafka.bootstrap_servers[1]'],
    [['sources', 'firms.us', 'topic'], 'sources["firms.us"].topic'],
    [['custom_topic_mappings', 'a b'], 'custom_topic_mappings["a b"]'],
    [[], ''],
  ] as const)('%j ⇄ %s', (segments, path) => {
    expect(formatPath(segments)).toBe(path)
    expect(parsePath(path)).toEqual(segments)
  })

  test('parsePath reads the SDK pointerToPath form too', () => {
    expect(parsePath('sources.firms.config.areas[2].bbox')).toEqual(['sources', 'firms', 'config', 'areas', 2, 'bbox'])
  })

  test('a JSON pointer becomes segments, numbers only for list indexes', () => {
    const value = { plugins: ['a'], sources: { '7': { topic: 't' } } }
    expect(pointerToSegments('/plugins/0', value)).toEqual(['plugins', 0])
    expect(pointerToSegments('/sources/7/topic', value)).toEqual(['sources', '7', 'topic'])
    expect(pointerToSegments('/a~1b/c~0d', {})).toEqual(['a/b', 'c~d'])
  })

  test('valueAt and canonicalSegments find keys that contain dots', () => {
    const value = { sources: { 'firms.us': { topic: 't' } }, list: [{ a: 1 }] }
    expect(valueAt(value, ['sources', 'firms.us', 'topic'])).toBe('t')
    expect(valueAt(value, ['list', 0, 'a'])).toBe(1)
    expect(valueAt(value, ['nope', 'x'])).toBeUndefined()
    expect(canonicalSegments(value, parsePath('sources.firms.us.topic'))).toEqual(['sources', 'firms.us', 'topic'])
    expect(canonicalSegments(value, parsePath('sources.firms.us.missing.deeper'))).toEqual([
      'sources',
      'firms.us',
      'missing',
      'deeper',
    ])
  })
})
