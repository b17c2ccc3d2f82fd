import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SinkRecord } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { IntakeJournal, ranges } from './intake-journal'

const file = () => join(mkdtempSync(join(tmpdir(), 'firefront-journal-')), 'journal', 'sensors.jsonl')
const at = '2026-08-01T12:00:00.000Z'
const deadLetter: SinkRecord = {
  value: { reason: 'not JSON', location: 'tele/x/SENSOR', input: '{oops' },
  topic: 'firefront-dlq',
  headers: { 'firefront.error': 'not JSON' },
  sourceId: 'sensors',
  sourceType: 'iot_mqtt',
  priority: 'normal',
  ingestedAt: at,
}

describe('IntakeJournal', () => {
  it('keeps what was not settled for the next open, in order, with the time each was emitted', () => {
    const path = file()
    const j = IntakeJournal.open({ file: path })
    const seqs = j.appendRecords(
      [1, 2, 3, 4].map((n) => ({ key: `k${n}`, value: { n }, eventTime: at, headers: { h: String(n) } })),
      at,
    )
    const dl = j.appendDeadLetter(deadLetter)
    expect(seqs).toEqual([1, 2, 3, 4])
    expect(dl).toBe(5)
    j.settle([1, 3])
    expect(j.stats).toMatchObject({ pending: 3, appended: 5, settled: 2 })
    // no close(): the process died

    const again = IntakeJournal.open({ file: path })
    const recovered = again.takeRecovered()
    expect(recovered.map((e) => e.seq)).toEqual([2, 4, 5])
    expect(recovered[0]).toEqual({
      seq: 2,
      kind: 'record',
      at,
      record: { key: 'k2', value: { n: 2 }, eventTime: at, headers: { h: '2' } },
    })
    expect(recovered[2]).toEqual({ seq: 5, kind: 'dead-letter', record: deadLetter })
    expect(again.takeRecovered()).toEqual([])
    expect(again.stats).toMatchObject({ pending: 3, recovered: 3, tornLines: 0 })
    // numbering goes on after the highest number seen
    expect(again.appendRecords([{ value: 'next' }], at)).toEqual([6])
    // the file was rewritten at open with only the unsettled entries
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(4)
  })

  it('skips a line torn by a crash, counts it, and goes on from a clean file', () => {
    const path = file()
    const j = IntakeJournal.open({ file: path })
    j.appendRecords([{ value: 'a' }, { value: 'b' }], at)
    appendFileSync(path, '{"n":3,"at":"2026-08-01T12:00:00.000Z","r":{"val')
    const again = IntakeJournal.open({ file: path })
    expect(again.takeRecovered().map((e) => e.record.value)).toEqual(['a', 'b'])
    expect(again.stats.tornLines).toBe(1)
    again.appendRecords([{ value: 'c' }], at)
    const third = IntakeJournal.open({ file: path })
    expect(third.takeRecovered().map((e) => e.record.value)).toEqual(['a', 'b', 'c'])
    expect(third.stats.tornLines).toBe(0)
  })

  it('lines that are not journal entries are skipped, and a huge settled range does not stall the open', () => {
    const path = file()
    IntakeJournal.open({ file: path }).close()
    writeFileSync(
      path,
      [
        '{"n":1,"at":"x","r":{"value":1}}',
        '[1,2,3]',
        '{"n":-4,"at":"x","r":{"value":1}}',
        '{"n":2,"r":{"value":2}}',
        '{"n":3,"d":{"value":1}}',
        '{"n":9,"at":"x","r":{"value":9}}',
        '{"a":[[2,9007199254740000],"junk",[5,1]]}',
        '',
      ].join('\n'),
    )
    const j = IntakeJournal.open({ file: path })
    expect(j.takeRecovered().map((e) => e.seq)).toEqual([1])
    expect(j.stats.tornLines).toBe(4)
  })

  it('rewrites the file once settled entries make up most of it', () => {
    const path = file()
    const j = IntakeJournal.open({ file: path, compactBytes: 4096 })
    const value = { reading: 'x'.repeat(200) }
    for (let round = 0; round < 50; round++) j.settle(j.appendRecords([{ value }, { value }], at))
    const kept = j.appendRecords([{ value: 'kept' }], at)
    j.settle([])
    expect(j.stats.compactions).toBeGreaterThan(0)
    expect(statSync(path).size).toBeLessThan(4096 + 600)
    expect(
      IntakeJournal.open({ file: path })
        .takeRecovered()
        .map((e) => e.seq),
    ).toEqual(kept)
  })

  it('settling unknown or settled numbers changes nothing; close leaves an empty file when all is settled', () => {
    const path = file()
    const j = IntakeJournal.open({ file: path, fsync: true })
    const seqs = j.appendRecords([{ value: 1 }, { value: 2 }], at)
    expect(j.settle([99])).toBeUndefined()
    j.settle(seqs)
    j.settle(seqs)
    expect(j.stats).toMatchObject({ pending: 0, settled: 2 })
    j.close()
    expect(readFileSync(path, 'utf8')).toBe('')
    expect(() => j.appendRecords([{ value: 3 }], at)).toThrow(/closed/)
  })

  it('a journal that cannot be created is refused with ERR_JOURNAL naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firefront-journal-'))
    writeFileSync(join(dir, 'journal'), 'a file where the folder should be')
    let error: unknown
    try {
      IntakeJournal.open({ file: join(dir, 'journal', 's.jsonl') })
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({ code: 'ERR_JOURNAL', message: expect.stringContaining(join(dir, 'journal')) })
  })

  it('ranges: sorted, inclusive, merged', () => {
    expect(ranges([7, 1, 3, 2])).toEqual([
      [1, 3],
      [7, 7],
    ])
    expect(ranges([])).toEqual([])
  })
})
