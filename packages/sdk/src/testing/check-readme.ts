import type { TSchema } from '@sinclair/typebox'
import type { Plugin } from '../define'
import { validateConfig } from '../validate'
import { ContractError } from './check-connector'

/** The sections of a connector README, in order (one template for every connector). */
export const CONNECTOR_README_SECTIONS = [
  'What is this?',
  'When should I use this?',
  'Install',
  'Configuration',
  'Records emitted',
  'Example firefront.yaml',
  'Compatibility',
  'License',
] as const

/** Options of {@link checkConnectorReadme}. */
export interface ReadmeCheckOptions {
  /** The npm package name the example's `plugins:` must declare. */
  readonly packageName: string
  /** A YAML parser (the SDK ships none), e.g. `parse` from the `yaml` package. */
  readonly parseYaml: (text: string) => unknown
}

/** The text of one `## title` section. */
export function readmeSection(readme: string, title: string): string {
  const start = readme.indexOf(`## ${title}\n`)
  if (start === -1) return ''
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}

/**
 * Checks a connector's README against the shared template: its sections in order, a
 * Configuration table whose rows (`| \`key\` |`) are exactly the schema's top-level keys in order,
 * and an example `firefront.yaml` that declares the package and whose sources of this connector's
 * types all have `config:` blocks the schema accepts. Throws a {@link ContractError} listing each
 * failure.
 */
export function checkConnectorReadme<S extends TSchema>(
  plugin: Plugin<'connector', S>,
  readme: string,
  options: ReadmeCheckOptions,
): void {
  const name = `connector:${plugin.name}`
  const failures: string[] = []
  const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])
  if (JSON.stringify(headings) !== JSON.stringify(CONNECTOR_README_SECTIONS)) {
    failures.push(`sections are ${JSON.stringify(headings)}, expected ${JSON.stringify(CONNECTOR_README_SECTIONS)}`)
  }
  const rows = readmeSection(readme, 'Configuration')
    .split('\n')
    .map((line) => /^\| `([a-z_]+)` \|/.exec(line)?.[1])
    .filter((key): key is string => key !== undefined)
  const keys = Object.keys((plugin.configSchema as { properties?: Record<string, unknown> }).properties ?? {})
  if (JSON.stringify(rows) !== JSON.stringify(keys)) {
    failures.push(`the Configuration table lists ${JSON.stringify(rows)}, the schema has ${JSON.stringify(keys)}`)
  }
  const yaml = /```yaml\n([\s\S]*?)```/.exec(readmeSection(readme, 'Example firefront.yaml'))?.[1]
  if (yaml === undefined) {
    failures.push('no ```yaml example under "Example firefront.yaml"')
  } else {
    const file = options.parseYaml(yaml) as {
      plugins?: unknown
      sources?: Record<string, { source_type?: string; config?: unknown }>
    }
    if (!Array.isArray(file?.plugins) || !file.plugins.includes(options.packageName)) {
      failures.push(`the example's plugins: does not declare ${options.packageName}`)
    }
    const own = Object.entries(file?.sources ?? {}).filter(
      ([, s]) => plugin.sourceTypes?.includes(s.source_type ?? '') ?? false,
    )
    if (own.length === 0) failures.push(`the example has no source of type ${(plugin.sourceTypes ?? []).join(' | ')}`)
    for (const [id, source] of own) {
      const checked = validateConfig(plugin.configSchema, source.config)
      if (!checked.ok)
        failures.push(
          `the example's sources.${id}.config is refused: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        )
    }
  }
  if (failures.length > 0) throw new ContractError(name, failures)
}
