/**
 * Delivery's figures: the counts behind `metrics()` (the seed's producer section) and the same
 * figures as plugin metrics (`kafka_*` counters and gauges, `kafka_send_latency_seconds`).
 */
import type { MetricsHandle } from '@firefront/sdk'
import type { DeliveryState } from './delivery-state'
import { LatencyWindow } from './latency-window'

/** The producer's figures, in the seed's names plus Firefront's. */
export interface ProducerMetrics {
  /** Records acknowledged by their own topic (replayed ones included). */
  readonly total_sent: number
  /** Records whose send failed after its retries (then dead-lettered or spooled). */
  readonly total_failed: number
  /** Retries of produce requests. */
  readonly total_retries: number
  readonly dead_lettered: number
  /** Dead-lettered into the local file because the dead-letter topic was off or refused them. */
  readonly dead_lettered_local: number
  readonly spooled: number
  readonly replayed: number
  readonly batches: number
  readonly bytes: number
  readonly last_error: string | null
  readonly latency_p50_ms: number | null
  readonly latency_p99_ms: number | null
  readonly connected: boolean
  readonly paused: boolean
  readonly pauses: number
  readonly dlq_capped: number
  readonly spool_entries: number
  readonly spool_bytes: number
  readonly spool_full: number
  readonly spool_torn_lines: number
  readonly failure_rate: number
  /** The delivery state (`delivering`, `retrying`, `spooling`, `replaying`, `paused`); null before start. */
  readonly delivery_state: DeliveryState | null
}

/** The figures of a sink that has not started. */
export const NOT_STARTED_METRICS: ProducerMetrics = {
  total_sent: 0,
  total_failed: 0,
  total_retries: 0,
  dead_lettered: 0,
  dead_lettered_local: 0,
  spooled: 0,
  replayed: 0,
  batches: 0,
  bytes: 0,
  last_error: null,
  latency_p50_ms: null,
  latency_p99_ms: null,
  connected: false,
  paused: false,
  pauses: 0,
  dlq_capped: 0,
  spool_entries: 0,
  spool_bytes: 0,
  spool_full: 0,
  spool_torn_lines: 0,
  failure_rate: 0,
  delivery_state: null,
}

type Counter = { inc(n?: number): void }
type Gauge = { set(v: number): void }

function instruments(metrics: MetricsHandle | undefined) {
  const noop = { inc: () => {}, set: () => {}, observe: () => {} }
  const c = (name: string, help: string): Counter => metrics?.counter(name, help) ?? noop
  const g = (name: string, help: string): Gauge => metrics?.gauge(name, help) ?? noop
  return {
    sent: c('kafka_records_sent_total', 'records acknowledged by their topic'),
    failed: c('kafka_records_failed_total', 'records whose send failed after its retries'),
    retries: c('kafka_retries_total', 'retried produce requests'),
    deadLettered: c('kafka_records_dead_lettered_total', 'records written to the dead-letter topic'),
    deadLetteredLocal: c('kafka_records_dead_lettered_local_total', 'records kept in the local dead-letter file'),
    spooled: c('kafka_records_spooled_total', 'records written to the disk spool'),
    replayed: c('kafka_records_replayed_total', 'records sent from the spool'),
    batches: c('kafka_batches_total', 'batches handed to the sink'),
    bytes: c('kafka_bytes_total', 'bytes of acknowledged records'),
    spoolFull: c('kafka_spool_full_total', 'batches refused because the spool was full'),
    dlqCapped: c('kafka_dlq_capped_total', 'dead letters spooled because of the per-minute cap'),
    pauses: c('kafka_pauses_total', 'pauses caused by the failure-rate threshold'),
    tornLines: c('kafka_spool_torn_lines_total', 'torn spool lines skipped at start'),
    paused: g('kafka_paused', '1 while sending is paused by the failure-rate threshold'),
    connected: g('kafka_connected', '1 while kafka is reachable'),
    spoolBytes: g('kafka_spool_bytes', 'bytes in the disk spool'),
    spoolEntries: g('kafka_spool_entries', 'batches in the disk spool'),
    latency:
      metrics?.histogram('kafka_send_latency_seconds', 'time from hand-over to accounted-for, per batch') ?? noop,
  }
}

/** Counts of what delivery did; each method moves a count and its plugin metric together. */
export class DeliveryCounters {
  readonly #i: ReturnType<typeof instruments>
  readonly #latency = new LatencyWindow()
  #sent = 0
  #failed = 0
  #retries = 0
  #deadLettered = 0
  #deadLetteredLocal = 0
  #spooled = 0
  #replayed = 0
  #batches = 0
  #bytes = 0
  #spoolFull = 0

  constructor(metrics?: MetricsHandle) {
    this.#i = instruments(metrics)
  }

  sent(n: number, bytes = 0): void {
    this.#sent += n
    this.#i.sent.inc(n)
    this.#bytes += bytes
    this.#i.bytes.inc(bytes)
  }
  failed(n: number): void {
    this.#failed += n
    this.#i.failed.inc(n)
  }
  retried(n: number): void {
    this.#retries += n
    this.#i.retries.inc(n)
  }
  deadLettered(n: number): void {
    this.#deadLettered += n
    this.#i.deadLettered.inc(n)
  }
  deadLetteredLocal(n: number): void {
    this.#deadLetteredLocal += n
    this.#i.deadLetteredLocal.inc(n)
  }
  spooled(n: number): void {
    this.#spooled += n
    this.#i.spooled.inc(n)
  }
  replayed(n: number): void {
    this.#replayed += n
    this.#i.replayed.inc(n)
  }
  batch(): void {
    this.#batches++
    this.#i.batches.inc()
  }
  spoolFull(): void {
    this.#spoolFull++
    this.#i.spoolFull.inc()
  }
  dlqCapped(n: number): void {
    this.#i.dlqCapped.inc(n)
  }
  paused(on: boolean): void {
    if (on) this.#i.pauses.inc()
    this.#i.paused.set(on ? 1 : 0)
  }
  connected(on: boolean): void {
    this.#i.connected.set(on ? 1 : 0)
  }
  tornLines(n: number): void {
    this.#i.tornLines.inc(n)
  }
  spool(bytes: number, entries: number): void {
    this.#i.spoolBytes.set(bytes)
    this.#i.spoolEntries.set(entries)
  }
  latency(ms: number): void {
    this.#latency.observe(ms)
    this.#i.latency.observe(ms / 1000)
  }

  /** The counted part of {@link ProducerMetrics}. */
  snapshot() {
    return {
      total_sent: this.#sent,
      total_failed: this.#failed,
      total_retries: this.#retries,
      dead_lettered: this.#deadLettered,
      dead_lettered_local: this.#deadLetteredLocal,
      spooled: this.#spooled,
      replayed: this.#replayed,
      batches: this.#batches,
      bytes: this.#bytes,
      latency_p50_ms: this.#latency.percentile(50),
      latency_p99_ms: this.#latency.percentile(99),
      spool_full: this.#spoolFull,
    }
  }
}
