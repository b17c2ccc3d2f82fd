import { spawnSync } from 'node:child_process'

/** The Debian packages of the tools the operator-view tests drive. */
export const OPERATOR_TOOLS: ReadonlyArray<{ bin: string; pkg: string; what: string }> = [
  { bin: 'promtool', pkg: 'prometheus', what: 'checks /metrics, alert rules and their tests' },
  { bin: 'chromium', pkg: 'chromium', what: 'runs the status page end to end (driven by playwright-core)' },
]

/** The path of `bin`, or undefined when it is not installed. */
export function toolPath(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() || undefined : undefined
}

/**
 * Under CI every operator tool must be there (.ci/run installs them): a missing one fails the
 * setup, naming the package. Elsewhere the tests that need a missing tool are skipped.
 */
export function checkOperatorTools(): void {
  if (!process.env.CI) return
  const missing = OPERATOR_TOOLS.filter((t) => !toolPath(t.bin))
  if (missing.length > 0) {
    throw new Error(
      `test setup: ${missing.map((t) => `${t.bin} (${t.what})`).join(', ')} missing under CI; install with: apt-get install -y ${missing.map((t) => t.pkg).join(' ')}`,
    )
  }
}

/**
 * The path of `bin` for a test that needs it: undefined (the test skips) when it is missing,
 * except under CI, where a missing tool is an error naming its package.
 */
export function operatorTool(bin: string): string | undefined {
  const path = toolPath(bin)
  const tool = OPERATOR_TOOLS.find((t) => t.bin === bin)
  if (!path && process.env.CI && tool)
    throw new Error(`${bin} is missing under CI (${tool.what}); install with: apt-get install -y ${tool.pkg}`)
  return path
}
