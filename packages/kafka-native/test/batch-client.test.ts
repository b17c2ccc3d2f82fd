import { addon as real, type PollResult, type ProducerHandle, type RdKafkaBatch } from '@firefront/rdkafka-batch'
import { describe, expect, it } from 'vitest'
import { encodeBatch } from '../src/batch-codec'
import { BatchClient, batchConfigPairs, rdError } from '../src/batch-client'
import { producerConfig } from '../src/client-config'
import type { KafkaTransportOptions } from '@firefront/core'
import { type BatchAddon, importBatchAddon } from '../src/load-batch-addon'
import { batchAddonFor } from '../src/native-transport'
import { codeByName, rdCodeOf } from '../src/native-error'

const errno = (name: string): number => codeByName(name)?.errno as number

/** An addon whose producer is a script: what create saw, and what each poll returns. */
function fakeAddon(polls: Array<PollResult | undefined>, refuse: readonly string[] = []) {
  const created: Array<ReadonlyArray<readonly [string, string]>> = []
  const addon = {
    create(config: ReadonlyArray<readonly [string, string]>) {
      created.push(config)
      const bad = config.find(([k]) => refuse.includes(k))
      if (bad) throw Object.assign(new Error(`No such configuration property: "${bad[0]}"`), { code: 'ERR_CONFIG' })
      return {} as ProducerHandle
    },
    poll: () => polls.shift(),
  } as unknown as RdKafkaBatch
  return { addon, created }
}

const settings = {
  brokers: ['127.0.0.1:1'],
  clientId: 'test',
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 5000,
  idempotent: true,
  autoCreateTopics: true,
  compression: 'none',
} as unknown as Parameters<typeof producerConfig>[0]

describe('batch producer client', () => {
  it('passes librdkafka the config as strings, without node-rdkafka’s own keys', () => {
    const pairs = batchConfigPairs(producerConfig(settings))
    const keys = pairs.map(([k]) => k)
    expect(keys).not.toContain('dr_cb')
    expect(keys).toContain('enable.idempotence')
    expect(keys).toContain('request.required.acks') // a topic key among the global ones
    expect(pairs.find(([k]) => k === 'enable.idempotence')?.[1]).toBe('true')
    for (const [, v] of pairs) expect(typeof v).toBe('string')
  })

  it('leaves out a tuning key an older librdkafka does not know, and only such a key', () => {
    const { addon, created } = fakeAddon([], ['retry.backoff.max.ms'])
    new BatchClient(addon, producerConfig(settings), () => {})
    expect(created).toHaveLength(2)
    expect(created[1]?.map(([k]) => k)).not.toContain('retry.backoff.max.ms')
    const strict = fakeAddon([], ['enable.idempotence'])
    expect(() => new BatchClient(strict.addon, producerConfig(settings), () => {})).toThrow(/enable\.idempotence/)
  })

  it('settles reports in runs per batch, ignores released batches, and hands events to listeners', () => {
    const runs = Int32Array.from([1, 0, 3, 2, errno('MESSAGE_TOO_LARGE'), 1, 9, 0, 4])
    const { addon } = fakeAddon([
      [
        runs,
        [
          [0, errno('_ALL_BROKERS_DOWN'), false, null, '1/1 brokers are down'],
          [1, 3, false, 'FAIL', 'Connect to ipv4#127.0.0.1:1 failed'],
        ],
      ],
    ])
    const reports: Array<[string, string | undefined, number]> = []
    const client = new BatchClient<string>(addon, producerConfig(settings), (owner, err, count) =>
      reports.push([owner, err && rdCodeOf(err)?.name, count]),
    )
    const errors: string[] = []
    const logs: string[] = []
    client.on('event.error', (e) => errors.push(String(rdCodeOf(e)?.name)))
    client.on('event.log', (l) => logs.push(`${l.severity} ${l.fac} ${l.message}`))
    const a = client.register('a')
    const b = client.register('b')
    const gone = client.register('gone')
    client.release(gone)
    expect([a, b]).toEqual([1, 2])
    client.poll()
    expect(reports).toEqual([
      ['a', undefined, 3],
      ['b', 'MESSAGE_TOO_LARGE', 1],
    ])
    expect(errors).toEqual(['_ALL_BROKERS_DOWN'])
    expect(logs).toEqual(['3 FAIL Connect to ipv4#127.0.0.1:1 failed'])
    client.poll() // nothing more: no call to anyone
    expect(reports).toHaveLength(2)
  })

  it('makes errors node-rdkafka’s shape, so the same mapping names them', () => {
    const err = rdError(errno('_QUEUE_FULL'))
    expect(rdCodeOf(err)?.name).toBe('_QUEUE_FULL')
    expect(err.message).toMatch(/queue full/i)
    expect(rdError(errno('_FENCED'), 'fenced by a newer instance', true)).toMatchObject({ isFatal: true })
  })

  it('says why the addon cannot be used when it is missing or unbuilt', async () => {
    const missing = await importBatchAddon(() =>
      Promise.reject(Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' })),
    )
    expect(missing).toEqual({ addon: null, reason: '@firefront/rdkafka-batch is not installed' })
    expect(await importBatchAddon(async () => ({ addon: null, reason: 'the addon was not built here' }))).toEqual({
      addon: null,
      reason: 'the addon was not built here',
    })
  })
})

describe.skipIf(!real)('the batch addon itself', () => {
  const addon = real as RdKafkaBatch

  it('refuses an unknown config key by name', () => {
    expect(() => addon.create([['no.such.property', 'x']])).toThrow(/no\.such\.property/)
  })

  it('refuses a malformed or truncated batch as a bad message, taking none of its records', () => {
    const handle = addon.create([['bootstrap.servers', '127.0.0.1:1']])
    const good = encodeBatch([
      { key: 'k1', value: 'v1', headers: { a: '1' } },
      { key: 'k2', value: 'v2', headers: { a: '1' } },
    ])
    const bytes = new Uint8Array(good.buffer, 0, good.byteLength)
    // cut inside the second record: the first is taken, the second refused
    const [next, err] = addon.produce(handle, 'ff-never-sent', bytes.subarray(0, bytes.length - 3), 1, 0)
    expect([next, addon.errorName(err)]).toEqual([1, '_BAD_MSG'])
    // a record count far beyond the bytes
    const lying = Uint8Array.from([0xff, 0xff, 0xff, 0x7f, 0, 0])
    expect(addon.errorName(addon.produce(handle, 'ff-never-sent', lying, 2, 0)[1])).toBe('_BAD_MSG')
    // a header set referred to before it was defined
    const view = new DataView(new ArrayBuffer(4 + 4 + 4 + 8 + 4))
    view.setUint32(0, 1, true)
    view.setInt32(4, -1, true)
    view.setInt32(8, -1, true)
    view.setFloat64(12, Number.NaN, true)
    view.setInt32(20, 5, true)
    expect(addon.errorName(addon.produce(handle, 'ff-never-sent', new Uint8Array(view.buffer), 3, 0)[1])).toBe(
      '_BAD_MSG',
    )
    return new Promise<void>((resolve) => addon.close(handle, 0, () => resolve()))
  })
})

describe.skipIf(!real)('the batch addon’s hand-over thread', () => {
  const addon = real as RdKafkaBatch
  /** Polls until `want` records are reported; their error names, in report order. */
  async function reports(handle: ProducerHandle, want: number): Promise<string[]> {
    const out: string[] = []
    const deadline = Date.now() + 10_000
    while (out.length < want && Date.now() < deadline) {
      const got = addon.poll(handle)?.[0]
      for (let i = 0; got && i < got.length; i += 3) {
        for (let n = 0; n < (got[i + 2] as number); n++) out.push(addon.errorName(got[i + 1] as number))
      }
      await new Promise((r) => setTimeout(r, 5))
    }
    return out
  }

  it('reports every queued record once: refused when librdkafka’s queue stays full, purged at close', async () => {
    // no broker at port 1, a queue of one record, 100 ms of waiting for room
    const handle = addon.create([
      ['bootstrap.servers', '127.0.0.1:1'],
      ['queue.buffering.max.messages', '1'],
      ['firefront.queue.full.timeout.ms', '100'],
    ])
    const batch = encodeBatch([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'c', value: '3' },
    ])
    const t0 = Date.now()
    expect(addon.produce(handle, 'ff-never-sent', new Uint8Array(batch.buffer, 0, batch.byteLength), 7, 0)).toEqual([
      3, 0,
    ])
    expect(Date.now() - t0).toBeLessThan(100) // queued, not waited for
    // the first is taken; the second waits 100 ms for room, then it and the third are refused
    expect(await reports(handle, 2)).toEqual(['_QUEUE_FULL', '_QUEUE_FULL'])
    expect(addon.outq(handle)).toBe(1)
    await new Promise<void>((resolve) => addon.close(handle, 0, () => resolve()))
    expect(await reports(handle, 1)).toEqual(['_PURGE_QUEUE'])
  })
})

describe('choosing the native producer (kafka.native_producer)', () => {
  const missing = async (): Promise<BatchAddon> => ({ addon: null, reason: 'the addon was not built here' })
  const present = async (): Promise<BatchAddon> => ({ addon: {} as RdKafkaBatch })
  const logged: string[] = []
  const logger = {
    info: (_o: unknown, msg: string) => logged.push(msg),
  } as unknown as NonNullable<KafkaTransportOptions['logger']>
  const options = (kafka: Record<string, unknown>): KafkaTransportOptions =>
    ({ kafka: { client: 'native', native_producer: 'auto', producer_process: false, ...kafka }, logger }) as never

  it('auto takes the addon where it is built, else node-rdkafka with a log line saying why', async () => {
    expect(await batchAddonFor(options({}), present)).toBeDefined()
    expect(await batchAddonFor(options({}), missing)).toBeUndefined()
    expect(logged).toEqual([expect.stringMatching(/batch producer is not available here/)])
  })

  it('batch refuses to start without the addon, naming what to install; node-rdkafka never loads it', async () => {
    await expect(batchAddonFor(options({ native_producer: 'batch' }), missing)).rejects.toMatchObject({
      code: 'ERR_PLUGIN_NOT_FOUND',
      message: expect.stringMatching(
        /native_producer "batch": the addon was not built here.*@firefront\/rdkafka-batch/,
      ),
    })
    let loads = 0
    const counting = async (): Promise<BatchAddon> => {
      loads++
      return present()
    }
    expect(await batchAddonFor(options({ native_producer: 'node-rdkafka' }), counting)).toBeUndefined()
    // a producer process runs node-rdkafka: auto does not pick the addon then
    expect(await batchAddonFor(options({ producer_process: true }), counting)).toBeUndefined()
    expect(loads).toBe(0)
  })
})
