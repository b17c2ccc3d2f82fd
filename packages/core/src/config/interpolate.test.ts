// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` written literally is what these tests are about
import { describe, expect, test } from 'vitest'
import { interpolate } from './interpolate'

describe('interpolate', () => {
  test('leaves text without ${ alone', () => {
    expect(interpolate('plain $HOME text', {})).toEqual({
      value: 'plain $HOME text',
      changed: false,
      whole: false,
      fromEnv: [],
      problems: [],
    })
  })

  test('${NAME}, ${NAME:-default}, inside longer text', () => {
    const r = interpolate('${HOST}:${PORT:-9092}/x', { HOST: 'broker' })
    expect(r).toMatchObject({ value: 'broker:9092/x', changed: true, whole: false, fromEnv: ['HOST'], problems: [] })
  })

  test('a whole ${...} is flagged as such', () => {
    expect(interpolate('${A}', { A: '1' }).whole).toBe(true)
    expect(interpolate('${A:-x}', {}).whole).toBe(true)
    expect(interpolate('${A}${B}', { A: '1', B: '2' }).whole).toBe(false)
    expect(interpolate(' ${A}', { A: '1' }).whole).toBe(false)
  })

  test('an empty variable counts as set for ${NAME} and as unset for ${NAME:-default}', () => {
    expect(interpolate('[${E}]', { E: '' })).toMatchObject({ value: '[]', fromEnv: [], problems: [] })
    expect(interpolate('[${E:-d}]', { E: '' }).value).toBe('[d]')
  })

  test('a default may hold any text up to the first }', () => {
    expect(interpolate('${AREA:--125,32,-114,42}', {}).value).toBe('-125,32,-114,42')
    expect(interpolate('${URL:-http://h:1/p?q=$x}', {}).value).toBe('http://h:1/p?q=$x')
    expect(interpolate('${E:-}', {}).value).toBe('')
  })

  test('$${ is a literal ${, and is not read as an expression', () => {
    expect(interpolate('$${HOME} and ${A}', { A: 'a' })).toMatchObject({ value: '${HOME} and a', whole: false })
  })

  test('a substituted value is not expanded again', () => {
    expect(interpolate('${A}', { A: '${B}', B: 'b' }).value).toBe('${B}')
  })

  test('an unset variable without default is a problem naming it; the text is kept', () => {
    const r = interpolate('x-${MISSING}-${ALSO}', {})
    expect(r.value).toBe('x-${MISSING}-${ALSO}')
    expect(r.problems).toEqual([
      {
        offset: 2,
        expression: '${MISSING}',
        message: 'environment variable MISSING is not set (write ${MISSING:-default} to give a default)',
      },
      {
        offset: 13,
        expression: '${ALSO}',
        message: 'environment variable ALSO is not set (write ${ALSO:-default} to give a default)',
      },
    ])
  })

  test.each(['${', '${OPEN', '${}', '${1ABC}', '${A B}', '${A:=x}'])('%s is malformed', (text) => {
    const r = interpolate(text, { A: 'a', OPEN: 'o' })
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]?.message).toMatch(/^malformed \$\{\.\.\.\}/)
    expect(r.value).toBe(text)
  })
})
