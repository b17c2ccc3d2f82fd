/**
 * The HTTP port of a running Firefront: `/metrics` (Prometheus text), `/ready` (200 once every part
 * has started, 503 before and while stopping), `/health` (JSON, 200 or 503), `/api/metrics` (the
 * `getMetrics()` object), `/api/status` (the status report) and `/` (the live status page).
 */
import { createServer, type Server } from 'node:http'
import type { JsonValue, SendHooks } from '@firefront/sdk'
import type { RuntimeEmitter } from '../runtime/events'
import type { RuntimeMetrics } from '../runtime/metrics'
import { coreVersion, registerRuntimeMetrics } from './runtime-metrics'
import { DetectionTrail } from './status/detections'
import { StatusHistory } from './status/history'
import { STATUS_PAGE } from './status/page'
import { buildStatusReport } from './status/report'

/** What the server reads from. */
export interface MetricsSource {
  readonly metricsRegistry: import('prom-client').Registry
  getMetrics(): Promise<RuntimeMetrics>
  /** Runtime events, for the histograms and the dropped-records counter. */
  readonly events: RuntimeEmitter
  healthCheck(): Promise<{ healthy: boolean } & Record<string, JsonValue>>
  /** Whether it has started and is not stopping (for a readiness probe). */
  readiness(): { ready: boolean; state: string }
  /** Adds send hooks (the status page's map follows delivered detections through one). */
  addHooks?(...hooks: SendHooks[]): void
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  readonly host: string
  readonly port: number
  /** Seconds between the status page's samples (default 2). */
  readonly sampleSeconds?: number
  /** Seconds of history the status page charts (default 600). */
  readonly historySeconds?: number
}

/** A started server. */
export interface MetricsServer {
  readonly url: string
  close(): Promise<void>
}

/** Starts the server on `host:port` (port 0 picks a free one). */
export async function startMetricsServer(source: MetricsSource, options: MetricsServerOptions): Promise<MetricsServer> {
  registerRuntimeMetrics(source.metricsRegistry, source)
  const version = coreVersion()
  const history = new StatusHistory(options.sampleSeconds ?? 2, options.historySeconds ?? 600)
  const trail = new DetectionTrail()
  source.addHooks?.(trail.hooks)
  const sample = () =>
    void source.getMetrics().then(
      (m) => history.sample(m, Date.now()),
      () => {}, // a sample missed while stopping is no loss
    )
  sample()
  const sampler = setInterval(sample, history.intervalSeconds * 1000)
  sampler.unref()
  const status = async () => {
    const [metrics, health] = await Promise.all([source.getMetrics(), source.healthCheck()])
    return buildStatusReport({
      version,
      metrics,
      healthy: health.healthy,
      readiness: source.readiness(),
      history: history.samples(),
      intervalSeconds: history.intervalSeconds,
      detections: trail.recent(),
      now: Date.now(),
    })
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const reply = async () => {
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': source.metricsRegistry.contentType })
        res.end(await source.metricsRegistry.metrics())
      } else if (path === '/ready') {
        const readiness = source.readiness()
        res.writeHead(readiness.ready ? 200 : 503, { 'content-type': 'application/json' })
        res.end(JSON.stringify(readiness))
      } else if (path === '/health') {
        const health = await source.healthCheck()
        res.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' })
        res.end(JSON.stringify(health))
      } else if (path === '/api/metrics') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(await source.getMetrics()))
      } else if (path === '/api/status') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        res.end(JSON.stringify(await status()))
      } else if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        res.end(STATUS_PAGE)
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' })
        res.end('not found\n')
      }
    }
    reply().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`${(err as Error).message}\n`)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  return {
    url: `http://${options.host}:${port}`,
    close: () => {
      clearInterval(sampler)
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // an open status page keeps a connection alive: it must not hold the stop up
      server.closeAllConnections()
      return closed
    },
  }
}
