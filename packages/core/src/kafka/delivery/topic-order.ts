/**
 * The line of batches for one topic. With a depth of 1 each batch starts when the previous one is
 * accounted for. With a larger depth (a transport that keeps order across sends in flight) a
 * batch starts once the previous one has handed its records to the client, so up to `depth`
 * batches wait for their acknowledgements together while the records still reach the client in
 * call order. Batches for different topics run side by side.
 */

/** A batch's place in its topic's line. */
export interface Turn {
  /**
   * The batch's records are with the client: the next batch may start. Called at most once
   * that matters; a batch that never hands over opens the way when it settles.
   */
  handedOver(): void
  /** Resolves when every earlier batch for the topic is accounted for (failures are handled in order). */
  earlier(): Promise<void>
}

interface Line {
  /** Resolves when the latest batch has handed over (or settled). */
  handOver: Promise<void>
  /** Resolves when the latest batch and every one before it have settled. */
  tail: Promise<void>
  /** The tails of the latest `depth` batches, oldest first. */
  readonly window: Promise<void>[]
}

const RESOLVED = Promise.resolve()
const noop = (): void => {}

/** Runs each topic's batches in line; see the module comment. */
export class TopicOrder {
  readonly #lines = new Map<string, Line>()
  readonly #depth: number

  /** @param depth batches of one topic in flight at once (1: one after another). */
  constructor(depth = 1) {
    this.#depth = Math.max(1, Math.floor(depth))
  }

  /** Batches of one topic in flight at once. */
  get depth(): number {
    return this.#depth
  }

  /**
   * Runs `fn` once the previous call for `topic` has handed over (depth > 1) or settled (depth 1),
   * and the call `depth` places back has settled.
   */
  run<R>(topic: string, fn: (turn: Turn) => Promise<R>): Promise<R> {
    let line = this.#lines.get(topic)
    if (!line) {
      line = { handOver: RESOLVED, tail: RESOLVED, window: [] }
      this.#lines.set(topic, line)
    }
    const earlier = line.tail
    const room = line.window.length >= this.#depth ? line.window[line.window.length - this.#depth]! : RESOLVED
    const startAfter = this.#depth === 1 ? earlier : Promise.all([line.handOver, room])
    let handed: () => void = noop
    const handOver = new Promise<void>((resolve) => {
      handed = resolve
    })
    const turn: Turn = { handedOver: () => handed(), earlier: () => earlier }
    const run = startAfter.then(() => fn(turn))
    const own = run.then(noop, noop)
    void own.then(handed)
    const tail = Promise.all([earlier, own]).then(noop)
    line.handOver = handOver
    line.tail = tail
    line.window.push(tail)
    if (line.window.length > this.#depth) line.window.shift()
    const current = line
    void tail.then(() => {
      if (this.#lines.get(topic) === current && current.tail === tail) this.#lines.delete(topic)
    })
    return run
  }

  /** Resolves when every call made so far has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.#lines.values()].map((l) => l.tail))
  }
}
