import { describe, expect, it } from 'vitest'
import { ConnectorConfigError, defineConnector, type SourceRecord, Type } from '../src/index'
import { checkConnectorContract, ConnectorRunError, ContractError, runConnector } from '../src/testing/index'

const Counter = Type.Object(
  { start: Type.Integer({ default: 0 }), per_poll: Type.Integer({ minimum: 1, default: 2 }) },
  { additionalProperties: false },
)

const counter = defineConnector({
  name: 'counter',
  version: '1.0.0',
  sourceTypes: ['counter'],
  configSchema: Counter,
  create(config) {
    let closed = 0
    return {
      mode: 'pull',
      async poll({ cursor, signal }) {
        signal.throwIfAborted()
        const from = typeof cursor === 'number' ? cursor : config.start
        const records: SourceRecord[] = Array.from({ length: config.per_poll }, (_, i) => ({
          key: `n-${from + i}`,
          value: { n: from + i },
        }))
        return { records, cursor: from + config.per_poll }
      },
      async close() {
        closed++
      },
      get closed() {
        return closed
      },
    }
  },
})

describe('@firefront/sdk/testing', () => {
  it('checkConnectorContract passes a well-behaved connector', async () => {
    await expect(
      checkConnectorContract(counter, { validConfig: {}, invalidConfigs: [{ per_poll: 0 }, { extra: 1 }] }),
    ).resolves.toBeUndefined()
  })

  it('checkConnectorContract lists each broken rule', async () => {
    const sloppy = defineConnector({
      name: 'sloppy',
      version: '1.0.0',
      configSchema: Type.Object({ n: Type.Optional(Type.Number()) }),
      create: () => {
        let closed = false
        return {
          mode: 'pull',
          // ignores its signal, and emits a record with an invalid event time
          poll: () =>
            new Promise((resolve) =>
              setTimeout(() => resolve({ records: [{ value: 1, eventTime: 'yesterday' }] }), 300),
            ),
          async close() {
            if (closed) throw new Error('closed twice')
            closed = true
          },
        }
      },
    })
    const err = await checkConnectorContract(sloppy, {
      validConfig: {},
      invalidConfigs: [{ n: 1 }],
      abortWithinMs: 100,
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ContractError)
    const failures = (err as ContractError).failures
    expect(failures).toContain('schema accepts invalidConfigs[0]: {"n":1}')
    expect(failures).toContain('records[0]: eventTime "yesterday" is not an ISO-8601 date-time')
    expect(failures).toContain('poll with an aborted signal did not settle within 100 ms')
    expect(failures).toContain('close is not idempotent: closed twice')
  })

  it('runConnector polls, carries the cursor forward and resumes from a given cursor', async () => {
    const run = await runConnector(counter, { config: { per_poll: 3 }, until: { polls: 2 } })
    expect(run.records.map((r) => r.key)).toEqual(['n-0', 'n-1', 'n-2', 'n-3', 'n-4', 'n-5'])
    expect(run.cursors).toEqual([3, 6])
    const resumed = await runConnector(counter, { config: {}, cursor: 10, until: { records: 4 } })
    expect(resumed.records.map((r) => r.key)).toEqual(['n-10', 'n-11', 'n-12', 'n-13'])
    expect(resumed.lastCursor).toBe(14)
  })

  it('runConnector refuses an invalid config and reports a poll error', async () => {
    await expect(runConnector(counter, { config: { per_poll: 'x' } })).rejects.toThrow(
      'config of connector:counter is invalid: per_poll',
    )
    const failing = defineConnector({
      name: 'failing',
      version: '1.0.0',
      configSchema: Type.Object({}),
      create: () => ({
        mode: 'pull',
        poll: async () => {
          throw new ConnectorConfigError('Invalid MAP_KEY.')
        },
      }),
    })
    // by default a poll that throws fails the run loudly, naming the poll and keeping the code
    const loud = await runConnector(failing, { config: {} }).then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(loud).toBeInstanceOf(ConnectorRunError)
    expect(loud).toMatchObject({ code: 'ERR_CONNECTOR_CONFIG', result: { polls: 1, records: [] } })
    expect((loud as Error).message).toMatch(/^connector:failing threw in poll 1: Invalid MAP_KEY\. \(pass allowErrors/)
    const run = await runConnector(failing, { config: {}, allowErrors: true })
    expect((run.error as Error).message).toBe('Invalid MAP_KEY.')
    expect(run.records).toEqual([])
  })

  it('runConnector drives a push connector until enough records arrive', async () => {
    const ticker = defineConnector({
      name: 'ticker',
      version: '1.0.0',
      configSchema: Type.Object({}),
      create: (_c, ctx) => ({
        mode: 'push',
        async subscribe(emit, signal) {
          let i = 0
          while (!signal.aborted) {
            await emit({ value: i++ })
            await ctx.clock.sleep(1, signal).catch(() => {})
          }
        },
      }),
    })
    const run = await runConnector(ticker, { config: {}, until: { records: 5 } })
    expect(run.records.slice(0, 5).map((r) => r.value)).toEqual([0, 1, 2, 3, 4])
  })
})

describe('checkSinkContract', () => {
  it('passes a sink that accounts for every record, and lists what a sloppy one breaks', async () => {
    const { checkSinkContract } = await import('../src/testing/index')
    const { defineSink } = await import('../src/index')
    const good = defineSink({
      name: 'memory',
      version: '1.0.0',
      configSchema: Type.Object({ limit: Type.Integer({ minimum: 1, default: 10 }) }, { additionalProperties: false }),
      create: () => ({ send: async (b) => ({ delivered: b.records.length, deadLettered: 0, spooled: 0 }) }),
    })
    await expect(checkSinkContract(good, { validConfig: {}, invalidConfigs: [{ limit: 0 }] })).resolves.toBeUndefined()
    const lossy = defineSink({
      name: 'lossy',
      version: '1.0.0',
      configSchema: Type.Object({}),
      create: () => ({ send: async () => ({ delivered: 1, deadLettered: 0, spooled: 0 }) }),
    })
    const err = await checkSinkContract(lossy, { validConfig: {} }).catch((e: unknown) => e)
    expect((err as ContractError).failures).toEqual([
      'send accounted for 1 of 3 records (delivered 1, dead-lettered 0, spooled 0)',
    ])
  })
})

describe('checkConnectorReadme', () => {
  const readme = (table: string, example: string) =>
    [
      '# x',
      '## What is this?',
      '## When should I use this?',
      '## Install',
      '## Configuration',
      table,
      '## Records emitted',
      '## Example firefront.yaml',
      '```yaml',
      example,
      '```',
      '## Compatibility',
      '## License',
      '',
    ].join('\n')

  it('accepts a README that follows the template, and lists what another one breaks', async () => {
    const { checkConnectorReadme } = await import('../src/testing/index')
    const good = readme(
      '| `start` | integer | 0 | |\n| `per_poll` | integer | 2 | |',
      JSON.stringify({ plugins: ['counter-pkg'], sources: { a: { source_type: 'counter', config: { per_poll: 3 } } } }),
    )
    expect(() =>
      checkConnectorReadme(counter, good, { packageName: 'counter-pkg', parseYaml: JSON.parse }),
    ).not.toThrow()
    const bad = readme(
      '| `start` | integer | 0 | |',
      JSON.stringify({ plugins: [], sources: { a: { source_type: 'counter', config: { per_poll: 0 } } } }),
    )
    const err = (() => {
      try {
        checkConnectorReadme(counter, bad, { packageName: 'counter-pkg', parseYaml: JSON.parse })
      } catch (e) {
        return e as ContractError
      }
    })()
    expect(err?.failures).toEqual([
      'the Configuration table lists ["start"], the schema has ["start","per_poll"]',
      "the example's plugins: does not declare counter-pkg",
      expect.stringMatching(/^the example's sources\.a\.config is refused: per_poll: /),
    ])
  })
})
