import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load'
import { cli } from '../cli/in-process'

const load = (text: string) => loadConfigText(text, { file: 'firefront.yaml', env: {} })

describe('cluster: in the config file', () => {
  it('defaults: session 10 s, heartbeat 3 s; the worker id and assignment topic are left to the runtime', () => {
    const loaded = load('cursors: { store: kafka }\ncluster:\n  group_id: fires\n')
    expect(loaded.issues).toEqual([])
    expect(loaded.config.cluster).toEqual({
      group_id: 'fires',
      session_timeout_seconds: 10,
      heartbeat_interval_seconds: 3,
    })
  })

  it('refuses the file cursor store, saying why and what to write', () => {
    const absent = load('cluster:\n  group_id: fires\n')
    expect(absent.issues.map((i) => [i.path, i.line])).toEqual([['cluster', 1]])
    expect(absent.issues[0]!.message).toMatch(
      /needs cursors\.store: kafka \(the default is file\).*each worker would keep its own cursors.*Write cursors: \{ store: kafka \}/,
    )
    const written = load('cursors:\n  store: file\ncluster:\n  group_id: fires\n')
    expect(written.issues.map((i) => [i.path, i.line])).toEqual([['cursors.store', 2]])
    expect(written.issues[0]!.message).toContain('(not "file")')
  })

  it('refuses a session timeout under 6 s and a heartbeat that is not below it', () => {
    const short = load('cursors: { store: kafka }\ncluster: { group_id: fires, session_timeout_seconds: 3 }\n')
    expect(short.issues.map((i) => i.path)).toEqual(['cluster.session_timeout_seconds'])
    const slow = load('cursors: { store: kafka }\ncluster: { group_id: fires, heartbeat_interval_seconds: 10 }\n')
    expect(slow.issues.map((i) => i.path)).toEqual(['cluster.heartbeat_interval_seconds'])
    expect(slow.issues[0]!.message).toContain('must be below cluster.session_timeout_seconds (10 s)')
  })

  it('without cluster: nothing changes (the file store stays the default)', () => {
    expect(load('sources: {}\n').issues).toEqual([])
  })
})

describe('firefront run with cluster:', () => {
  it('--once and --source are refused with exit 2 and a reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-cluster-cli-'))
    try {
      const file = join(dir, 'c.yaml')
      writeFileSync(
        file,
        'kafka: { bootstrap_servers: "127.0.0.1:1" }\ncursors: { store: kafka }\ncluster: { group_id: fires }\n',
      )
      const once = await cli('run', file, '--once')
      expect(once.code).toBe(2)
      expect(once.err).toMatch(
        /--once cannot be used with cluster: \(group fires\): the group assigns each source to one worker/,
      )
      const source = await cli('run', file, '--source', 'x')
      expect(source.code).toBe(2)
      expect(source.err).toContain('--source cannot be used with cluster:')
      const status = await cli('cluster', 'status')
      expect(status.code).toBe(2)
      const single = join(dir, 's.yaml')
      writeFileSync(single, 'sources: {}\n')
      const none = await cli('cluster', 'status', single)
      expect(none.code).toBe(2)
      expect(none.err).toContain('has no cluster: block')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
