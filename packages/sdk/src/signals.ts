/**
 * For plugins: one AbortSignal that follows several others (the poll's, the plugin context's) and
 * an optional timeout, with its listeners removed when the work is done. Written out rather than `AbortSignal.any`, which keeps a dependent signal
 * per call alive on long-lived parents (the stream's signal) in some Node 20 releases.
 */

/** A linked signal; call `dispose` when the work it guards is over. */
export interface LinkedSignal {
  readonly signal: AbortSignal
  /** True when the timeout fired (and no parent had aborted first). */
  timedOut(): boolean
  dispose(): void
}

/** A signal aborted when any of `parents` aborts (with its reason) or after `timeoutMs`. */
export function linkSignals(parents: readonly AbortSignal[], timeoutMs?: number): LinkedSignal {
  const controller = new AbortController()
  let timedOut = false
  const cleanups: Array<() => void> = []
  for (const parent of parents) {
    if (parent.aborted) {
      controller.abort(parent.reason)
      break
    }
    const onAbort = (): void => controller.abort(parent.reason)
    parent.addEventListener('abort', onAbort, { once: true })
    cleanups.push(() => parent.removeEventListener('abort', onAbort))
  }
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort(new Error(`timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    cleanups.push(() => clearTimeout(timer))
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      for (const cleanup of cleanups) cleanup()
      cleanups.length = 0
    },
  }
}
