import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))
const pkg = (p: string) => join(root, 'packages', p)

/** Every test file of the repository, relative to its root. */
function testFiles(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.test.ts')) out.push(relative(root, path))
    }
  }
  for (const top of ['packages', 'examples', 'test']) walk(join(root, top))
  return out.sort()
}

/**
 * A test is an integration test when it talks to a real service or to the built CLI: it reads the
 * broker or MQTT address the global setup provides, starts a broker or Mosquitto of its own, or
 * runs `packages/core/dist`. Classified by content, so a new test lands in the right project
 * without a list to keep up to date.
 */
const NEEDS_SERVICES =
  /inject\(|KAFKA_BROKERS|MQTT_URL|mqtt-harness|exclusive-broker|kcat|mosquitto|dist\/cli|core\/dist|node_modules\/\.bin/
const integration = testFiles().filter((f) => NEEDS_SERVICES.test(readFileSync(join(root, f), 'utf8')))

// Tests import @firefront/* from source, so they need no build first (CLI tests run the build).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@firefront\/sdk\/testing$/, replacement: pkg('sdk/src/testing/index.ts') },
      { find: /^@firefront\/sdk\/http$/, replacement: pkg('sdk/src/http/index.ts') },
      { find: /^@firefront\/sdk$/, replacement: pkg('sdk/src/index.ts') },
      { find: /^@firefront\/core$/, replacement: pkg('core/src/index.ts') },
      { find: /^@firefront\/topic-resolvers$/, replacement: pkg('topic-resolvers/src/index.ts') },
      { find: /^@firefront\/connector-nasa-firms$/, replacement: pkg('connector-nasa-firms/src/index.ts') },
      { find: /^@firefront\/connector-noaa$/, replacement: pkg('connector-noaa/src/index.ts') },
      { find: /^@firefront\/connector-iot-mqtt$/, replacement: pkg('connector-iot-mqtt/src/index.ts') },
      { find: /^@firefront\/kafka-native$/, replacement: pkg('kafka-native/src/index.ts') },
      { find: /^@firefront\/rdkafka-batch$/, replacement: pkg('rdkafka-batch/src/index.ts') },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    clearMocks: true,
    restoreMocks: true,
    projects: [
      {
        // `npm run test:unit`: no Kafka, no Mosquitto, no build
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/{src,test}/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...integration],
          typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
          globalSetup: ['./test/setup/temp-root.ts'],
        },
      },
      {
        // a real Kafka broker (started here unless KAFKA_BROKERS names one), Mosquitto, the built CLI
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          globalSetup: ['./test/setup/temp-root.ts', './test/setup/global-setup.ts'],
        },
      },
    ],
  },
})
