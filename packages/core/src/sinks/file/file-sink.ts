/**
 * The `file` sink, the embedded default: JSON Lines, one file per topic under a folder. Each
 * `send` appends its batch and fsyncs before resolving, so an acknowledged batch survives a crash
 * and its cursor may be committed.
 */
import { mkdirSync } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  defineSink,
  FilePath,
  type JsonValue,
  type SinkBatch,
  type SinkRecord,
  type SinkResult,
  type Static,
  Type,
} from '@firefront/sdk'

/** Config of the file sink. */
export const FileSinkConfig = Type.Object(
  {
    directory: FilePath({
      default: '.firefront/out',
      description: 'folder of the <topic>.jsonl files (relative to the config file)',
    }),
    fsync: Type.Union([Type.Literal('batch'), Type.Literal('flush')], {
      default: 'batch',
      description: 'batch: fsync before each send resolves; flush: only on flush/close',
    }),
    dlq_file: Type.String({ default: 'firefront-dlq.jsonl', description: 'records that cannot be serialised go here' }),
  },
  { additionalProperties: false },
)
export type FileSinkConfig = Static<typeof FileSinkConfig>

const SAFE_TOPIC = /^[A-Za-z0-9._-]+$/

/** One JSONL line for a record. Throws when the value cannot be serialised. */
export function recordLine(topic: string, r: SinkRecord): string {
  return `${JSON.stringify({
    topic,
    key: r.key ?? null,
    value: r.value,
    eventTime: r.eventTime ?? null,
    headers: r.headers ?? {},
    sourceId: r.sourceId,
    sourceType: r.sourceType,
    priority: r.priority,
    ingestedAt: r.ingestedAt,
  })}\n`
}

/** The file sink plugin. */
export const fileSink = defineSink({
  name: 'file',
  version: '0.1.0',
  description: 'JSON Lines files, one per topic, fsync-ed',
  configSchema: FileSinkConfig,
  // without a directory of its own, records go to the state folder's `out/`
  configFromFile: (file) => ({ directory: `${String(file.state_dir ?? '.firefront')}/out` }),
  create(config, ctx) {
    const dir = resolve(config.directory)
    const handles = new Map<string, FileHandle>()
    const counts = { total_sent: 0, dead_lettered: 0, batches: 0, bytes: 0 }
    let lastSendAt = 0
    let closed = false

    const handle = async (name: string): Promise<FileHandle> => {
      let h = handles.get(name)
      if (!h) {
        h = await open(join(dir, name), 'a')
        handles.set(name, h)
      }
      return h
    }

    return {
      async start() {
        mkdirSync(dir, { recursive: true })
      },
      async send(batch: SinkBatch): Promise<SinkResult> {
        if (closed) throw new Error('file sink is closed')
        if (!SAFE_TOPIC.test(batch.topic))
          throw new Error(`topic ${JSON.stringify(batch.topic)} is not a safe file name`)
        mkdirSync(dir, { recursive: true })
        const lines: string[] = []
        const dead: string[] = []
        for (const r of batch.records) {
          try {
            lines.push(recordLine(batch.topic, r))
          } catch (err) {
            dead.push(
              `${JSON.stringify({
                error: (err as Error).message,
                topic: batch.topic,
                key: r.key ?? null,
                sourceId: r.sourceId,
                at: new Date().toISOString(),
                value: String(r.value),
              })}\n`,
            )
          }
        }
        const text = lines.join('')
        if (text) {
          const h = await handle(`${batch.topic}.jsonl`)
          await h.appendFile(text)
          if (config.fsync === 'batch') await h.sync()
        }
        if (dead.length > 0) {
          const h = await handle(config.dlq_file)
          await h.appendFile(dead.join(''))
          await h.sync()
          ctx.logger.warn(
            { topic: batch.topic, count: dead.length },
            'records could not be serialised; written to the dead-letter file',
          )
        }
        counts.total_sent += lines.length
        counts.dead_lettered += dead.length
        counts.batches++
        counts.bytes += Buffer.byteLength(text)
        lastSendAt = Date.now()
        return { delivered: lines.length, deadLettered: dead.length, spooled: 0 }
      },
      async flush() {
        for (const h of handles.values()) await h.sync()
      },
      async close() {
        if (closed) return
        closed = true
        // every file is synced and closed; what failed is reported after, not swallowed
        const failures: string[] = []
        for (const [topic, h] of handles) {
          await h.sync().catch((err: unknown) => failures.push(`${topic}: fsync failed: ${(err as Error).message}`))
          await h.close().catch((err: unknown) => failures.push(`${topic}: close failed: ${(err as Error).message}`))
        }
        handles.clear()
        if (failures.length > 0) throw new Error(`the file sink could not close cleanly (${failures.join('; ')})`)
      },
      metrics(): Record<string, JsonValue> {
        return { ...counts, total_failed: 0, total_retries: 0, directory: dir }
      },
      async health() {
        return { healthy: !closed, last_send_age_seconds: lastSendAt ? (Date.now() - lastSendAt) / 1000 : null }
      },
    }
  },
})
