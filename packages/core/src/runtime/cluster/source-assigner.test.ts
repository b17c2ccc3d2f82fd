import { applyDefaults } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { FirefrontConfig } from '../../config/schema'
import { configDigest } from './config-digest'
import { workerConfig } from './identity'
import { decodeNote, encodeUserData, type WorkerAnnouncement } from './member-data'
import { createSourceAssigner } from './source-assigner'

const config = (sources: Record<string, unknown>, extra: Record<string, unknown> = {}): FirefrontConfig =>
  applyDefaults(FirefrontConfig, {
    cursors: { store: 'kafka' },
    cluster: { group_id: 'fires' },
    sources,
    ...extra,
  }) as FirefrontConfig

const base = {
  firms: { source_type: 'nasa_firms', config: { map_key: 'one-secret', area: 'world' } },
  noaa: { source_type: 'noaa_weather' },
}

const announce = (worker: string, cfg: FirefrontConfig, owned: string[] = []): Buffer =>
  encodeUserData({ v: 1, worker, host: 'h', pid: 1, digest: configDigest(cfg), owned } satisfies WorkerAnnouncement)

describe('the config digest', () => {
  it('names each source and section; per-worker keys and secret values are left out', () => {
    const a = configDigest(
      config(base, { metrics: { port: 1 }, state_dir: '/a', cluster: { group_id: 'fires', worker_id: 'w1' } }),
    )
    const b = configDigest(
      config(base, { metrics: { port: 2 }, state_dir: '/b', cluster: { group_id: 'fires', worker_id: 'w2' } }),
    )
    expect(a).toEqual(b)
    expect(Object.keys(a)).toEqual(
      expect.arrayContaining(['kafka', 'cursors', 'cluster', 'sources.firms', 'sources.noaa']),
    )
    const otherKey = configDigest(
      config({ ...base, firms: { ...base.firms, config: { ...base.firms.config, map_key: 'two' } } }),
    )
    expect(otherKey['sources.firms']).toBe(a['sources.firms'])
    expect(JSON.stringify(a)).not.toContain('one-secret')
  })
})

describe('the source assigner (run by the leader)', () => {
  it('spreads the slots evenly over workers with the same config', () => {
    const cfg = config(base)
    const assign = createSourceAssigner('fires', { worker: 'w1', digest: configDigest(cfg), slots: ['firms', 'noaa'] })
    const out = assign(
      [
        { memberId: 'm1', userData: announce('w1', cfg) },
        { memberId: 'm2', userData: announce('w2', cfg) },
      ],
      { partitions: 2, generation: 7 },
    )
    expect([...out.values()].map((a) => a.partitions.length)).toEqual([1, 1])
    expect(decodeNote(out.get('m2')!.userData ?? null)).toEqual({ v: 1, generation: 7, leader: 'w1' })
  })

  it('a worker with another config gets nothing and a note naming the section; the majority decides', () => {
    const good = config(base)
    const stray = config({ ...base, noaa: { source_type: 'noaa_weather', rate_limit_per_minute: 5 } })
    // the leader itself is the odd one out: two workers outvote it
    const assign = createSourceAssigner('fires', {
      worker: 'w0',
      digest: configDigest(stray),
      slots: ['firms', 'noaa'],
    })
    const out = assign(
      [
        { memberId: 'm0', userData: announce('w0', stray) },
        { memberId: 'm1', userData: announce('w1', good) },
        { memberId: 'm2', userData: announce('w2', good) },
      ],
      { partitions: 2, generation: 3 },
    )
    expect(out.get('m0')!.partitions).toEqual([])
    expect(decodeNote(out.get('m0')!.userData ?? null)?.refused).toMatch(
      /^this worker's config is refused: sources\.noaa differs from worker w1's: every worker of group fires must run the same config file/,
    )
    expect([...out.get('m1')!.partitions, ...out.get('m2')!.partitions].sort()).toEqual([0, 1])
  })

  it('only the slots the topic has are handed out', () => {
    const cfg = config(base)
    const assign = createSourceAssigner('fires', { worker: 'w1', digest: configDigest(cfg), slots: ['firms', 'noaa'] })
    const out = assign([{ memberId: 'm1', userData: announce('w1', cfg) }], { partitions: 1, generation: 1 })
    expect(out.get('m1')!.partitions).toEqual([0])
  })
})

describe('workerConfig', () => {
  it('gives each worker its own state folder and fills the worker id; without cluster: the config as it is', () => {
    const cfg = config(base, { state_dir: '/var/lib/ff', cluster: { group_id: 'fires', worker_id: 'w7' } })
    const w = workerConfig(cfg)
    expect(w.state_dir).toBe('/var/lib/ff/workers/w7')
    expect(w.cluster?.worker_id).toBe('w7')
    expect(workerConfig(cfg, () => 'x').cluster?.worker_id).toBe('w7')
    const unnamed = config(base, { state_dir: '/s' })
    expect(workerConfig(unnamed, () => 'host-1').state_dir).toBe('/s/workers/host-1')
    const single = applyDefaults(FirefrontConfig, { sources: base }) as FirefrontConfig
    expect(workerConfig(single)).toBe(single)
  })
})
