import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../packages/sdk/src/errors'

const doc = readFileSync(fileURLToPath(new URL('../docs/troubleshooting.md', import.meta.url)), 'utf8')

describe('docs/troubleshooting.md', () => {
  it('has one section per code of the error catalogue, in its order, each stating the catalogue cause and a fix', () => {
    const sections = doc.split(/^## /m).slice(1)
    expect(sections.map((s) => s.split('\n')[0])).toEqual(Object.keys(ERROR_CODES))
    for (const s of sections) {
      const code = s.split('\n')[0] as keyof typeof ERROR_CODES
      expect(s, code).toContain(`\nCause: ${ERROR_CODES[code]}\n`)
      expect(s, code).toMatch(/\nFix: \S/)
    }
  })
})
