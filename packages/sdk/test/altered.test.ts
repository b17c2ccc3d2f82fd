import { describe, expect, it } from 'vitest'
import { alteredHeaderValue, foldField, jsonType } from '../src/altered'

describe('the firefront.altered convention', () => {
  it('names each invalid field once as type:<field>, indices folded, after the given tokens', () => {
    const fields = [
      { field: 'geocode.UGC[2]', problem: 'a number, expected a string', value: 3 },
      { field: 'geocode.UGC[5]', problem: 'a number, expected a string', value: 4 },
      { field: 'areaDesc', problem: 'an object, expected a string', value: {} },
    ]
    expect(alteredHeaderValue(fields, ['utf8-replaced'])).toBe('utf8-replaced,type:geocode.UGC[],type:areaDesc')
    expect(alteredHeaderValue([{ field: 'a,b%c', problem: 'x', value: null }])).toBe('type:a%2Cb%25c')
  })

  it('is undefined when nothing was altered', () => {
    expect(alteredHeaderValue(undefined)).toBeUndefined()
    expect(alteredHeaderValue([], [])).toBeUndefined()
  })

  it('folds indices and names JSON types for messages', () => {
    expect(foldField('uplink_message.rx_metadata[0].rssi')).toBe('uplink_message.rx_metadata[].rssi')
    expect([null, [], {}, 1, 'x'].map(jsonType)).toEqual(['null', 'an array', 'an object', 'a number', 'a string'])
  })
})
