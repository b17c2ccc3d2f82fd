/**
 * The HTTP port of a running Firefront: `/metrics` (Prometheus text), `/ready` (200 once every part
 * has started, 503 before and while stopping), `/health` (JSON, 200 or
 * 503), `/api/metrics` (the `getMetrics()` object) and `/` (a small live status page).
 */
import { createServer, type Server } from 'node:http'
import type { JsonValue } from '@firefront/sdk'
import type { RuntimeMetrics } from '../runtime/metrics'
import { registerRuntimeMetrics } from './runtime-metrics'
import { STATUS_PAGE } from './status-page'

/** What the server reads from. */
export interface MetricsSource {
  readonly metricsRegistry: import('prom-client').Registry
  getMetrics(): Promise<RuntimeMetrics>
  healthCheck(): Promise<{ healthy: boolean } & Record<string, JsonValue>>
  /** Whether it has started and is not stopping (for a readiness probe). */
  readiness(): { ready: boolean; state: string }
}

/** A started server. */
export interface MetricsServer {
  readonly url: string
  close(): Promise<void>
}

/** Starts the server on `host:port` (port 0 picks a free one). */
export async function startMetricsServer(
  source: MetricsSource,
  options: { host: string; port: number },
): Promise<MetricsServer> {
  registerRuntimeMetrics(source.metricsRegistry, () => source.getMetrics())
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
