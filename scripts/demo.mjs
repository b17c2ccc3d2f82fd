// `npm run demo`: replays the bundled real samples through the whole pipeline into JSON Lines
// files, from a fresh state each time, so every run shows the full flow.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'

// state_dir is relative to the config file: examples/.firefront/quickstart
rmSync('examples/.firefront/quickstart', { recursive: true, force: true })
const result = spawnSync(
  process.execPath,
  ['packages/core/dist/cli.js', 'run', 'examples/quickstart.yaml', '--once', '--status'],
  {
    stdio: 'inherit',
    env: { ...process.env, FIREFRONT_LOG_LEVEL: process.env.FIREFRONT_LOG_LEVEL ?? 'warn' },
  },
)
if (result.status === 0) {
  console.log(
    '\nrecords written to examples/.firefront/quickstart/out/*.jsonl; run `npm run demo` again to replay from scratch',
  )
}
process.exit(result.status ?? 1)
