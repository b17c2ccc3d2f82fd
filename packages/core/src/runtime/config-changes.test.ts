import { describe, expect, it } from 'vitest'
import { configFrom } from '../../test/pipeline/helpers'
import { configChanges } from './config-changes'

const base = `sink: { type: file }
sources:
  a: { source_type: x, config: { v: 1 } }
  b: { source_type: x, config: { v: 1 } }
  c: { source_type: x }
`

describe('configChanges', () => {
  it('tells added, removed, changed and unchanged sources, and keys outside sources', () => {
    const before = configFrom(base)
    const after = configFrom(`sink: { type: file }
queue_max_size: 5
sources:
  a: { source_type: x, config: { v: 1 } }
  b: { source_type: x, config: { v: 2 } }
  d: { source_type: x }
`)
    expect(configChanges(before, after)).toEqual({
      added: ['d'],
      removed: ['c'],
      changed: ['b'],
      unchanged: ['a'],
      outside: ['queue_max_size'],
    })
  })

  it('sees a block written differently even when its defaults make it equal', () => {
    const before = configFrom(base)
    const rawBefore = { sources: { a: { source_type: 'x' } } }
    const rawAfter = { sources: { a: { source_type: 'x', ingestion: { mode: 'batch' } } } }
    expect(configChanges(before, before, rawBefore, rawAfter).changed).toEqual(['a'])
  })
})
