/**
 * Loads the modules declared under `plugins:`: npm package names resolved from the config file's
 * folder, or relative paths. Every problem is collected; nothing is started.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type ConfigIssue, errorCode, isBranded, PluginLoadError } from '@firefront/sdk'
import type { PluginOrigin, PluginRegistry } from './registry'
import { isPathSpecifier, type PluginTrust, untrustedReason } from './trust'

/** Finds the package.json a file belongs to (name and version), walking up. */
export function owningPackage(file: string): { name?: string; version?: string } {
  let dir = dirname(file)
  for (;;) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string }
        if (pkg.name) return { name: pkg.name, version: pkg.version }
      } catch {
        // an unreadable package.json: keep walking up
      }
    }
    const parent = dirname(dir)
    if (parent === dir) return {}
    dir = parent
  }
}

/** Resolves a specifier as the config file would: relative paths from its folder, packages from its node_modules. */
export function resolvePluginSpecifier(specifier: string, configDir: string): string {
  if (isPathSpecifier(specifier)) {
    const file = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(configDir, specifier)
    if (!existsSync(file)) throw new Error(`no file at ${file}`)
    return file
  }
  return createRequire(join(configDir, '__firefront_config__.js')).resolve(specifier)
}

/**
 * The ESM entry of `tsx/esm/api` as resolved from `dir`, read from tsx's exports map: require's
 * resolution would give its CommonJS build, whose loader registration does not work when imported.
 */
function tsxEsmApi(dir: string): string {
  const manifest = createRequire(join(dir, '__firefront_config__.js')).resolve('tsx/package.json')
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } | string }>
  }
  const entry = pkg.exports?.['./esm/api']?.import
  const target = typeof entry === 'string' ? entry : entry?.default
  if (!target) throw new Error('this tsx has no ./esm/api entry')
  return resolve(dirname(manifest), target)
}

const TYPESCRIPT = /\.(?:c|m)?tsx?$/

/**
 * Imports a plugin module. A TypeScript file (`.ts`, `.mts`, `.cts`) goes through tsx when tsx
 * resolves from the config file's folder (a dev dependency of the project); otherwise Node
 * cannot load it, and the error says to build first or install tsx.
 */
export async function importPluginModule(file: string, configDir: string): Promise<Record<string, unknown>> {
  if (!TYPESCRIPT.test(file)) return (await import(pathToFileURL(file).href)) as Record<string, unknown>
  let api: string
  try {
    api = tsxEsmApi(configDir)
  } catch {
    throw new Error(
      `${file} is TypeScript, which Node.js does not load as it is: build the plugin first (npm run build) and declare the built .js file (e.g. ./dist/index.js), or install tsx next to the config file (npm install --save-dev tsx) to load .ts plugins directly`,
    )
  }
  const { tsImport } = (await import(pathToFileURL(api).href)) as {
    tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>
  }
  return tsImport(pathToFileURL(file).href, import.meta.url)
}

/**
 * The plugin objects a module exports: its default export (a plugin or an array of plugins), else
 * — a module without a default export — every named export made by a `define*` helper.
 */
export function pluginsOfModule(mod: Record<string, unknown>): unknown[] {
  const def = mod.default
  if (Array.isArray(def)) return def
  if (def !== undefined && def !== null && typeof def === 'object') {
    // a CommonJS build may nest the real default one level down
    const inner = (def as { default?: unknown }).default
    if (!('kind' in def) && inner !== undefined) return Array.isArray(inner) ? inner : [inner]
    return [def]
  }
  return Object.values(mod).filter((v) => isBranded(v))
}

/**
 * Imports each declared module and registers its plugins. Returns one issue per failure, with the
 * path of the declaration (`plugins[i]`), so the caller can point at the line in the file. A
 * module outside what `trust` allows (see {@link untrustedReason}) is refused before it is
 * imported: its code never runs.
 */
export async function loadDeclaredPlugins(
  registry: PluginRegistry,
  specifiers: readonly string[],
  configFile: string,
  trust: PluginTrust = {},
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = []
  const configDir = dirname(resolve(configFile))
  for (const [i, specifier] of specifiers.entries()) {
    const path = `plugins[${i}]`
    const declaredAt = `${configFile} ${path}`
    let file: string
    try {
      file = resolvePluginSpecifier(specifier, configDir)
    } catch (err) {
      // the advice fits what was written: a path is fixed, a package is installed
      const advice = isPathSpecifier(specifier)
        ? `${(err as Error).message}; paths are relative to the config file's folder (${configDir}): fix the path, or build the plugin if it points into a dist/ folder`
        : `module not found from ${configDir} (${(err as Error).message.split('\n')[0]}); install it next to the config file (npm install ${specifier}) or fix the name`
      const e = new PluginLoadError('ERR_PLUGIN_NOT_FOUND', specifier, advice, { declaredAt, cause: err })
      issues.push({ path, message: e.message })
      continue
    }
    const untrusted = untrustedReason(specifier, file, configDir, trust)
    if (untrusted) {
      issues.push({ path, code: 'ERR_PLUGIN_UNTRUSTED', message: `${specifier}: ${untrusted}` })
      continue
    }
    let mod: Record<string, unknown>
    try {
      mod = await importPluginModule(file, configDir)
    } catch (err) {
      issues.push({ path, message: `${specifier}: the module failed to load: ${(err as Error).message}` })
      continue
    }
    const candidates = pluginsOfModule(mod)
    if (candidates.length === 0) {
      issues.push({
        path,
        message: `${specifier}: the module exports no plugin (expected a default export made by defineConnector, defineSink, defineIngestionMode, defineThrottlePolicy or defineTopicResolver)`,
      })
      continue
    }
    const pkg = owningPackage(file)
    const origin: PluginOrigin = {
      via: 'config',
      specifier,
      file,
      packageName: pkg.name,
      packageVersion: pkg.version,
      declaredAt,
    }
    for (const candidate of candidates) {
      try {
        registry.register(candidate, origin)
      } catch (err) {
        if (errorCode(err)) issues.push({ path, message: (err as Error).message })
        else throw err
      }
    }
  }
  return issues
}
