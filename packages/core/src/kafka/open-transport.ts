/**
 * Picks the client backend named by `kafka.client`: kafkajs (the default, always installed),
 * platformatic (`@platformatic/kafka`, loaded only when chosen) or native (librdkafka, through the
 * optional `@firefront/kafka-native` package, which a user who never picks it never installs).
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { FirefrontError } from '@firefront/sdk'
import { openKafkajsTransport } from './kafkajs'
import type { KafkaBackend, KafkaTransport, KafkaTransportOptions } from './transport'

/** The package that carries the native (librdkafka) backend. */
export const NATIVE_BACKEND_PACKAGE = '@firefront/kafka-native'

/** A client backend's name, as `kafka.client` gives it. */
export type KafkaClientName = 'kafkajs' | 'platformatic' | 'native'

type NativeModule = { openNativeTransport?: KafkaBackend; assertNativeClient?: () => void }

/**
 * Imports the native backend from where `@firefront/core` is installed, else from the working
 * folder: a CLI installed globally finds a `@firefront/kafka-native` installed next to the config.
 */
async function importNative(specifier: string): Promise<NativeModule> {
  try {
    return (await import(specifier)) as NativeModule
  } catch (err) {
    const notFound =
      (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String((err as Error).message).includes(specifier)
    if (!notFound) throw err
    let file: string
    try {
      file = createRequire(join(process.cwd(), '__firefront__.js')).resolve(specifier)
    } catch {
      throw err
    }
    return (await import(pathToFileURL(file).href)) as NativeModule
  }
}

async function loadNative(): Promise<KafkaBackend> {
  // A variable specifier: bundlers leave it alone, and the package stays optional.
  const specifier: string = NATIVE_BACKEND_PACKAGE
  let mod: NativeModule
  try {
    mod = await importNative(specifier)
  } catch (err) {
    const missing =
      (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String((err as Error).message).includes(specifier)
    throw new FirefrontError(
      'ERR_PLUGIN_NOT_FOUND',
      missing
        ? `kafka.client is "native" but ${NATIVE_BACKEND_PACKAGE} is not installed: npm install ${NATIVE_BACKEND_PACKAGE} (it compiles librdkafka; see docs/performance.md), or set kafka.client to kafkajs or platformatic`
        : `kafka.client is "native" but ${NATIVE_BACKEND_PACKAGE} failed to load: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
  }
  if (typeof mod.openNativeTransport !== 'function') {
    throw new FirefrontError('ERR_PLUGIN_INVALID', `${NATIVE_BACKEND_PACKAGE} does not export openNativeTransport`)
  }
  // The package loads without its native client (an optional build); this says what is missing.
  mod.assertNativeClient?.()
  return mod.openNativeTransport
}

/** The backend for a client name; loads optional ones on first use. */
export async function kafkaBackend(client: KafkaClientName = 'kafkajs'): Promise<KafkaBackend> {
  switch (client) {
    case 'kafkajs':
      return openKafkajsTransport
    case 'platformatic':
      return (await import('./platformatic')).openPlatformaticTransport
    case 'native':
      return loadNative()
  }
}

/**
 * Opens a {@link KafkaTransport} on the backend `kafka.client` names (kafkajs without a `kafka`
 * block). TLS files are read now (a missing one fails with `ERR_CONFIG_NOT_FOUND`); connections
 * are made on first use.
 *
 * @example
 * ```ts
 * const transport = await openKafkaTransport({ kafka: config.kafka, clientIdSuffix: '-lag' })
 * const lag = await transport.readLag(['fires-consumers'])
 * await transport.disconnect()
 * ```
 */
export async function openKafkaTransport(options: KafkaTransportOptions): Promise<KafkaTransport> {
  const open = await kafkaBackend(options.kafka?.client ?? 'kafkajs')
  return open(options)
}
