import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileCursorStore } from './file-cursor-store'
import { lockSource, sourceRunningPid, unlockSource } from './source-lock'

describe('FileCursorStore', () => {
  it('persists commits atomically and reloads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-cursors-'))
    const path = join(dir, 'nested', 'cursors.json')
    const store = new FileCursorStore(path)
    expect(store.get('a')).toBeUndefined()
    await Promise.all([store.commit('a', 1, 10), store.commit('b', { x: 'y' }), store.commit('a', 2, 5)])
    const again = new FileCursorStore(path)
    expect(again.get('a')).toMatchObject({ cursor: 2, records: 15 })
    expect(again.get('b')?.cursor).toEqual({ x: 'y' })
    expect(readdirSync(join(dir, 'nested'))).toEqual(['cursors.json']) // no temp file left
    await again.reset('a')
    await again.reset('b', 'start')
    expect(new FileCursorStore(path).list()).toMatchObject({ b: { cursor: 'start' } })
    expect(new FileCursorStore(path).get('a')).toBeUndefined()
  })

  it('names a corrupt file instead of starting from scratch silently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-cursors-'))
    const path = join(dir, 'cursors.json')
    writeFileSync(path, '{ not json')
    expect(() => new FileCursorStore(path)).toThrow(`cursor file ${path} is not valid JSON`)
    expect(readFileSync(path, 'utf8')).toBe('{ not json')
  })
})

describe('source locks', () => {
  it('marks a running source with its pid and ignores stale marks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-locks-'))
    expect(sourceRunningPid(dir, 'a')).toBeUndefined()
    lockSource(dir, 'a')
    expect(sourceRunningPid(dir, 'a')).toBe(process.pid)
    unlockSource(dir, 'a')
    expect(sourceRunningPid(dir, 'a')).toBeUndefined()
    writeFileSync(join(dir, 'locks', 'b.pid'), '999999999')
    expect(sourceRunningPid(dir, 'b')).toBeUndefined()
  })
})
