import type { Options } from 'tsup'

/** Shared build options: ESM for Node 20, with declarations and source maps. */
export const base: Options = {
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
}
