import { describe, expect, it } from 'vitest'
import { findInvalidLines, invalidLineReason } from './invalid-lines'

describe('findInvalidLines', () => {
  it('finds the lines that are not UTF-8 by their decoded text, CR dropped, with their bytes', () => {
    const bad = Buffer.from([0x61, 0x2c, 0xff, 0x2c, 0x62])
    const body = Buffer.concat([
      Buffer.from('h1,h2\r\nok,\u00e9\r\n'),
      bad,
      Buffer.from('\r\n'),
      bad,
      Buffer.from('\n'),
    ])
    const found = findInvalidLines(body)
    expect([...found.keys()]).toEqual(['a,\uFFFD,b'])
    expect(found.get('a,\uFFFD,b')).toEqual([
      { offset: 2, base64: bad.toString('base64') },
      { offset: 2, base64: bad.toString('base64') },
    ])
    expect(invalidLineReason({ offset: 2, base64: '' })).toMatch(/not valid UTF-8 \(the first at byte 2 of the row/)
  })

  it('drops a BOM from the first line only, as the body decode does', () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf, 0x78, 0xc3]),
      Buffer.from('\n\uFEFFy'),
      Buffer.from([0xc3]),
    ])
    expect([...findInvalidLines(body).keys()]).toEqual(['x\uFFFD', '\uFEFFy\uFFFD'])
  })
})
