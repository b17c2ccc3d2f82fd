import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packages = fileURLToPath(new URL('../../../', import.meta.url))
const backend = join('core', 'src', 'kafka', 'kafkajs') + sep
const self = fileURLToPath(import.meta.url)

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(path)
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [path] : []
  })
}

// `from 'kafkajs'`, `import('kafkajs')`, `require('kafkajs')`, and subpaths of it.
const KAFKAJS = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]kafkajs(?:\/[^'"]*)?['"]/

// `from '@platformatic/kafka'` and the other forms, as above.
const PLATFORMATIC = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]@platformatic\/kafka(?:\/[^'"]*)?['"]/
const platformaticBackend = join('core', 'src', 'kafka', 'platformatic') + sep
// A static import of the platformatic backend folder (the dynamic `import('./platformatic')` is allowed).
const STATIC_PLATFORMATIC_BACKEND =
  /(?:from\s+|require\s*\(\s*|import\s+)['"][./]*(?:kafka\/)?platformatic(?:\/[^'"]*)?['"]/

function allSources(): string[] {
  return readdirSync(packages, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      try {
        return sources(join(packages, e.name, 'src'))
      } catch {
        return []
      }
    })
}

describe('the Kafka client boundary', () => {
  it('kafkajs is imported only in packages/core/src/kafka/kafkajs/', () => {
    const files = allSources()
    expect(files.length).toBeGreaterThan(50)
    const importing = files
      .filter((f) => f !== self)
      .filter((f) => KAFKAJS.test(readFileSync(f, 'utf8')))
      .map((f) => relative(packages, f))
    expect(importing.length).toBeGreaterThan(0)
    expect(importing.filter((f) => !f.startsWith(backend))).toEqual([])
  })

  it('the pattern catches each form of import', () => {
    for (const line of [
      "import { Kafka } from 'kafkajs'",
      'import type { Admin } from "kafkajs"',
      "const k = await import('kafkajs')",
      "const k = require('kafkajs')",
      "import 'kafkajs'",
      "import x from 'kafkajs/src/x'",
    ]) {
      expect(KAFKAJS.test(line), line).toBe(true)
    }
    expect(KAFKAJS.test("import { x } from './kafkajs'")).toBe(false)
  })

  it('@platformatic/kafka is imported only in packages/core/src/kafka/platformatic/, which loads on demand', () => {
    const files = allSources().filter((f) => f !== self)
    const importing = files.filter((f) => PLATFORMATIC.test(readFileSync(f, 'utf8'))).map((f) => relative(packages, f))
    expect(importing.length).toBeGreaterThan(0)
    expect(importing.filter((f) => !f.startsWith(platformaticBackend))).toEqual([])
    // Only open-transport's dynamic import reaches the folder: choosing kafkajs never loads it.
    const reaching = files
      .filter((f) => !relative(packages, f).startsWith(platformaticBackend))
      .filter((f) => STATIC_PLATFORMATIC_BACKEND.test(readFileSync(f, 'utf8')))
      .map((f) => relative(packages, f))
    expect(reaching).toEqual([])
    expect(PLATFORMATIC.test("import { Producer } from '@platformatic/kafka'")).toBe(true)
    expect(STATIC_PLATFORMATIC_BACKEND.test("export { openPlatformaticTransport } from './platformatic'")).toBe(true)
    expect(STATIC_PLATFORMATIC_BACKEND.test("return (await import('./platformatic')).openPlatformaticTransport")).toBe(
      false,
    )
  })
})
