import { defineConfig } from 'tsup'
import { base } from '../../tsup.config.base'

// node-rdkafka is an optional native addon: never bundled, loaded when the backend opens.
export default defineConfig({
  ...base,
  entry: { index: 'src/index.ts', 'producer-process': 'src/producer-process.ts' },
  external: ['node-rdkafka', '@firefront/rdkafka-batch'],
})
