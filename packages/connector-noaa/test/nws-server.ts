/**
 * A local stand-in for api.weather.gov: node:http on 127.0.0.1 with a random port. Each test sets
 * `answer` to decide what a request gets; every request (path, query, headers) is recorded.
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
  /** Send `body` again and again, chunked (no Content-Length), up to this many bytes; stops when the client goes. */
  readonly repeatUpTo?: number
}

/** A request as the server saw it. */
export interface SeenRequest {
  readonly path: string
  readonly query: Record<string, string>
  readonly headers: Record<string, string | string[] | undefined>
}

export interface NwsServer {
  readonly baseUrl: string
  readonly requests: SeenRequest[]
  answer: (request: SeenRequest) => Answer
  close(): Promise<void>
}

/** Reads a fixture of test/fixtures as it is. */
export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
}

/** A geo+json answer. */
export const geojson = (body: unknown, headers: Record<string, string> = {}): Answer => ({
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/geo+json', ...headers },
})

/** An RFC 7807 answer as NWS writes it. */
export const problem = (status: number, name: string, title: string, detail: string): Answer => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    correlationId: '6eb39977',
    title,
    type: `https://api.weather.gov/problems/${name}`,
    status,
    detail,
    instance: 'https://api.weather.gov/requests/6eb39977',
  }),
})

/** The CDN's HTML block page (not problem+json). */
export const cdnBlock = (status = 403): Answer => ({
  status,
  headers: { 'content-type': 'text/html' },
  body: `<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n\nYou don't have permission to access "http&#58;&#47;&#47;api&#46;weather&#46;gov&#47;alerts&#47;active" on this server.<P>\nReference&#32;&#35;18&#46;2f1c1002&#46;1712345678&#46;1a2b3c4d\n</BODY>\n</HTML>\n`,
})

/** Starts the server; `close()` ends it and every open connection. */
export async function startNwsServer(answer: NwsServer['answer'] = () => ({ body: '' })): Promise<NwsServer> {
  const requests: SeenRequest[] = []
  const state: { answer: NwsServer['answer'] } = { answer }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const seen: SeenRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers }
    requests.push(seen)
    const a = state.answer(seen)
    const send = (): void => {
      if (res.destroyed) return
      const body = typeof a.body === 'string' || a.body === undefined ? Buffer.from(a.body ?? '') : a.body
      if (a.repeatUpTo !== undefined) {
        const total = a.repeatUpTo
        res.writeHead(a.status ?? 200, { 'content-type': 'application/geo+json', ...a.headers })
        res.on('error', () => {})
        let sent = 0
        const pump = (): void => {
          while (sent < total && !res.destroyed) {
            sent += body.length
            if (!res.write(body)) return void res.once('drain', pump)
          }
          if (!res.destroyed) res.end()
        }
        pump()
        return
      }
      const headers = { 'content-type': 'application/geo+json', ...a.headers, 'content-length': String(body.length) }
      res.writeHead(a.status ?? 200, headers)
      if (a.truncateAt !== undefined) {
        res.write(body.subarray(0, a.truncateAt), () => res.destroy())
        return
      }
      res.end(body)
    }
    if (a.delayMs) setTimeout(send, a.delayMs)
    else send()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
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

/**
 * A templated weather.gov capture with real times: each `"date:now ±N seconds"` becomes the ISO
 * time `now ± N` s (UTC, whole seconds, as NWS writes with an offset).
 */
export function substituteTimes(text: string, now: number): string {
  return text.replace(/"date:now ([+-]\d+) seconds"/g, (_, offset: string) => {
    const iso = new Date(Math.floor(now / 1000) * 1000 + Number(offset) * 1000).toISOString()
    return JSON.stringify(iso.replace('.000Z', '+00:00'))
  })
}
