// docs/plugins.md lists the plugin context's members and the record's fields: this keeps the two
// tables equal to the SDK's types, member for member and in order.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const doc = readFileSync(at('../../../docs/plugins.md'), 'utf8')

/** The member names of an exported interface, in declaration order. */
function members(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)
  const found = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  )
  if (!found) throw new Error(`no interface ${name} in ${file}`)
  return found.members.map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : '?'))
}

/** The first column of the table that follows `marker` in the doc. */
function tableAfter(marker: string): string[] {
  const start = doc.indexOf(marker)
  if (start === -1) throw new Error(`docs/plugins.md has no "${marker}"`)
  const rows: string[] = []
  for (const line of doc.slice(start).split('\n').slice(1)) {
    const cell = /^\| `([A-Za-z]+)` \|/.exec(line)?.[1]
    if (cell) rows.push(cell)
    else if (rows.length > 0 && !line.startsWith('|')) break
  }
  return rows
}

describe('docs/plugins.md against the SDK types', () => {
  it('lists every member of PluginContext, in order', () => {
    expect(tableAfter('drift-tested against PluginContext')).toEqual(members(at('../src/context.ts'), 'PluginContext'))
  })

  it('lists every field of SourceRecord, in order', () => {
    expect(tableAfter('drift-tested against SourceRecord')).toEqual(members(at('../src/record.ts'), 'SourceRecord'))
  })
})
