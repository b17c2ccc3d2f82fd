import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load'
import { planOutputs } from '../../src/registry/plan'
import { createBuiltinRegistry } from '../../src/runtime/builtins'

// One throttling schema, declared once: every key the policy reads can be set from the file.
describe('throttling: from YAML to the consumer-lag policy', () => {
  const plan = (yaml: string) => {
    const loaded = loadConfigText(yaml, { file: 'f.yaml' })
    expect(loaded.issues).toEqual([])
    const outputs = planOutputs(loaded.config, createBuiltinRegistry(), {
      raw: loaded.raw as { kafka?: unknown },
    })
    expect(outputs.issues).toEqual([])
    return outputs.throttle!
  }

  // The policy's state machine, built from the planned config as create() builds it, so no
  // broker is needed to drive the lag.
  it('throttling.max_backoff_seconds set in the file caps the critical backoff', async () => {
    const yaml = (extra: string) =>
      `kafka: { bootstrap_servers: "127.0.0.1:1" }\nthrottling:\n  enabled: true\n  critical_consumer_lag: 10\n  adjustment_factor: 2\n${extra}`
    const capped = plan(yaml('  max_backoff_seconds: 2\n'))
    expect(capped.config).toMatchObject({ max_backoff_seconds: 2 })
    const byDefault = plan(yaml(''))
    expect(byDefault.config).toMatchObject({ max_backoff_seconds: 60 })

    const { LagThrottle } = await import('../../src/throttle/consumer-lag')
    const delays = (config: unknown) => {
      const t = new LagThrottle(config as never)
      for (let i = 0; i < 12; i++) t.observe(1000)
      return t.delayFor(0)
    }
    // 12 critical readings: 2^11 s uncapped; the file's cap holds it to 2 s, the default to 60 s
    expect(delays(capped.config)).toBe(2000)
    expect(delays(byDefault.config)).toBe(60000)
  })

  it('an unknown throttling key is still refused, with a suggestion', () => {
    const loaded = loadConfigText('throttling:\n  max_backof_seconds: 2\n', { file: 'f.yaml' })
    expect(loaded.issues.map((i) => i.message)).toEqual([
      'unknown key "max_backof_seconds" (did you mean max_backoff_seconds?)',
    ])
  })
})
