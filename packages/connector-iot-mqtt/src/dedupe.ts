/**
 * A bounded set of recently emitted record keys (least recently seen dropped first), so a message
 * redelivered after a reconnect is not emitted twice.
 */
export class RecentKeys {
  private readonly keys = new Map<string, true>()

  constructor(private readonly capacity: number) {}

  /** True when `key` was remembered (and marks it as recently seen). */
  has(key: string): boolean {
    if (!this.keys.has(key)) return false
    this.keys.delete(key)
    this.keys.set(key, true)
    return true
  }

  /** Remembers `key`, dropping the least recently seen key beyond the capacity. */
  add(key: string): void {
    if (this.capacity <= 0) return
    this.keys.delete(key)
    this.keys.set(key, true)
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value
      if (oldest !== undefined) this.keys.delete(oldest)
    }
  }

  get size(): number {
    return this.keys.size
  }
}
