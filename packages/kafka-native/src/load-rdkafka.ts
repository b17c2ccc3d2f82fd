/**
 * Loads node-rdkafka on first use. It is an optional dependency that compiles librdkafka when
 * installed; where that failed (no compiler, no -dev packages) the package is absent or has no
 * built addon, and opening the native backend says what to install instead of a bare stack.
 */
import { createRequire } from 'node:module'
import { FirefrontError } from '@firefront/sdk'
import type { RdKafkaModule } from './rdkafka-api'

/** The Debian/Ubuntu packages librdkafka's build needs (besides build-essential and python3). */
export const DEBIAN_BUILD_PACKAGES = ['zlib1g-dev', 'libssl-dev', 'libzstd-dev', 'liblz4-dev', 'libsasl2-dev'] as const

/** How to get a working node-rdkafka, for error messages and the README. */
export const INSTALL_HINT =
  `node-rdkafka compiles librdkafka when it is installed; on Debian or Ubuntu that needs ` +
  `\`apt-get install build-essential python3 ${DEBIAN_BUILD_PACKAGES.join(' ')}\`, then ` +
  '`npm rebuild node-rdkafka` (npm 11 runs its build only when package.json has ' +
  '"allowScripts": { "node-rdkafka": true })'

let loaded: RdKafkaModule | undefined

/**
 * node-rdkafka, loaded once. Throws `ERR_PLUGIN_NOT_FOUND` naming the packages to install when
 * it is missing or its addon was never built.
 */
export function loadRdKafka(): RdKafkaModule {
  loaded ??= requireRdKafka(createRequire(import.meta.url))
  return loaded
}

/** Loads node-rdkafka with `require` (tests pass one that fails); see {@link loadRdKafka}. */
export function requireRdKafka(require: (id: string) => unknown): RdKafkaModule {
  let mod: unknown
  try {
    mod = require('node-rdkafka')
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
    const why = missing
      ? 'node-rdkafka is not installed (its build failed or was skipped)'
      : `node-rdkafka failed to load (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`
    throw new FirefrontError('ERR_PLUGIN_NOT_FOUND', `kafka.client "native": ${why}. ${INSTALL_HINT}`, {
      cause: err,
    })
  }
  const m = mod as Partial<RdKafkaModule>
  if (typeof m.Producer !== 'function' || typeof m.KafkaConsumer !== 'function' || !m.AdminClient) {
    throw new FirefrontError(
      'ERR_PLUGIN_INVALID',
      'kafka.client "native": node-rdkafka does not look like node-rdkafka',
    )
  }
  return m as RdKafkaModule
}

/**
 * Throws the error {@link loadRdKafka} throws when node-rdkafka cannot load here. Core calls it
 * when `kafka.client: native` is chosen, so a missing build is reported at once, by name.
 */
export function assertNativeClient(): void {
  loadRdKafka()
}

/** True when node-rdkafka loads here (tests skip the native backend otherwise). */
export function rdKafkaAvailable(): boolean {
  try {
    loadRdKafka()
    return true
  } catch {
    return false
  }
}
