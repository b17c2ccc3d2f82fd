import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket()
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.connect(port, '127.0.0.1')
  })

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })

/**
 * Finds an MQTT broker for the tests: the Mosquitto on 127.0.0.1:1883 when one listens, else a
 * Mosquitto started here on a free port. Fails with a clear message when neither is possible.
 */
export async function ensureMqtt(): Promise<{ url: string; stop(): void }> {
  if (await listening(1883)) return { url: 'mqtt://127.0.0.1:1883', stop: () => {} }
  if (spawnSync('sh', ['-c', 'command -v mosquitto'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'test setup: no MQTT broker listens on 127.0.0.1:1883 and the mosquitto binary is not installed (apt-get install mosquitto)',
    )
  }
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'firefront-mosquitto-'))
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`)
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore', detached: false })
  for (let i = 0; i < 50 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 100))
  if (!(await listening(port))) {
    child.kill('SIGTERM')
    throw new Error(`test setup: started mosquitto on port ${port} but it does not listen`)
  }
  return { url: `mqtt://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') }
}
