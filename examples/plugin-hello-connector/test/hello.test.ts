import { checkConnectorContract, runConnector } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import helloConnector from '../src/index'

describe('firefront-connector-hello', () => {
  it('keeps the connector contract', async () => {
    await checkConnectorContract(helloConnector, {
      validConfig: { greeting: 'hi' },
      invalidConfigs: [{ greeting: '' }, { per_poll: 0 }, { unknown: true }],
    })
  })

  it('emits numbered greetings and resumes from its cursor', async () => {
    const first = await runConnector(helloConnector, { config: { per_poll: 3, total: 7 }, until: { polls: 2 } })
    expect(first.records.map((r) => r.key)).toEqual(['hello-0', 'hello-1', 'hello-2', 'hello-3', 'hello-4', 'hello-5'])
    expect(first.lastCursor).toBe(6)
    const resumed = await runConnector(helloConnector, {
      config: { per_poll: 3, total: 7 },
      cursor: first.lastCursor,
      until: { polls: 2 },
    })
    expect(resumed.records.map((r) => r.value)).toEqual([{ n: 6, text: 'hello #6' }])
    expect(resumed.cursors).toEqual([7, 7])
  })

  it('hands rejected inputs to the context instead of dropping them silently', async () => {
    const run = await runConnector(helloConnector, { config: { per_poll: 10, total: 10, reject_every: 4 } })
    expect(run.records).toHaveLength(8)
    expect(run.rejected.map((r) => r.reason)).toEqual(['greeting 3 is unlucky', 'greeting 7 is unlucky'])
  })
})
