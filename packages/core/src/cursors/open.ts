/** Opens the cursor store the config asks for: a file (default) or a compacted Kafka topic. */
import { resolve } from 'node:path'
import type { FirefrontConfig } from '../config/schema'
import { type CursorStore, FileCursorStore } from './file-cursor-store'

/** The cursor store of `config.cursors`. */
export async function openCursorStore(config: FirefrontConfig): Promise<CursorStore> {
  if (config.cursors.store === 'kafka') {
    const { KafkaCursorStore } = await import('../kafka/cursor-store')
    return KafkaCursorStore.open(config)
  }
  return new FileCursorStore(resolve(config.cursors.path ?? `${config.state_dir}/cursors.json`))
}
