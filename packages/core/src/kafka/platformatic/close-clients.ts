/**
 * Closing @platformatic/kafka clients so that a transport's `disconnect` never hangs.
 */

/** How long closing one client may take before it is given up on and reported. */
export const CLOSE_TIMEOUT_MS = 5000

/** Closes a producer or consumer, ending its streams (the promise form of `close` has no `force`). */
export function forceClose(client: {
  close(force: boolean, callback: (error?: Error | null) => void): void
}): Promise<void> {
  return new Promise((resolve, reject) => client.close(true, (err) => (err ? reject(err) : resolve())))
}

/** Closes a client within {@link CLOSE_TIMEOUT_MS}; a failure or a timeout rejects. */
export async function closeWithin(close: () => Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      close(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not close within ${CLOSE_TIMEOUT_MS} ms`)),
          CLOSE_TIMEOUT_MS,
        )
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
