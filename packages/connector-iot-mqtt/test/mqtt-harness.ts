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

/** A Mosquitto of its own with a password file, for refusals the shared broker never gives. */
export async function startSecuredMosquitto(): Promise<{ url: string; stop(): void }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'firefront-mqtt-auth-'))
  // Mosquitto started as root drops to its own user, which must be able to read these files.
  chmodSync(dir, 0o755)
  const passwords = join(dir, 'passwords')
  writeFileSync(passwords, '')
  await run('mosquitto_passwd', ['-b', passwords, 'sensor', 'right-password'])
  chmodSync(passwords, 0o644)
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwords}\npersistence false\n`,
  )
  const child: ChildProcess = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' })
  const url = `mqtt://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    try {
      await run('mosquitto_pub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-u',
        'sensor',
        '-P',
        'right-password',
        '-t',
        'allowed/x',
        '-n',
      ])
      break
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return { url, stop: () => child.kill('SIGTERM') }
}
