import { describe, expect, it } from 'vitest'
import { resolveClientSettings } from '../client-settings'
import { resolveKafkaSinkConfig } from '../config'
import { baseOptions, PLATFORMATIC_RETRY, retryDelay, saslOptions, tlsOptions } from './client-options'

const PASSWORD = 's3cr3t-Pa55word'
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n'
const files: Record<string, string> = {
  '/etc/kafka/ca.pem': 'CA-PEM',
  '/etc/kafka/client.pem': 'CERT-PEM',
  '/etc/kafka/client.key': KEY_PEM,
}
const readFile = async (path: string): Promise<string> => {
  const content = files[path]
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
  return content
}

const settingsFor = (
  extra: Record<string, unknown> = {},
  options: { retries?: number; requestTimeoutMs?: number } = {},
) =>
  resolveClientSettings(
    {
      kafka: resolveKafkaSinkConfig({
        kafka: { bootstrap_servers: 'b1:9092, b2:9093', client: 'platformatic', client_id: 'ff', ...extra },
      }).kafka,
      clientIdSuffix: '-lag',
      ...options,
    },
    readFile,
  )

describe('baseOptions', () => {
  it('maps brokers, client id, timeouts and a short retry', async () => {
    const options = baseOptions(
      await settingsFor({ request_timeout_ms: 4000, connection_timeout_ms: 1500 }, { retries: 2 }),
    )
    expect(options).toMatchObject({
      clientId: 'ff-lag',
      bootstrapBrokers: ['b1:9092', 'b2:9093'],
      connectTimeout: 1500,
      requestTimeout: 4000,
      timeout: 4000,
      retries: 2,
      strict: false,
    })
    expect(options.tls).toBeUndefined()
    expect(options.sasl).toBeUndefined()
    expect((await settingsFor()).retries).toBe(1)
  })

  it('retries after 100 ms, doubling up to 1 s', () => {
    expect([1, 2, 3, 4, 5, 9].map((a) => retryDelay(a))).toEqual([100, 200, 400, 800, 1000, 1000])
    // a transactional producer waits up to 2 s between retries
    expect([5, 6, 9].map((a) => retryDelay(a, 2000))).toEqual([1600, 2000, 2000])
    expect(PLATFORMATIC_RETRY.maxDelayMs).toBe(1000)
    const { retryDelay: delay } = baseOptions({
      brokers: ['b:1'],
      clientId: 'x',
      connectionTimeoutMs: 1,
      requestTimeoutMs: 1,
      compression: 'none',
      idempotent: true,
      retries: 1,
      autoCreateTopics: true,
      partitions: 1,
      replicationFactor: 1,
      redactor: { text: (t) => t, fields: (f) => f, message: String },
    })
    expect(typeof delay === 'function' ? delay({}, 'produce', 3, 5, new Error('x')) : delay).toBe(400)
  })

  it.each([
    ['plain', 'PLAIN'],
    ['scram-sha-256', 'SCRAM-SHA-256'],
    ['scram-sha-512', 'SCRAM-SHA-512'],
  ] as const)('maps SASL %s to the library’s %s', async (mechanism, expected) => {
    const options = baseOptions(await settingsFor({ sasl: { mechanism, username: 'ingest', password: PASSWORD } }))
    expect(options.sasl).toEqual({ mechanism: expected, username: 'ingest', password: PASSWORD })
    expect(saslOptions(undefined)).toBeUndefined()
  })

  it('maps ssl: true to TLS with verification, and an object to PEM contents read at start', async () => {
    expect(baseOptions(await settingsFor({ ssl: true }))).toMatchObject({
      tls: { rejectUnauthorized: true },
      tlsServerName: true,
    })
    const options = baseOptions(
      await settingsFor({
        ssl: {
          ca: '/etc/kafka/ca.pem',
          cert: '/etc/kafka/client.pem',
          key: '/etc/kafka/client.key',
          reject_unauthorized: false,
        },
      }),
    )
    expect(options.tls).toEqual({ ca: ['CA-PEM'], cert: 'CERT-PEM', key: KEY_PEM, rejectUnauthorized: false })
    expect(tlsOptions(undefined)).toBeUndefined()
    expect(tlsOptions({ ca: 'CA', rejectUnauthorized: true })).toEqual({ ca: ['CA'], rejectUnauthorized: true })
  })

  it('fails with ERR_CONFIG_NOT_FOUND naming the key and path when a TLS file is missing', async () => {
    await expect(settingsFor({ ssl: { ca: '/nope/ca.pem' } })).rejects.toMatchObject({
      code: 'ERR_CONFIG_NOT_FOUND',
      message: expect.stringMatching(/kafka\.ssl\.ca: cannot read \/nope\/ca\.pem/),
    })
  })

  it('hands the redactor every secret: the SASL password and the TLS key', async () => {
    const settings = await settingsFor({
      sasl: { mechanism: 'scram-sha-512', username: 'ingest', password: PASSWORD },
      ssl: { key: '/etc/kafka/client.key' },
    })
    const text = settings.redactor.text(`auth failed for ${PASSWORD} with ${KEY_PEM}`)
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain('MIIEsecretkeymaterial')
  })
})
