/**
 * Which plugin modules may be imported. Importing runs a module's top-level code, so a config file
 * may only name code it could have shipped with: a module in its own folder tree, or a package
 * Node resolves from its folder (node_modules). Anything else needs the user's explicit consent,
 * a folder passed as `--allow-plugin-path`; `validate` follows the same rule, so it never runs
 * code it was not told to trust.
 */
import { realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'

/** What the user trusts beyond the config file's folder tree and node_modules. */
export interface PluginTrust {
  /** Folders whose modules may be loaded too (`--allow-plugin-path`), absolute or from the current directory. */
  readonly allowPluginPaths?: readonly string[]
}

/** Whether a `plugins:` entry is a path (resolved from the config's folder) rather than a package name. */
export const isPathSpecifier = (specifier: string): boolean =>
  specifier.startsWith('.') || isAbsolute(specifier) || specifier.startsWith('file:')

const real = (path: string): string => {
  try {
    return realpathSync(path)
  } catch {
    return resolve(path)
  }
}

const inside = (folder: string, file: string): boolean => {
  const rel = relative(folder, file)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Why the module `file`, declared as `specifier` in a config in `configDir`, may not be imported;
 * undefined when it may. A package name resolved by Node from the config's folder is trusted; a
 * path must lie (after symlinks) in the config's folder tree or in an allowed folder.
 */
export function untrustedReason(
  specifier: string,
  file: string,
  configDir: string,
  trust: PluginTrust = {},
): string | undefined {
  if (!isPathSpecifier(specifier)) return undefined
  const target = real(file)
  const roots = [configDir, ...(trust.allowPluginPaths ?? [])].map((root) => real(resolve(root)))
  if (roots.some((root) => inside(root, target))) return undefined
  return `not loaded: ${target} lies outside the config file's folder (${real(configDir)}); plugins load only from that folder, its subfolders or node_modules. If you trust this code, pass --allow-plugin-path ${real(resolve(file, '..'))}`
}
