/**
 * Plugin packages installed where a config file would resolve them: every `node_modules` from its
 * folder up, as Node looks. A package is a Firefront plugin package when its package.json has a
 * `"firefront": { "kind", "name" }` field (what `firefront new` writes) or the
 * `firefront-plugin` keyword.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** One installed plugin package. */
export interface InstalledPlugin {
  readonly packageName: string
  readonly version: string
  /** From the `firefront` field, when it has one. */
  readonly kind?: string
  readonly name?: string
  readonly dir: string
}

interface PackageJson {
  name?: unknown
  version?: unknown
  keywords?: unknown
  firefront?: { kind?: unknown; name?: unknown }
}

function read(dir: string): InstalledPlugin | undefined {
  let pkg: PackageJson
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
  } catch {
    return undefined
  }
  if (typeof pkg.name !== 'string') return undefined
  const field = typeof pkg.firefront === 'object' && pkg.firefront !== null ? pkg.firefront : undefined
  const keyword = Array.isArray(pkg.keywords) && pkg.keywords.includes('firefront-plugin')
  if (!field && !keyword) return undefined
  return {
    packageName: pkg.name,
    version: typeof pkg.version === 'string' ? pkg.version : '',
    ...(typeof field?.kind === 'string' ? { kind: field.kind } : {}),
    ...(typeof field?.name === 'string' ? { name: field.name } : {}),
    dir,
  }
}

/** The plugin packages resolvable from `fromDir`, nearest first (a nearer copy hides a farther one), by name. */
export function installedPlugins(fromDir: string): InstalledPlugin[] {
  const found = new Map<string, InstalledPlugin>()
  let dir = resolve(fromDir)
  for (;;) {
    const modules = join(dir, 'node_modules')
    if (existsSync(modules)) {
      for (const entry of readdirSync(modules)) {
        if (entry.startsWith('.')) continue
        const dirs = entry.startsWith('@')
          ? readdirSync(join(modules, entry)).map((sub) => join(modules, entry, sub))
          : [join(modules, entry)]
        for (const d of dirs) {
          const plugin = read(d)
          if (plugin && !found.has(plugin.packageName)) found.set(plugin.packageName, plugin)
        }
      }
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return [...found.values()].sort((a, b) => a.packageName.localeCompare(b.packageName))
}
