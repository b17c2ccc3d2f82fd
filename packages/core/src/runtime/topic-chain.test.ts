import { describe, expect, it } from 'vitest'
import { TopicChain } from './topic-chain'

describe('TopicChain', () => {
  it('takes the first answer, falls back to the default, and counts topics and steps', () => {
    const chain = new TopicChain(
      [
        { name: 'explicit', resolver: { resolve: ({ record, source }) => record.topic ?? source.topic } },
        {
          name: 'custom-mapping',
          resolver: { resolve: ({ source }) => (source.sourceId === 'mapped' ? 'm-topic' : undefined) },
        },
        { name: 'connector-default', resolver: { resolve: ({ source }) => source.defaultTopic } },
      ],
      'fallback',
    )
    expect(chain.resolve({ value: 1, topic: 'own' }, { sourceId: 'x', sourceType: 't', topic: 'src' })).toBe('own')
    expect(chain.resolve({ value: 1 }, { sourceId: 'x', sourceType: 't', topic: 'src' })).toBe('src')
    expect(chain.resolve({ value: 1 }, { sourceId: 'mapped', sourceType: 't' })).toBe('m-topic')
    expect(
      chain.resolve({ value: 1 }, { sourceId: 'f', sourceType: 'nasa_firms', defaultTopic: 'wildfire-nasa-firms' }),
    ).toBe('wildfire-nasa-firms')
    expect(chain.resolve({ value: 1 }, { sourceId: 'z', sourceType: 'z' })).toBe('fallback')
    expect(chain.getMetrics()).toEqual({
      total_resolutions: 5,
      topic_usage: { own: 1, src: 1, 'm-topic': 1, 'wildfire-nasa-firms': 1, fallback: 1 },
      resolved_by: { explicit: 2, 'custom-mapping': 1, 'connector-default': 1, default: 1 },
      chain: ['explicit', 'custom-mapping', 'connector-default'],
    })
  })
})

describe('TopicChain, source-level', () => {
  it('resolves a source once and reuses it, but honours a record that names its own topic', () => {
    let calls = 0
    const chain = new TopicChain(
      [
        { name: 'explicit', resolver: { resolve: ({ record }) => record.topic } },
        {
          name: 'pattern',
          resolver: {
            resolve: () => {
              calls++
              return 'by-pattern'
            },
          },
        },
      ],
      'fallback',
      true,
    )
    const source = { sourceId: 's', sourceType: 't' }
    expect(chain.resolve({ value: 1 }, source)).toBe('by-pattern')
    expect(chain.resolve({ value: 2 }, source)).toBe('by-pattern')
    expect(chain.resolve({ value: 3, topic: 'own' }, source)).toBe('own')
    expect(calls).toBe(1)
    expect(chain.getMetrics().topic_usage).toEqual({ 'by-pattern': 2, own: 1 })
  })
})
