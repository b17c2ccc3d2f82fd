/**
 * A local stand-in for the FIRMS host: node:http on 127.0.0.1 with a random port. Each test sets
 * `answer` to decide what a request gets; every request path is recorded.
 */
import { readFileSync } from 'node:fs'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the server sends back for one request. */
export interface Answer {
  readonly status?: number
  /** A string is sent as UTF-8; a Buffer as it is (e.g. bytes that are not UTF-8). */
  readonly body?: string | Buffer
  readonly headers?: Record<string, string>
  /** Wait this long before answering. */
  readonly delayMs?: number
  /** Send this many bytes of `body` under a Content-Length of the whole body, then drop the connection. */
  readonly truncateAt?: number
  /**
   * Send `body` again and again up to `totalBytes`, without holding it all: with a Content-Length
   * when `declare` is true, else chunked. Writing stops when the client goes away.
   */
  readonly repeat?: { readonly totalBytes: number; readonly declare?: boolean }
}

/** A parsed request path. */
export interface SeenRequest {
  readonly path: string
  /** `area` or `country` requests: the path segments after the key. */
  readonly api?: string
  readonly key?: string
  readonly source?: string
  readonly where?: string
  readonly dayRange?: number
  readonly date?: string
}

export interface FirmsServer {
  readonly baseUrl: string
  readonly requests: SeenRequest[]
  /** Bytes of bodies handed to the sockets so far (for `repeat` answers). */
  readonly bytesWritten: number
  answer: (request: SeenRequest) => Answer
  close(): Promise<void>
}

/** Reads a fixture of test/fixtures as it is. */
export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
}

function parsePath(path: string): SeenRequest {
  const m = /^\/api\/(area|country)\/csv\/([^/]+)\/([^/]+)\/([^/]+)\/(\d+)(?:\/(\d{4}-\d{2}-\d{2}))?$/.exec(path)
  if (!m) return { path }
  return {
    path,
    api: m[1],
    key: decodeURIComponent(m[2]!),
    source: m[3],
    where: decodeURIComponent(m[4]!),
    dayRange: Number(m[5]),
    date: m[6],
  }
}

/** Starts the server; `close()` ends it and every open connection. */
export async function startFirmsServer(answer: FirmsServer['answer'] = () => ({ body: '' })): Promise<FirmsServer> {
  const requests: SeenRequest[] = []
  const state: { answer: FirmsServer['answer']; bytesWritten: number } = { answer, bytesWritten: 0 }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen = parsePath(req.url ?? '/')
    requests.push(seen)
    const a = state.answer(seen)
    const send = (): void => {
      if (res.destroyed) return
      const body = typeof a.body === 'string' || a.body === undefined ? Buffer.from(a.body ?? '') : a.body
      const headers = { 'content-type': 'text/plain;charset=UTF-8', ...a.headers }
      if (a.repeat !== undefined) {
        const { totalBytes, declare } = a.repeat
        res.writeHead(a.status ?? 200, declare ? { ...headers, 'content-length': String(totalBytes) } : headers)
        let sent = 0
        const pump = (): void => {
          while (sent < totalBytes && !res.destroyed) {
            const part = body.subarray(0, Math.min(body.length, totalBytes - sent))
            sent += part.length
            state.bytesWritten += part.length
            if (!res.write(part)) {
              res.once('drain', pump)
              return
            }
          }
          if (!res.destroyed) res.end()
        }
        res.on('error', () => {})
        pump()
        return
      }
      if (a.truncateAt !== undefined) {
        res.writeHead(a.status ?? 200, { ...headers, 'content-length': String(body.length) })
        res.write(body.subarray(0, a.truncateAt), () => res.destroy())
        return
      }
      res.writeHead(a.status ?? 200, { ...headers, 'content-length': String(body.length) })
      res.end(body)
    }
    if (a.delayMs) setTimeout(send, a.delayMs)
    else send()
  })
  // Idle connections are closed by the client only: a server closing one at its keep-alive timeout
  // while fetch reuses it fails that request with ECONNRESET (seen after the long 150k-row test).
  server.keepAliveTimeout = 0
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    get bytesWritten() {
      return state.bytesWritten
    },
    get answer() {
      return state.answer
    },
    set answer(fn) {
      state.answer = fn
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
