import { fileURLToPath } from 'node:url'
import type { ValidateIO } from '../../src/cli/commands/validate'
import type { Environment } from '../../src/config/interpolate'

/** The path of a fixture file. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** Runs a command with captured output. */
export async function run(
  command: (args: readonly string[], io: ValidateIO) => Promise<number>,
  args: readonly string[],
  env: Environment = {},
): Promise<{ code: number; stdout: string; stderr: string; lines: string[] }> {
  let stdout = ''
  let stderr = ''
  const code = await command(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  })
  return { code, stdout, stderr, lines: stderr.split('\n').filter((l) => l !== '') }
}
