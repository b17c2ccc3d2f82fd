import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, inject, it } from 'vitest'
import { main } from '../../src/cli/main'
import { StreamManager } from '../../src/runtime/stream-manager'
import { configFrom, quietLogger, sequenceConnector, tempDir } from './helpers'

const run = promisify(execFile)

describe('StreamManager into the real Kafka broker', () => {
  it('delivers every record once with keys and headers, dead-letters rejected inputs, commits the cursor', async () => {
    const brokers = inject('kafkaBrokers')
    const dir = tempDir()
    const topic = `pipeline-${randomUUID()}`
    const dlq = `pipeline-dlq-${randomUUID()}`
    const yaml = `
state_dir: ${dir}
kafka: { bootstrap_servers: "${brokers}", batch_size: 100, batch_timeout_seconds: 0.05, topics: { partitions: 2 } }
dlq: { topic: ${dlq} }
sources:
  seq:
    source_type: sequence
    topic: ${topic}
    rate_limit_per_minute: 600000
    cache_ttl_seconds: 0
    ingestion: { mode: batch }
    config: { total: 1000, per_poll: 250, reject_every: 100 }
`
    const config = configFrom(yaml)
    const manager = new StreamManager({
      config,
      raw: { kafka: {} },
      logger: quietLogger(),
      plugins: [sequenceConnector],
    })
    await manager.start()
    // the configured topics exist before any record flows, with the configured partitions
    for (const t of [topic, dlq]) {
      const meta = await run('kcat', ['-L', '-b', brokers, '-t', t, '-J'])
      const parsed = JSON.parse(meta.stdout) as { topics: Array<{ topic: string; partitions: unknown[] }> }
      expect(parsed.topics.find((x) => x.topic === t)?.partitions).toHaveLength(2)
    }
    await manager.runOnce()
    const metrics = await manager.getMetrics()
    await manager.stop()

    const { stdout } = await run('kcat', ['-C', '-b', brokers, '-t', topic, '-e', '-q', '-f', '%k|%p|%h|%s\n'], {
      maxBuffer: 1 << 24,
    })
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(990)
    const keys = new Set(lines.map((l) => l.split('|')[0]))
    expect(keys.size).toBe(990)
    expect(keys.has('seq-0')).toBe(true)
    expect(keys.has('seq-99')).toBe(false)
    const first = lines.find((l) => l.startsWith('seq-0|'))!
    expect(first).toContain('seq')
    expect(JSON.parse(first.slice(first.lastIndexOf('|') + 1))).toEqual({ n: 0, source: 'seq' })

    const dead = await run('kcat', ['-C', '-b', brokers, '-t', dlq, '-e', '-q', '-f', '%h\n'])
    const deadLines = dead.stdout.trim().split('\n')
    expect(deadLines).toHaveLength(10)
    // two partitions: no global order, so look for each reason
    for (const n of [99, 199, 999])
      expect(deadLines.some((l) => l.includes(`firefront.error=number ${n} is malformed`))).toBe(true)

    const rec = Object.values(metrics.streams)[0]!.records
    expect(rec).toMatchObject({ fetched: 990, rejected: 10, sent: 1000, dropped: 0, failed: 0 })
    expect((metrics.producer as Record<string, number>).total_sent).toBe(1000)
    expect(manager.cursors.get('seq')?.cursor).toBe(1000)

    // `firefront dlq` lists what the dead-letter topic holds, by reason and source
    const file = join(dir, 'firefront.yaml')
    writeFileSync(file, yaml)
    let out = ''
    const code = await main(['dlq', file, '--source', 'seq'], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
    })
    expect(code).toBe(0)
    expect(out).toContain(`dead-letter topic ${dlq}: 10 record(s), 10 matching`)
    expect(out).toMatch(/by source: seq=10/)
    expect(out).toMatch(/by reason: ERR_INPUT_REJECTED=10/)
  })
})
