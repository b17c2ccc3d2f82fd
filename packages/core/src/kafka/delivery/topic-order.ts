/**
 * Batches for one topic run one after another (each starts when the previous is accounted for);
 * batches for different topics run side by side.
 */
export class TopicOrder {
  readonly #chains = new Map<string, Promise<void>>()

  /** Runs `fn` after every earlier call for `topic` has settled. */
  run<R>(topic: string, fn: () => Promise<R>): Promise<R> {
    const prev = this.#chains.get(topic) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.then(
      () => {},
      () => {},
    )
    this.#chains.set(topic, tail)
    void tail.then(() => {
      if (this.#chains.get(topic) === tail) this.#chains.delete(topic)
    })
    return run
  }

  /** Resolves when every call made so far has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.#chains.values())
  }
}
