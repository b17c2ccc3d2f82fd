import { type ClientSettings, resolveClientSettings } from '@firefront/core'
import { describe, expect, it } from 'vitest'
import { resolveKafkaSinkConfig } from '../../core/src/kafka/config'
import { createRedactor } from '../../core/src/kafka/redact'
import { consumerConfig, metadataConfig, producerConfig, securityConfig } from '../src/client-config'

const PASSWORD = 's3cr3t-Pa55word'
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n'

const settings = (extra: Partial<ClientSettings> = {}): ClientSettings => ({
  brokers: ['b1:9092', 'b2:9093'],
  clientId: 'ff-lag',
  connectionTimeoutMs: 1500,
  requestTimeoutMs: 4000,
  compression: 'none',
  idempotent: true,
  retries: 1,
  autoCreateTopics: true,
  partitions: 3,
  replicationFactor: 1,
  redactor: createRedactor([]),
  ...extra,
})

describe('librdkafka configuration', () => {
  it('maps brokers, client id and timeouts; plaintext without TLS or SASL', () => {
    const c = metadataConfig(settings())
    expect(c).toMatchObject({
      'metadata.broker.list': 'b1:9092,b2:9093',
      'client.id': 'ff-lag',
      'socket.connection.setup.timeout.ms': 1500,
      'security.protocol': 'plaintext',
    })
    expect(Object.keys(c).filter((k) => k.startsWith('sasl.') || k.startsWith('ssl.'))).toEqual([])
  })

  it('makes an idempotent producer, acks all, murmur2 partitioning, message timeout = request timeout', () => {
    const c = producerConfig(settings({ compression: 'gzip' }))
    expect(c.global).toMatchObject({
      'enable.idempotence': true,
      'max.in.flight.requests.per.connection': 5,
      'allow.auto.create.topics': true,
      dr_cb: true,
    })
    // topic-level properties go in the topic configuration, where node-rdkafka keeps them
    expect(c.topic).toEqual({
      'request.required.acks': -1,
      partitioner: 'murmur2_random',
      'message.timeout.ms': 4000,
      'request.timeout.ms': 4000,
      'compression.codec': 'gzip',
    })
    const plain = producerConfig(settings({ idempotent: false, autoCreateTopics: false }))
    expect(plain.global).toMatchObject({
      'enable.idempotence': false,
      'max.in.flight.requests.per.connection': 1,
      'allow.auto.create.topics': false,
    })
    expect(plain.topic['compression.codec']).toBe('none')
  })

  it('lets librdkafka accept every record kafka.max_message_bytes lets through', () => {
    expect(producerConfig(settings()).global['message.max.bytes']).toBe(1_000_000)
    expect(producerConfig(settings(), { maxMessageBytes: 4_000_000 }).global['message.max.bytes']).toBeGreaterThan(
      4_000_000,
    )
  })

  it.each([
    ['plain', 'PLAIN'],
    ['scram-sha-256', 'SCRAM-SHA-256'],
    ['scram-sha-512', 'SCRAM-SHA-512'],
  ] as const)('maps SASL %s', (mechanism, librdkafka) => {
    expect(securityConfig({ sasl: { mechanism, username: 'ingest', password: PASSWORD } })).toEqual({
      'security.protocol': 'sasl_plaintext',
      'sasl.mechanisms': librdkafka,
      'sasl.username': 'ingest',
      'sasl.password': PASSWORD,
    })
  })

  it('maps TLS with PEM contents, and TLS with SASL', () => {
    expect(securityConfig({ tls: { ca: 'CA-PEM', cert: 'CERT-PEM', key: KEY_PEM, rejectUnauthorized: true } })).toEqual(
      {
        'security.protocol': 'ssl',
        'ssl.ca.pem': 'CA-PEM',
        'ssl.certificate.pem': 'CERT-PEM',
        'ssl.key.pem': KEY_PEM,
        'enable.ssl.certificate.verification': true,
        'ssl.endpoint.identification.algorithm': 'https',
      },
    )
    expect(
      securityConfig({
        tls: { rejectUnauthorized: false },
        sasl: { mechanism: 'scram-sha-512', username: 'u', password: PASSWORD },
      }),
    ).toEqual({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'u',
      'sasl.password': PASSWORD,
      'enable.ssl.certificate.verification': false,
      'ssl.endpoint.identification.algorithm': 'none',
    })
  })

  it('gives every client the same security settings', () => {
    const s = settings({
      sasl: { mechanism: 'plain', username: 'u', password: PASSWORD },
      tls: { rejectUnauthorized: true },
    })
    for (const c of [producerConfig(s).global, metadataConfig(s), consumerConfig(s, 'g').global]) {
      expect(c).toMatchObject({ 'security.protocol': 'sasl_ssl', 'sasl.password': PASSWORD })
    }
  })

  it('makes consumers that commit nothing and create no topic', () => {
    const c = consumerConfig(settings(), 'fires-consumers')
    expect(c.global).toMatchObject({
      'group.id': 'fires-consumers',
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'allow.auto.create.topics': false,
    })
    expect(c.topic).toEqual({ 'auto.offset.reset': 'earliest' })
  })
})

describe('from the config file', () => {
  const files: Record<string, string> = { '/etc/kafka/ca.pem': 'CA-PEM', '/etc/kafka/client.key': KEY_PEM }
  const readFile = async (path: string): Promise<string> => {
    const content = files[path]
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
    return content
  }

  it('reads the TLS files and maps the kafka block, secrets known to the redactor', async () => {
    const { kafka } = resolveKafkaSinkConfig({
      kafka: {
        bootstrap_servers: 'k1:9093',
        client_id: 'ff',
        request_timeout_ms: 2500,
        ssl: { ca: '/etc/kafka/ca.pem', key: '/etc/kafka/client.key', reject_unauthorized: false },
        sasl: { mechanism: 'scram-sha-256', username: 'ingest', password: PASSWORD },
      },
    })
    const s = await resolveClientSettings({ kafka, clientIdSuffix: '-cursors' }, readFile)
    const c = producerConfig(s)
    expect(c.topic['message.timeout.ms']).toBe(2500)
    expect(c.global).toMatchObject({
      'metadata.broker.list': 'k1:9093',
      'client.id': 'ff-cursors',
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'ssl.ca.pem': 'CA-PEM',
      'ssl.key.pem': KEY_PEM,
      'enable.ssl.certificate.verification': false,
    })
    expect(s.redactor.text(`bad ${PASSWORD} and ${KEY_PEM}`)).toBe('bad [redacted] and [redacted]')
  })
})
