import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type SinkRecord, validateConfig } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import { FileSinkConfig, fileSink } from './file-sink'

const rec = (n: number, value: unknown = { n }): SinkRecord => ({
  key: `k${n}`,
  value,
  sourceId: 's',
  sourceType: 't',
  priority: 'normal',
  ingestedAt: '2026-11-27T00:00:00.000Z',
})

async function make(directory: string) {
  const checked = validateConfig(FileSinkConfig, { directory })
  if (!checked.ok) throw new Error('bad config')
  const sink = await fileSink.create(checked.value, createFakeContext().ctx)
  await sink.start?.()
  return sink
}

describe('file sink', () => {
  it('appends one JSON line per record to <topic>.jsonl and accounts for every record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-file-sink-'))
    const sink = await make(dir)
    expect(await sink.send({ topic: 'fires', sourceId: 's', sourceType: 't', records: [rec(1), rec(2)] })).toEqual({
      delivered: 2,
      deadLettered: 0,
      spooled: 0,
    })
    await sink.send({ topic: 'fires', sourceId: 's', sourceType: 't', records: [rec(3)] })
    await sink.close?.()
    await sink.close?.()
    const lines = readFileSync(join(dir, 'fires.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.key)).toEqual(['k1', 'k2', 'k3'])
    expect(lines[0]).toEqual({
      topic: 'fires',
      key: 'k1',
      value: { n: 1 },
      eventTime: null,
      headers: {},
      sourceId: 's',
      sourceType: 't',
      priority: 'normal',
      ingestedAt: '2026-11-27T00:00:00.000Z',
    })
    expect(sink.metrics?.()).toMatchObject({ total_sent: 3, batches: 2, dead_lettered: 0 })
  })

  it('dead-letters a record that cannot be serialised, and delivers the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-file-sink-'))
    const sink = await make(dir)
    const result = await sink.send({
      topic: 'mixed',
      sourceId: 's',
      sourceType: 't',
      records: [rec(1), rec(2, { big: 10n }), rec(3)],
    })
    await sink.close?.()
    expect(result).toEqual({ delivered: 2, deadLettered: 1, spooled: 0 })
    expect(readFileSync(join(dir, 'mixed.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2)
    const dead = JSON.parse(readFileSync(join(dir, 'firefront-dlq.jsonl'), 'utf8'))
    expect(dead).toMatchObject({ topic: 'mixed', key: 'k2', sourceId: 's' })
    expect(dead.error).toMatch(/BigInt/)
  })

  it('refuses a topic that is not a safe file name, so the runtime retries instead of writing outside its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-file-sink-'))
    const sink = await make(dir)
    await expect(sink.send({ topic: '../escape', sourceId: 's', sourceType: 't', records: [rec(1)] })).rejects.toThrow(
      'is not a safe file name',
    )
    await sink.close?.()
  })
})

describe('file sink: the SDK sink contract', () => {
  it('passes checkSinkContract', async () => {
    const { checkSinkContract } = await import('@firefront/sdk/testing')
    const dir = mkdtempSync(join(tmpdir(), 'firefront-file-sink-'))
    await checkSinkContract(fileSink, {
      validConfig: { directory: dir },
      invalidConfigs: [{ fsync: 'sometimes' }, { directory: 3 }],
    })
    expect(readFileSync(join(dir, 'contract-check.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3)
  })
})
