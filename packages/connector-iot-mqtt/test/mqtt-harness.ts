import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type PushConnector, type SourceRecord, validateConfig } from '@firefront/sdk'
import { type FakeContext, createFakeContext } from '@firefront/sdk/testing'
import connector, { MqttConfig } from '../src/index'

const run = promisify(execFile)

/** Publishes with the mosquitto_pub command. */
export async function mosquittoPub(
  url: string,
  topic: string,
  message: string | null,
  options: { qos?: 0 | 1 | 2; retain?: boolean } = {},
): Promise<void> {
  const u = new URL(url)
  const args = ['-h', u.hostname, '-p', u.port || '1883', '-t', topic, '-q', String(options.qos ?? 1)]
  if (options.retain) args.push('-r')
  if (message === null) args.push('-n')
  else args.push('-m', message)
  await run('mosquitto_pub', args)
}

/** A running subscription of the connector on a fake context, and what it collected. */
export interface Running {
  readonly records: SourceRecord[]
  readonly fake: FakeContext
  readonly instance: PushConnector
  /** Settles when `subscribe` ends; its error, if any, is kept in `error`. */
  readonly done: Promise<void>
  error?: unknown
  waitFor(n: number, ms?: number): Promise<void>
  waitForLog(msg: string, ms?: number): Promise<void>
  stop(): Promise<void>
}

const until = async (test: () => boolean, ms: number, what: () => string): Promise<void> => {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Starts the connector with `config`; `emit` may be replaced to delay or fail hand-over. */
export async function startConnector(
  config: Record<string, unknown>,
  options: { sourceId?: string; emit?: (records: SourceRecord[]) => Promise<void> } = {},
): Promise<Running> {
  const checked = validateConfig(MqttConfig, config)
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
  const fake = createFakeContext({
    id: 'connector:iot-mqtt#test',
    source: { sourceId: options.sourceId ?? 'test', sourceType: 'iot_mqtt' },
  })
  const instance = (await connector.create(checked.value, fake.ctx)) as PushConnector
  const records: SourceRecord[] = []
  const controller = new AbortController()
  const running: Running = {
    records,
    fake,
    instance,
    done: Promise.resolve(),
    waitFor: (n, ms = 10_000) =>
      until(
        () => records.length >= n || running.error !== undefined,
        ms,
        () => `${n} records, got ${records.length}`,
      ),
    waitForLog: (msg, ms = 10_000) =>
      until(
        () => fake.logs.some((l) => l.msg === msg) || running.error !== undefined,
        ms,
        () => `log "${msg}"`,
      ),
    stop: async () => {
      controller.abort()
      await running.done
      await instance.close?.()
    },
  }
  ;(running as { done: Promise<void> }).done = instance
    .subscribe(async (r) => {
      const batch = Array.isArray(r) ? [...r] : [r as SourceRecord]
      if (options.emit) await options.emit(batch)
      records.push(...batch)
    }, controller.signal)
    .catch((err: unknown) => {
      running.error = err
    })
  return running
}

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

/** A Mosquitto of its own (anonymous, or with a password file), which a test may stop and restart. */
export interface OwnMosquitto {
  readonly url: string
  stop(): void
  /** Stops and starts it again on the same port, with a new password for `sensor` when given. */
  restart(password?: string): Promise<void>
}

const mosquittoUp = async (port: number, auth: string[]): Promise<void> => {
  for (let i = 0; i < 50; i++) {
    try {
      await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), ...auth, '-t', 'ready', '-n'])
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`mosquitto on port ${port} did not start`)
}

/**
 * Starts a Mosquitto on a free port; with `password`, only user `sensor` with it may connect;
 * `extra` lines are added to its configuration.
 */
export async function startMosquitto(options: { password?: string; extra?: string } = {}): Promise<OwnMosquitto> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'firefront-mqtt-'))
  // Mosquitto started as root drops to its own user, which must be able to read these files.
  chmodSync(dir, 0o755)
  const conf = `listener ${port} 127.0.0.1\npersistence false\n${options.extra ?? ''}`
  const passwords = join(dir, 'passwords')
  let auth: string[] = []
  const configure = async (password: string | undefined): Promise<void> => {
    if (password === undefined) {
      writeFileSync(join(dir, 'mosquitto.conf'), `${conf}allow_anonymous true\n`)
      return
    }
    writeFileSync(passwords, '')
    await run('mosquitto_passwd', ['-b', passwords, 'sensor', password])
    chmodSync(passwords, 0o644)
    writeFileSync(join(dir, 'mosquitto.conf'), `${conf}allow_anonymous false\npassword_file ${passwords}\n`)
    auth = ['-u', 'sensor', '-P', password]
  }
  await configure(options.password)
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' })
    await mosquittoUp(port, auth)
  }
  const stop = (): void => {
    child?.kill('SIGTERM')
    child = undefined
  }
  await start()
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    restart: async (password) => {
      const old = child
      stop()
      if (old && old.exitCode === null) await new Promise((r) => old.once('exit', r))
      if (password !== undefined) await configure(password)
      await start()
    },
  }
}

/** A Mosquitto with a TLS listener (certificate of a throwaway CA, made with openssl) and a WebSocket one. */
export async function startTransportsMosquitto(): Promise<{
  mqttsUrl: string
  wsUrl: string
  caPath: string
  stop(): void
}> {
  const [tlsPort, wsPort] = [await freePort(), await freePort()]
  const dir = mkdtempSync(join(tmpdir(), 'firefront-mqtt-tls-'))
  chmodSync(dir, 0o755)
  const at = (f: string) => join(dir, f)
  const ssl = (...args: string[]) => run('openssl', args, { cwd: dir })
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=firefront-test-ca',
  )
  await ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  )
  writeFileSync(at('ext'), 'subjectAltName=IP:127.0.0.1\n')
  await ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'ext',
  )
  for (const f of ['ca.pem', 'server.pem', 'server.key']) chmodSync(at(f), 0o644)
  writeFileSync(
    at('mosquitto.conf'),
    [
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${at('ca.pem')}`,
      `certfile ${at('server.pem')}`,
      `keyfile ${at('server.key')}`,
      'allow_anonymous true',
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      'allow_anonymous true',
      'persistence false',
      '',
    ].join('\n'),
  )
  const child = spawn('mosquitto', ['-c', at('mosquitto.conf')], { stdio: 'ignore' })
  for (let i = 0; i < 50; i++) {
    try {
      await run('mosquitto_pub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(tlsPort),
        '--cafile',
        at('ca.pem'),
        '-t',
        'ready',
        '-n',
      ])
      break
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {
    mqttsUrl: `mqtts://127.0.0.1:${tlsPort}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    caPath: at('ca.pem'),
    stop: () => child.kill('SIGTERM'),
  }
}

/** A record key without its payload digest (`device:kind:time[:seq]`), for readable assertions. */
export const withoutDigest = (key: string | undefined): string | undefined => key?.replace(/:[0-9a-f]{16}$/, '')
