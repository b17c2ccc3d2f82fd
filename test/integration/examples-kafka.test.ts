// The configs docs/getting-started.md points to: one per connector into Kafka (examples/kafka/),
// each accepted by `firefront validate` as written, and the quickstart into a real broker, run once
// against the test broker and read back with kcat. Runs the built CLI (packages/core/dist).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, inject, it } from 'vitest'
import { readTopic } from '../../packages/core/test/kafka/kcat'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'node_modules/.bin/firefront')
const firefront = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(bin, args, { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } })

describe('examples into Kafka', () => {
  const examples = readdirSync(join(root, 'examples/kafka')).filter((f) => f.endsWith('.yaml'))

  it('there is one example per connector package', () => {
    const connectors = readdirSync(join(root, 'packages')).filter((d) => d.startsWith('connector-'))
    expect(examples.length).toBe(connectors.length)
    for (const c of connectors) {
      const used = examples.some(
        (e) => spawnSync('grep', ['-q', `@firefront/${c}`, join(root, 'examples/kafka', e)]).status === 0,
      )
      expect(used, c).toBe(true)
    }
  })

  it.each(examples)('examples/kafka/%s passes firefront validate', (file) => {
    // the FIRMS example takes its MAP_KEY from the environment, as it says
    const r = firefront(['validate', `examples/kafka/${file}`], { FIRMS_MAP_KEY: 'a-map-key' })
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/: valid \(\d+ sources?, 1 plugin\)/)
  })

  it('the quickstart into a real broker: every record of the summary is in its topic', () => {
    const brokers = inject('kafkaBrokers')
    const state = mkdtempSync(join(tmpdir(), 'firefront-quickstart-kafka-'))
    try {
      const run = firefront(['run', 'examples/quickstart-kafka.yaml', '--once'], {
        KAFKA_BROKERS: brokers,
        FIREFRONT_STATE_DIR: state,
        FIREFRONT_LOG_LEVEL: 'warn',
      })
      expect(run.status, run.stdout + run.stderr).toBe(0)
      const delivered = /delivered to topics: (.+)/.exec(run.stdout)?.[1] ?? ''
      const figures = delivered.split(', ').map((kv) => kv.split('=') as [string, string])
      expect(figures.map(([t]) => t).sort()).toEqual([
        'wildfire-nasa-firms',
        'wildfire-weather-alerts',
        'wildfire-weather-data',
      ])
      // the topics are shared by every run against this broker: this run's records are those with its keys
      for (const [topic, n] of figures) expect(readTopic(brokers, topic).length).toBeGreaterThanOrEqual(Number(n))
    } finally {
      rmSync(state, { recursive: true, force: true })
    }
  })
})
