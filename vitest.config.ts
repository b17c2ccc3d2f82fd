import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const pkg = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url))

// Tests import @firefront/* from source, so they need no build first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@firefront\/sdk\/testing$/, replacement: pkg('sdk/src/testing/index.ts') },
      { find: /^@firefront\/sdk$/, replacement: pkg('sdk/src/index.ts') },
      { find: /^@firefront\/core$/, replacement: pkg('core/src/index.ts') },
      { find: /^@firefront\/topic-resolvers$/, replacement: pkg('topic-resolvers/src/index.ts') },
      { find: /^@firefront\/connector-nasa-firms$/, replacement: pkg('connector-nasa-firms/src/index.ts') },
      { find: /^@firefront\/connector-noaa$/, replacement: pkg('connector-noaa/src/index.ts') },
      { find: /^@firefront\/connector-iot-mqtt$/, replacement: pkg('connector-iot-mqtt/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    globalSetup: ['./test/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    clearMocks: true,
    restoreMocks: true,
  },
})
