/**
 * `firefront test <config> [--tests FILE]...`: config unit tests, in the manner of `rpk connect
 * test` and `vector test`. Each case of a test file feeds a source recorded input (records, HTTP
 * answers, MQTT messages) and checks what the config makes of it (topics, keys, headers, values,
 * dead letters) through the real plugins, without Kafka. Exit 0 when every case passes, 1 when one
 * fails, 2 when the config or a test file is invalid.
 */
import { existsSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { formatIssue } from '@firefront/sdk'
import { loadTests } from '../../config-test/cases'
import { runCase } from '../../config-test/run-case'
import { EXIT, type CommandIO } from '../io'
import { loadRuntime } from '../load-runtime'

/** The test file beside a config: `firefront.yaml` → `firefront.test.yaml`. */
export function defaultTestFile(config: string): string {
  const ext = extname(config)
  return join(dirname(config), `${basename(config, ext)}.test${ext || '.yaml'}`)
}

/** Runs the command; resolves with the exit code. */
export async function testCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      tests: { type: 'string', multiple: true },
      'allow-plugin-path': { type: 'string', multiple: true },
    },
  })
  const file = positionals[0]
  if (!file) {
    io.stderr.write('usage: firefront test <config> [--tests FILE]... [--allow-plugin-path DIR]...\n')
    return EXIT.invalid
  }
  const testFiles = values.tests ?? [defaultTestFile(file)]
  for (const t of testFiles) {
    if (!existsSync(t)) {
      io.stderr.write(`firefront test: no test file at ${t}${values.tests ? '' : ' (pass --tests FILE)'}\n`)
      return EXIT.invalid
    }
  }
  const runtime = await loadRuntime(file, io, { allowPluginPaths: values['allow-plugin-path'] ?? [] })
  if (!runtime) return EXIT.invalid
  let passed = 0
  let failed = 0
  for (const t of testFiles) {
    const loaded = loadTests(t)
    if (!loaded.ok) {
      io.stderr.write(
        `${t}: invalid test file (${loaded.issues.length} problem${loaded.issues.length === 1 ? '' : 's'})\n`,
      )
      for (const issue of loaded.issues) io.stderr.write(`  ${formatIssue(issue)}\n`)
      return EXIT.invalid
    }
    io.stdout.write(`${t}\n`)
    for (const c of loaded.tests) {
      const result = await runCase(c, runtime.loaded, runtime.registry, loaded.dir)
      if (result.passed) {
        passed++
        io.stdout.write(`  ok    ${c.name}\n`)
      } else {
        failed++
        io.stdout.write(`  FAIL  ${c.name} (source ${c.source})\n`)
        for (const f of result.failures) io.stdout.write(`        - ${f}\n`)
        if (result.requests.length > 0) io.stdout.write(`        requests: ${result.requests.join(', ')}\n`)
      }
    }
  }
  io.stdout.write(`\n${passed} passed, ${failed} failed\n`)
  return failed > 0 ? EXIT.failure : EXIT.ok
}
