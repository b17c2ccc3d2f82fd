#!/usr/bin/env node
// The `firefront` bin. It lives outside dist/ so that npm links it at install time, before the
// first build of a fresh clone; it then runs the built CLI.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write(
    'firefront: the CLI is not built yet; run `npm run build` (or `npm run demo`) in the repository first\n',
  )
  process.exit(1)
}
await import(cli.href)
