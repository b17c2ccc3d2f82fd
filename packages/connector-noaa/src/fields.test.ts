import { describe, expect, it } from 'vitest'
import { FieldReader, jsonType } from './fields'

describe('FieldReader', () => {
  it('reads absent, null and blank as null without noting them', () => {
    const r = new FieldReader()
    expect([r.string('a', undefined), r.string('b', null), r.string('c', '  '), r.number('d', null)]).toEqual([
      null,
      null,
      null,
      null,
    ])
    expect(r.strings('e', undefined)).toEqual([])
    expect(r.object('f', null)).toEqual({})
    expect(r.result()).toEqual({})
  })

  it('notes every value of the wrong type with what it held', () => {
    const r = new FieldReader()
    expect(r.string('areaDesc', { a: 1 })).toBeNull()
    expect(r.number('value', '22.8')).toBeNull()
    expect(r.number('value', Number.NaN)).toBeNull()
    expect(r.strings('UGC', ['CAZ211', 7, null])).toEqual(['CAZ211'])
    expect(r.strings('SAME', 'CAZ211')).toEqual([])
    expect(r.object('parameters', [1])).toEqual({})
    expect(r.result().invalidFields).toEqual([
      { field: 'areaDesc', problem: 'an object, expected a string', value: { a: 1 } },
      { field: 'value', problem: 'a string, expected a number', value: '22.8' },
      { field: 'value', problem: 'NaN, expected a finite number', value: null },
      { field: 'UGC[1]', problem: 'a number, expected a string', value: 7 },
      { field: 'UGC[2]', problem: 'null, expected a string', value: null },
      { field: 'SAME', problem: 'a string, expected an array of strings', value: 'CAZ211' },
      { field: 'parameters', problem: 'an array, expected an object', value: [1] },
    ])
  })

  it('reads a decimal string as the number it spells only where asked (numeric)', () => {
    const r = new FieldReader()
    expect(r.numeric('gridX', '58')).toBe(58)
    expect(r.numeric('gridY', 'sixty')).toBeNull()
    expect(r.invalid.map((f) => f.field)).toEqual(['gridY'])
  })

  it('names JSON types for messages', () => {
    expect([jsonType(null), jsonType([]), jsonType({}), jsonType(1), jsonType('s'), jsonType(true)]).toEqual([
      'null',
      'an array',
      'an object',
      'a number',
      'a string',
      'a boolean',
    ])
  })
})
