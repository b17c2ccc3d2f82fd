/** The last N observations of a latency, for p50/p99 in `metrics()`. */
export class LatencyWindow {
  private readonly values: number[] = []
  private next = 0

  constructor(private readonly capacity = 2048) {}

  observe(ms: number): void {
    if (this.values.length < this.capacity) this.values.push(ms)
    else this.values[this.next] = ms
    this.next = (this.next + 1) % this.capacity
  }

  /** Percentile (0–100) by nearest rank, or null before the first observation. */
  percentile(p: number): number | null {
    if (this.values.length === 0) return null
    const sorted = [...this.values].sort((a, b) => a - b)
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
    return sorted[rank]!
  }
}
