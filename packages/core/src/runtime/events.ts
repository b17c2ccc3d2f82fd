/**
 * Runtime events (eventemitter3, typed). Fire-and-forget observations for metrics, logs and UIs;
 * nothing that affects correctness listens to them.
 */
import { EventEmitter } from 'eventemitter3'

import type { DropReason } from '../queue/drop-reasons'

/** Why a record left the pipeline without reaching the sink (declared in `queue/drop-reasons`). */
export type { DropReason }

/** Payloads of each runtime event. */
export interface RuntimeEvents {
  'stream:started': [info: { streamId: string; sourceId: string; mode: string; connector: string }]
  'stream:stopped': [info: { streamId: string; sourceId: string; reason: string; error?: Error }]
  'record:dropped': [info: { sourceId: string; reason: DropReason; count: number }]
  'batch:sent': [
    info: {
      sourceId: string
      topic: string
      delivered: number
      deadLettered: number
      spooled: number
      latencyMs: number
      /** When each record of the batch entered the queue (epoch ms); absent for records that skipped it. */
      enqueuedAt?: readonly number[]
      /** When the batch was accounted for, on the same clock as `enqueuedAt`. */
      settledAt?: number
    },
  ]
  'batch:failed': [info: { sourceId: string; topic: string; size: number; error: Error; attempt: number }]
  'poll:ended': [info: { sourceId: string; durationMs: number; outcome: 'success' | 'failure' | 'timeout' }]
  'dlq:written': [info: { sourceId: string; topic: string; count: number; reason: string }]
  'throttle:changed': [info: { action: string; delayMs: number }]
  'cursor:committed': [info: { sourceId: string; cursor: unknown; records: number }]
  error: [error: Error, context: { sourceId?: string; component: string }]
}

/** The runtime's typed event emitter. */
export class RuntimeEmitter extends EventEmitter<RuntimeEvents> {}
