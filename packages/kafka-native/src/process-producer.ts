/**
 * The transport's side of the producer process (`producer-process.ts`): the same `connect`,
 * `send` and `close` as {@link NativeProducer}, each batch encoded into one buffer and sent as one
 * message, so the JavaScript thread does one encoding pass per batch instead of a call into
 * librdkafka and a delivery report per record. Messages reach the process, and so librdkafka, in
 * call order.
 */
import { type ChildProcess, type ForkOptions, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { KafkaMessage } from '@firefront/core'
import { encodeBatch } from './batch-codec'
import type { LogForwarder } from './log-forwarder'
import { codeByName, NativeKafkaError, type RdErrorCode } from './native-error'
import {
  errorFromData,
  type ProducerProcessData,
  type ProducerReply,
  type ProducerRequest,
} from './producer-process-protocol'

/** Options of {@link ProcessProducer}. */
export interface ProcessProducerOptions {
  readonly data: ProducerProcessData
  readonly forward: LogForwarder
  readonly redact: (text: string) => string
}

/** How long closing waits for the process beyond the flush before ending it. */
const CLOSE_GRACE_MS = 5000

/**
 * Starts the process: the built `.js` next to this module, or (running from the sources, as the
 * tests do) the `.ts` source under tsx.
 */
function startProcess(): ChildProcess {
  const js = fileURLToPath(new URL('./producer-process.js', import.meta.url))
  const options: ForkOptions = { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }
  if (existsSync(js)) return fork(js, [], { ...options, execArgv: [] })
  const ts = fileURLToPath(new URL('./producer-process.ts', import.meta.url))
  return fork(ts, [], { ...options, execArgv: ['--import', 'tsx'] })
}

type Pending = { resolve: () => void; reject: (err: Error) => void }

const destroyed = (message: string): NativeKafkaError =>
  new NativeKafkaError(codeByName('_DESTROY') as RdErrorCode, message)

/** One idempotent librdkafka producer in a child process. */
export class ProcessProducer {
  readonly #o: ProcessProducerOptions
  readonly #child: ChildProcess
  readonly #pending = new Map<number, Pending>()
  readonly #ready: Promise<void>
  #next = 0
  #gone: string | undefined

  constructor(options: ProcessProducerOptions) {
    this.#o = options
    this.#child = startProcess()
    this.#idle()
    this.#child.on('message', (reply: ProducerReply) => this.#onReply(reply))
    this.#child.on('error', (err) => this.#fail(`the kafka producer process failed: ${err.message}`))
    this.#child.on('exit', (code, signal) => this.#fail(`the kafka producer process exited (${signal ?? code})`))
    this.#ready = this.#request({ id: this.#next++, op: 'init', data: options.data })
    // a failed start surfaces on the first request
    this.#ready.catch(() => {})
  }

  /** The process keeps the parent alive only while a request waits. */
  #idle(): void {
    this.#child.unref()
    ;(this.#child.channel as { unref?: () => void } | undefined)?.unref?.()
  }

  #busy(): void {
    this.#child.ref()
    ;(this.#child.channel as { ref?: () => void } | undefined)?.ref?.()
  }

  #onReply(reply: ProducerReply): void {
    if ('log' in reply) {
      this.#o.forward(reply.log.client, reply.log)
      return
    }
    const p = this.#pending.get(reply.id)
    if (!p) return
    this.#pending.delete(reply.id)
    if (this.#pending.size === 0) this.#idle()
    if (reply.ok) p.resolve()
    else p.reject(errorFromData(reply.error, this.#o.redact))
  }

  #fail(message: string): void {
    this.#gone ??= message
    for (const p of this.#pending.values()) p.reject(destroyed(this.#o.redact(message)))
    this.#pending.clear()
  }

  #request(request: ProducerRequest): Promise<void> {
    if (this.#gone !== undefined) return Promise.reject(destroyed(this.#gone))
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject })
      this.#busy()
      this.#child.send(request, (err) => {
        if (!err) return
        this.#pending.delete(request.id)
        reject(destroyed(`the kafka producer process cannot be reached: ${err.message}`))
      })
    })
  }

  /** Connects (a metadata request); fails fast when no broker answers. */
  async connect(): Promise<void> {
    await this.#ready
    await this.#request({ id: this.#next++, op: 'connect' })
  }

  /**
   * Sends `messages` to `topic`; resolves when every one is acknowledged by all in-sync replicas.
   * Sends made one after another reach librdkafka in call order.
   */
  send(topic: string, messages: readonly KafkaMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve()
    const encoded = encodeBatch(messages)
    // exactly the batch's bytes travel (the encoding buffer is sized for the worst case)
    const batch = new Uint8Array(encoded.buffer, 0, encoded.byteLength).slice()
    return this.#request({ id: this.#next++, op: 'send', topic, batch })
  }

  /** Replaces the process's producer with a new one (a new producer id) and connects it. */
  reset(): Promise<void> {
    return this.#request({ id: this.#next++, op: 'reset' })
  }

  /** Flushes for up to `flushMs`, closes the producer and ends the process; never throws. */
  async close(flushMs: number): Promise<void> {
    if (this.#gone === undefined) {
      let timer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, flushMs + CLOSE_GRACE_MS)
      })
      await Promise.race([this.#request({ id: this.#next++, op: 'close', flushMs }).catch(() => {}), grace])
      clearTimeout(timer)
    }
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
      if (this.#child.connected) this.#child.disconnect()
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), CLOSE_GRACE_MS)
      await exited
      clearTimeout(timer)
    }
  }
}
