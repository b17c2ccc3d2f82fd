/**
 * Runs the send hooks around one batch: the runtime's own (added in code), the shared plugins'
 * (sink, throttle policy, topic resolvers) and the batch's source's (its connector and mode).
 */
import { PluginHookError, type SendHooks, type SinkBatch, type SinkResult } from '@firefront/sdk'

/** Where hook failures are reported. */
export type HookFailureReport = (error: PluginHookError, batch: SinkBatch, phase: 'beforeSend' | 'afterSend') => void

/** The hooks of the runtime, keyed by who applies to which batches. */
export class SendHookRunner {
  readonly #global: SendHooks[] = []
  readonly #bySource = new Map<string, SendHooks[]>()
  readonly #report: HookFailureReport

  constructor(report: HookFailureReport) {
    this.#report = report
  }

  /** True when no hook is registered (the pipeline then skips the runner). */
  get empty(): boolean {
    return this.#global.length === 0 && this.#bySource.size === 0
  }

  /** Hooks applied to every batch. */
  addGlobal(...hooks: readonly (SendHooks | undefined)[]): void {
    for (const h of hooks) if (h) this.#global.push(h)
  }

  /** Hooks applied to one source's batches (its connector's and mode's), until {@link removeSource}. */
  addForSource(sourceId: string, ...hooks: readonly (SendHooks | undefined)[]): void {
    const list = hooks.filter((h): h is SendHooks => h !== undefined)
    if (list.length === 0) return
    this.#bySource.set(sourceId, [...(this.#bySource.get(sourceId) ?? []), ...list])
  }

  removeSource(sourceId: string): void {
    this.#bySource.delete(sourceId)
  }

  #hooksOf(batch: SinkBatch): readonly SendHooks[] {
    const own = this.#bySource.get(batch.sourceId)
    return own ? [...this.#global, ...own] : this.#global
  }

  /** Sends `batch` through `send` with every applicable hook around it. */
  async around(batch: SinkBatch, send: (batch: SinkBatch) => Promise<SinkResult>): Promise<SinkResult> {
    const current = await this.before(batch)
    const result = await send(current)
    await this.after(batch, current, result)
    return result
  }

  /**
   * Runs the `beforeSend` hooks: the batch to send (records replaced one for one). A hook that
   * throws is reported and skipped.
   */
  async before(batch: SinkBatch): Promise<SinkBatch> {
    let current = batch
    for (const hook of this.#hooksOf(batch)) {
      if (!hook.beforeSend) continue
      try {
        const next = await hook.beforeSend(current)
        if (next && next.records.length !== current.records.length) {
          throw new Error(
            `beforeSend returned ${next.records.length} records for a batch of ${current.records.length}; records are replaced one for one`,
          )
        }
        if (next) current = next
      } catch (err) {
        this.#report(new PluginHookError(`hook:${hook.name}`, 'beforeSend', err), batch, 'beforeSend')
      }
    }
    return current
  }

  /** Runs the `afterSend` hooks with what was sent (`sent`) and its result. */
  async after(batch: SinkBatch, sent: SinkBatch, result: SinkResult): Promise<void> {
    for (const hook of this.#hooksOf(batch)) {
      if (!hook.afterSend) continue
      try {
        await hook.afterSend(sent, result)
      } catch (err) {
        this.#report(new PluginHookError(`hook:${hook.name}`, 'afterSend', err), batch, 'afterSend')
      }
    }
  }
}
