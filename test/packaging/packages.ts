/** The repository's published packages, read from the root package.json's workspaces. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Where the source lives; every package's `repository`, `homepage` and `bugs` point here. */
export const REPOSITORY = 'https://github.com/firefront-dev/firefront'

const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces

/** Workspace folders of the packages that are published (not `private`), in workspace order. */
export const PUBLISHED: readonly string[] = workspaces.filter(
  (dir) =>
    (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { private?: boolean }).private !== true,
)

/** The published `@firefront/*` packages: what a user installs from the registry. */
export const FIREFRONT_PACKAGES: readonly string[] = PUBLISHED.filter((dir) => dir.startsWith('packages/'))
