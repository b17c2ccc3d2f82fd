import { createFakeContext } from '@firefront/sdk/testing'
import { logLevel } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { describeKafkaConfig, KAFKAJS_RETRY, kafkajsClientConfig, kafkajsLogCreator } from './client-options'
import { resolveKafkaSinkConfig } from '../config'
import { createLogger } from '../../observability/logger'
import { createRedactor } from '../redact'

const PASSWORD = 's3cr3t-Pa55word'
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n'
const files: Record<string, string> = {
  '/etc/kafka/ca.pem': 'CA-PEM',
  '/etc/kafka/client.pem': 'CERT-PEM',
  '/etc/kafka/client.key': KEY_PEM,
}
const readFile = async (path: string): Promise<string> => {
  const content = files[path]
  if (content === undefined)
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' })
  return content
}

const kafkaBlock = (extra: Record<string, unknown> = {}) =>
  resolveKafkaSinkConfig({ kafka: { bootstrap_servers: 'b1:9092, b2:9093', client_id: 'ff', ...extra } }).kafka

describe('kafkajsClientConfig', () => {
  it('maps brokers, client id, timeouts and a short kafkajs retry', async () => {
    const { kafkajs } = await kafkajsClientConfig(
      kafkaBlock({ request_timeout_ms: 4000, connection_timeout_ms: 1500 }),
      {
        clientIdSuffix: '-admin',
      },
    )
    expect(kafkajs).toMatchObject({
      brokers: ['b1:9092', 'b2:9093'],
      clientId: 'ff-admin',
      requestTimeout: 4000,
      connectionTimeout: 1500,
      enforceRequestTimeout: true,
      retry: KAFKAJS_RETRY,
      logLevel: logLevel.WARN,
    })
    expect(kafkajs.ssl).toBeUndefined()
    expect(kafkajs.sasl).toBeUndefined()
  })

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('passes SASL %s through', async (mechanism) => {
    const { kafkajs } = await kafkajsClientConfig(
      kafkaBlock({ sasl: { mechanism, username: 'ingest', password: PASSWORD } }),
    )
    expect(kafkajs.sasl).toEqual({ mechanism, username: 'ingest', password: PASSWORD })
  })

  it('maps ssl: true as is, and an object to PEM contents read at start', async () => {
    expect((await kafkajsClientConfig(kafkaBlock({ ssl: true }))).kafkajs.ssl).toBe(true)
    const { kafkajs } = await kafkajsClientConfig(
      kafkaBlock({
        ssl: {
          ca: '/etc/kafka/ca.pem',
          cert: '/etc/kafka/client.pem',
          key: '/etc/kafka/client.key',
          reject_unauthorized: false,
        },
      }),
      { readFile },
    )
    expect(kafkajs.ssl).toEqual({ ca: ['CA-PEM'], cert: 'CERT-PEM', key: KEY_PEM, rejectUnauthorized: false })
  })

  it('fails with ERR_CONFIG_NOT_FOUND naming the key and path when a TLS file is missing', async () => {
    await expect(kafkajsClientConfig(kafkaBlock({ ssl: { ca: '/nope/ca.pem' } }), { readFile })).rejects.toMatchObject({
      code: 'ERR_CONFIG_NOT_FOUND',
      message: expect.stringMatching(/kafka\.ssl\.ca: cannot read \/nope\/ca\.pem/),
    })
  })
})

describe('secrets', () => {
  it('never reach a log line: kafkajs lines are redacted, the config summary omits them', async () => {
    const { ctx, logs } = createFakeContext()
    const config = kafkaBlock({
      sasl: { mechanism: 'scram-sha-512', username: 'ingest', password: PASSWORD },
      ssl: { key: '/etc/kafka/client.key' },
    })
    const { kafkajs } = await kafkajsClientConfig(config, { logger: ctx.logger, readFile })
    const log = kafkajs.logCreator!(logLevel.WARN)
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        message: `SASL SCRAM-SHA-512 authentication failed for password ${PASSWORD}`,
        timestamp: 'now',
        sasl: { password: PASSWORD },
        pem: KEY_PEM,
      },
    })
    ctx.logger.info({ kafka: describeKafkaConfig(config) }, 'starting')
    const text = JSON.stringify(logs)
    expect(logs.length).toBe(2)
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain('MIIEsecretkeymaterial')
    expect(text).toContain('[redacted]')
    expect(logs[0]!.level).toBe(40)
  })

  it('throttles a line kafkajs repeats during an outage and sends the expected idempotence notice to debug', () => {
    const { ctx, logs } = createFakeContext()
    let t = 0
    const log = kafkajsLogCreator(ctx.logger, createRedactor([]), () => t)(logLevel.WARN)
    const entry = (message: string) => ({
      namespace: 'Producer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { message, timestamp: '' },
    })
    log(entry('Connection error: connect ECONNREFUSED'))
    t = 5000
    log(entry('Connection error: connect ECONNREFUSED'))
    t = 11_000
    log(entry('Connection error: connect ECONNREFUSED'))
    log({
      ...entry('Limiting retries for the idempotent producer may invalidate EoS guarantees'),
      level: logLevel.WARN,
    })
    expect(logs.filter((l) => l.level === 40)).toHaveLength(2)
    expect(logs[1]!.fields.repeated).toBe(1)
    expect(logs[2]!.level).toBe(20)
  })
})

describe('the config summary through the runtime logger', () => {
  const logged = (extra: Record<string, unknown>) => {
    const lines: string[] = []
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } })
    logger.info({ kafka: describeKafkaConfig(kafkaBlock(extra)) }, 'kafka sink starting')
    return JSON.parse(lines[0]!) as { kafka: Record<string, unknown> }
  }

  it('says no authentication when no SASL is configured (no censored "***" that reads as set)', () => {
    const line = logged({})
    expect(line.kafka.authentication).toBe('none')
    expect(JSON.stringify(line)).not.toContain('***')
  })

  it('names the SASL mechanism and user, never the password', () => {
    const line = logged({ sasl: { mechanism: 'scram-sha-512', username: 'ingest', password: PASSWORD } })
    expect(line.kafka.authentication).toBe('sasl scram-sha-512 as ingest')
    expect(JSON.stringify(line)).not.toContain(PASSWORD)
  })
})
