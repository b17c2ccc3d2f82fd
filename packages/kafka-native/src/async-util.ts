/** Small promise helpers for node-rdkafka's callback API. */

/** Calls a node-rdkafka style function and settles with its callback. */
export function callback<T>(start: (cb: (err: unknown, value: T) => void) => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value)))
  })
}

/** Waits for `promise`, but never longer than `ms`; resolves `true` when it settled in time. */
export function bounded(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    timer.unref()
    promise.then(
      () => {
        clearTimeout(timer)
        resolve(true)
      },
      () => {
        clearTimeout(timer)
        resolve(true)
      },
    )
  })
}

/** A timer-based pause that does not keep the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
