import { type Server, createServer } from 'node:http'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BodyTooLargeError, readBody } from '../src/body'

type Mode = 'declared' | 'chunked'

// A real HTTP server on 127.0.0.1: each path names how the 1 MiB body is announced.
let server: Server
let base: string
beforeAll(async () => {
  server = createServer((req, res) => {
    const mode = req.url?.slice(1) as Mode | 'small'
    const chunk = Buffer.alloc(64 * 1024, 'x')
    if (mode === 'small') {
      res.writeHead(200, { 'content-length': '5' })
      res.end('héllo'.slice(0, 4))
      return
    }
    if (mode === 'declared') res.writeHead(200, { 'content-length': String(16 * chunk.length) })
    else res.writeHead(200, { 'transfer-encoding': 'chunked' })
    let sent = 0
    const pump = (): void => {
      while (sent < 16) {
        sent++
        if (!res.write(chunk)) {
          res.once('drain', pump)
          return
        }
      }
      res.end()
    }
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('readBody', () => {
  it('returns a body within the cap', async () => {
    const bytes = await readBody(await fetch(`${base}/small`), { maxBytes: 100 })
    expect(new TextDecoder().decode(bytes)).toBe('héll')
  })

  it('refuses a body whose Content-Length is over the cap before reading it', async () => {
    const err = await readBody(await fetch(`${base}/declared`), { maxBytes: 100_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BodyTooLargeError)
    const e = err as BodyTooLargeError
    expect(e.code).toBe('ERR_INPUT_REJECTED')
    expect(e.declaredBytes).toBe(1024 * 1024)
    expect(e.size).toBe(String(1024 * 1024))
    expect(e.bytesRead).toBeLessThanOrEqual(64 * 1024)
    expect(e.preview).toBe('x'.repeat(256))
    expect(e.message).toMatch(/1048576 bytes \(Content-Length\) is over the cap of 100000 bytes/)
  })

  it('stops reading a chunked body (no Content-Length) at the cap', async () => {
    const err = (await readBody(await fetch(`${base}/chunked`), { maxBytes: 100_000 }).catch(
      (e: unknown) => e,
    )) as BodyTooLargeError
    expect(err).toBeInstanceOf(BodyTooLargeError)
    expect(err.declaredBytes).toBeUndefined()
    expect(err.size).toBe('>100000')
    // reading stopped within one network chunk past the cap, not at the 1 MiB end
    expect(err.bytesRead).toBeGreaterThan(100_000)
    expect(err.bytesRead).toBeLessThanOrEqual(100_000 + 64 * 1024)
    expect(err.message).toBe('body is over the cap of 100000 bytes (no Content-Length; reading stopped at the cap)')
  })

  it('stops reading a body without Content-Length, delimited by the connection end', async () => {
    // HTTP/1.0 style: no length, no chunking; only a raw socket can send it
    const raw = createNetServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n')
      const chunk = Buffer.alloc(64 * 1024, 'y')
      let sent = 0
      const pump = (): void => {
        while (sent < 32 && !socket.destroyed) {
          sent++
          if (!socket.write(chunk)) return void socket.once('drain', pump)
        }
        socket.end()
      }
      pump()
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`
      const err = (await readBody(await fetch(url), { maxBytes: 200_000 }).catch(
        (e: unknown) => e,
      )) as BodyTooLargeError
      expect(err).toBeInstanceOf(BodyTooLargeError)
      expect(err.declaredBytes).toBeUndefined()
      expect(err.bytesRead).toBeLessThanOrEqual(200_000 + 64 * 1024)
      expect(err.preview).toBe('y'.repeat(256))
    } finally {
      raw.close()
    }
  })

  it('rethrows the abort reason', async () => {
    const controller = new AbortController()
    const res = await fetch(`${base}/chunked`, { signal: controller.signal })
    const reason = new Error('stopping')
    controller.abort(reason)
    await expect(readBody(res, { maxBytes: 10_000_000, signal: controller.signal })).rejects.toBe(reason)
  })
})
