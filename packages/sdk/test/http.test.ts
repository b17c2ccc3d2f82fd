import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConnectorConfigError, isRateLimited } from '@firefront/sdk'
import { createHttpClient, HttpBodyTooLargeError, type HttpClientOptions, retryAfterMs } from '@firefront/sdk/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type Handler = (req: IncomingMessage, res: ServerResponse) => void
const routes = new Map<string, Handler>()
const seen: IncomingMessage[] = []
let server: Server
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req)
    const handler = routes.get(new URL(req.url ?? '/', 'http://x').pathname)
    if (handler) handler(req, res)
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const client = (over: Partial<HttpClientOptions> = {}) =>
  createHttpClient({ name: 'TEST', ctx: { fetch: globalThis.fetch }, timeoutMs: 2000, maxBodyBytes: 1024, ...over })

const rejection = async (promise: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
  try {
    await promise
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

describe('@firefront/sdk/http against a local server', () => {
  it('reads a 2xx body with its validators, then answers notModified to a conditional GET', async () => {
    routes.set('/doc', (req, res) => {
      if (
        req.headers['if-none-match'] === '"v1"' ||
        req.headers['if-modified-since'] === 'Tue, 01 Dec 2026 10:00:00 GMT'
      )
        return void res.writeHead(304).end()
      res.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }).end('{"a":1}')
    })
    const http = client({ headers: { 'user-agent': 'firefront-test' } })
    const first = await http.get(`${base}/doc`)
    expect(first).toMatchObject({ notModified: false, status: 200, text: '{"a":1}', etag: '"v1"' })
    expect(seen.at(-1)?.headers['user-agent']).toBe('firefront-test')
    if (first.notModified) throw new Error('unreachable')
    expect(await http.get(`${base}/doc`, { etag: first.etag })).toMatchObject({ notModified: true, status: 304 })
    expect(seen.at(-1)?.headers['if-none-match']).toBe('"v1"')
    const byDate = await http.get(`${base}/doc`, { lastModified: first.lastModified })
    expect(byDate.notModified).toBe(true)
    expect(seen.at(-1)?.headers['if-modified-since']).toBe('Tue, 01 Dec 2026 10:00:00 GMT')
  })

  it('maps 429 to a rate-limited retryable error honouring Retry-After, within the cap', async () => {
    routes.set('/busy', (req, res) => {
      const wait = new URL(req.url ?? '/', base).searchParams.get('wait') ?? '7'
      res.writeHead(429, { 'retry-after': wait, 'content-type': 'text/html' }).end('<h1>Slow down</h1>')
    })
    const err = await rejection(client().get(`${base}/busy`))
    expect(err).toMatchObject({ code: 'ERR_RETRYABLE', retryAfterMs: 7000, name: 'RateLimitedError' })
    expect(isRateLimited(err)).toBe(true)
    expect(err.message).toContain('TEST rate limited: answered HTTP 429: "Slow down"')
    const capped = await rejection(client({ maxRetryAfterMs: 60_000 }).get(`${base}/busy?wait=86400`))
    expect(capped.retryAfterMs).toBe(60_000)
    expect(capped.message).toContain('Retry-After 86400000 ms cut to 60000 ms')
    const floored = await rejection(client({ minRateLimitWaitMs: 9000 }).get(`${base}/busy?wait=1`))
    expect(floored.retryAfterMs).toBe(9000)
  })

  it('maps 5xx to retryable (Retry-After as a date) and other 4xx to a config error', async () => {
    const now = Date.parse('2026-12-01T10:00:00Z')
    routes.set('/down', (_req, res) =>
      res.writeHead(503, { 'retry-after': 'Tue, 01 Dec 2026 10:00:30 GMT' }).end('maintenance'),
    )
    routes.set('/key', (_req, res) => res.writeHead(401, { 'content-type': 'text/plain' }).end('Invalid key'))
    const http = client({ ctx: { fetch: globalThis.fetch, clock: { now: () => now } } })
    const down = await rejection(http.get(`${base}/down`))
    expect(down).toMatchObject({ code: 'ERR_RETRYABLE', retryAfterMs: 30_000 })
    expect(isRateLimited(down)).toBe(false)
    const key = await rejection(http.get(`${base}/key`))
    expect(key).toBeInstanceOf(ConnectorConfigError)
    expect(key.message).toBe(`TEST refused the request (HTTP 401): "Invalid key" (${base}/key)`)
  })

  it('redacts the secret in every URL and text it gives out', async () => {
    routes.set('/secret/s3cr3t', (_req, res) => res.writeHead(400).end('bad key s3cr3t'))
    const err = await rejection(client({ redact: (t) => t.replaceAll('s3cr3t', '***') }).get(`${base}/secret/s3cr3t`))
    expect(err.message).toBe(`TEST refused the request (HTTP 400): "bad key ***" (${base}/secret/***)`)
  })

  it('times out a slow answer as retryable, with the failure wait', async () => {
    routes.set('/slow', (_req, res) => {
      res.writeHead(200)
      res.write('partial')
      setTimeout(() => res.end('rest'), 1500).unref()
    })
    const err = await rejection(client({ timeoutMs: 200, failureRetryAfterMs: 5000 }).get(`${base}/slow`))
    expect(err).toMatchObject({ code: 'ERR_RETRYABLE', retryAfterMs: 5000 })
    expect(err.message).toBe(`TEST request timed out after 200 ms (${base}/slow)`)
  })

  it("rejects with the abort reason when the context's signal aborts", async () => {
    routes.set('/hang', () => {})
    const controller = new AbortController()
    const pending = client({ ctx: { fetch: globalThis.fetch, signal: controller.signal } }).get(`${base}/hang`)
    setTimeout(() => controller.abort(new Error('plugin stopping')), 50)
    expect((await rejection(pending)).message).toBe('plugin stopping')
  })

  it('refuses a 2xx body over the cap (chunked, no Content-Length) and still reads an oversize error answer', async () => {
    routes.set('/big', (_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' })
      for (let i = 0; i < 8; i++) res.write('x'.repeat(512))
      res.end()
    })
    routes.set('/big-error', (_req, res) => res.writeHead(500).end(`oops ${'y'.repeat(4096)}`))
    const big = await rejection(client().get(`${base}/big`))
    expect(big).toBeInstanceOf(HttpBodyTooLargeError)
    expect(big).toMatchObject({ code: 'ERR_INPUT_REJECTED', maxBytes: 1024, status: 200, url: `${base}/big` })
    expect(big.message).toContain('TEST answer (HTTP 200) over max_body_bytes, not read')
    const error = await rejection(client({ errorBodyBytes: 64 }).get(`${base}/big-error`))
    expect(error).toMatchObject({ code: 'ERR_RETRYABLE' })
    expect(error.message).toMatch(/^TEST answered HTTP 500: "oops y+…"/)
  })

  it('lets classify decide first (a remote that refuses with 200 is not that case; a 4xx refusal text is)', async () => {
    routes.set('/refusal', (_req, res) => res.writeHead(400).end('Invalid area.'))
    const http = client({
      classify: (a) =>
        a.text.startsWith('Invalid') ? new ConnectorConfigError(`TEST refused: ${a.text} (${a.url})`) : undefined,
    })
    expect((await rejection(http.get(`${base}/refusal`))).message).toBe(`TEST refused: Invalid area. (${base}/refusal)`)
  })

  it('reads network failures as retryable', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const err = await rejection(client().get(`http://127.0.0.1:${port}/`))
    expect(err).toMatchObject({ code: 'ERR_RETRYABLE' })
    expect(err.message).toMatch(/^TEST request failed: fetch failed/)
  })
})

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('120', 0)).toBe(120_000)
    expect(retryAfterMs('Thu, 01 Jan 1970 00:01:00 GMT', 30_000)).toBe(30_000)
    expect(retryAfterMs('Thu, 01 Jan 1970 00:01:00 GMT', 90_000)).toBe(0)
    expect(retryAfterMs(null, 0)).toBeUndefined()
    expect(retryAfterMs('soon', 0)).toBeUndefined()
  })
})
