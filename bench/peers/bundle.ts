/**
 * Bundles the peers benchmark's JavaScript contestants (the bench connector plugin and the bare
 * producers) into plain `.mjs` files, so each runs under `node` as users run it: no TypeScript
 * loader in the measured process. Packages stay external and resolve from the repository's
 * node_modules, so the output folder must lie inside the repository.
 */
import { build } from 'tsup'

/** The bundled files, by contestant. */
export interface Bundles {
  readonly connector: string
  readonly bareKafkajs: string
  readonly barePlatformatic: string
}

/** Builds the bundles into `outDir` (silently; about a second). */
export async function bundleContestants(outDir: string): Promise<Bundles> {
  const src = new URL('.', import.meta.url).pathname
  await build({
    entry: {
      'bench-connector': `${src}connector.ts`,
      'bare-kafkajs': `${src}bare-kafkajs.ts`,
      'bare-platformatic': `${src}bare-platformatic.ts`,
    },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outExtension: () => ({ js: '.mjs' }),
    // every package (kafkajs, @firefront/sdk, @platformatic/kafka) is imported at run time
    external: [/^[^./]/],
    splitting: false,
    dts: false,
    sourcemap: false,
    config: false,
    silent: true,
  })
  return {
    connector: `${outDir}/bench-connector.mjs`,
    bareKafkajs: `${outDir}/bare-kafkajs.mjs`,
    barePlatformatic: `${outDir}/bare-platformatic.mjs`,
  }
}
