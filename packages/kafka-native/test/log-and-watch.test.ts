import { EventEmitter } from 'node:events'
import { createFakeContext } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import { createRedactor } from '../../core/src/kafka/redact'
import { BrokerWatch } from '../src/broker-watch'
import { classifyNativeFailure } from '../src/failure'
import { createLogForwarder } from '../src/log-forwarder'
import type { RdError, RdLogEvent } from '../src/rdkafka-api'

const PASSWORD = 'Tr0ub4dor-and-3-more'

const line = (message: string, severity = 3, fac = 'FAIL'): RdLogEvent => ({ severity, fac, message })
/** An error event as node-rdkafka emits it: text only, number lost. */
const event = (description: string): RdError => {
  const [origin, rest] = description.split(': ')
  return Object.assign(new Error(rest!.toLowerCase()), { code: -1, origin: origin!.toLowerCase() })
}

/** A client that emits what a test tells it to and counts polls. */
class FakeClient extends EventEmitter {
  polls = 0
  poll(): void {
    this.polls++
  }
  isConnected(): boolean {
    return true
  }
}

describe('librdkafka log lines', () => {
  it('reach the logger at warn, redacted, without the thread prefix; info lines at debug', () => {
    const { ctx, logs } = createFakeContext()
    const forward = createLogForwarder(ctx.logger, createRedactor([PASSWORD]))
    forward('producer', line(`[thrd:sasl_plaintext://k:9092/bootstrap]: SASL login as ingest:${PASSWORD} failed`))
    forward('producer', line('[thrd:main]: Group coordinator changed', 6, 'CGRPCOORD'))
    expect(logs).toHaveLength(2)
    expect(logs[0]).toMatchObject({ level: 40, msg: 'librdkafka: SASL login as ingest:[redacted] failed' })
    expect(logs[0]!.fields).toMatchObject({ librdkafka: 'FAIL', client: 'producer' })
    expect(logs[1]!.level).toBe(20)
    expect(JSON.stringify(logs)).not.toContain(PASSWORD)
  })

  it('count a line repeated within 10 s instead of writing it again, whatever its timings', () => {
    const { ctx, logs } = createFakeContext()
    let t = 0
    const forward = createLogForwarder(ctx.logger, createRedactor([]), () => t)
    const refused = (after: number, suppressed?: number) =>
      line(
        `[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after ${after}ms in state CONNECT${suppressed ? `, ${suppressed} identical error(s) suppressed` : ''})`,
      )
    forward('producer', refused(0))
    t = 4000
    forward('producer', refused(1, 3))
    t = 9000
    forward('producer', refused(2, 7))
    t = 11_000
    forward('producer', refused(0))
    expect(logs.filter((l) => l.level === 40)).toHaveLength(2)
    expect(logs[1]!.fields.repeated).toBe(2)
  })

  it('write the expected coordinator-loading notice of a fresh broker at debug', () => {
    const { ctx, logs } = createFakeContext()
    createLogForwarder(ctx.logger, createRedactor([]))(
      'producer',
      line(
        'Failed to acquire idempotence PID from broker 127.0.0.1:9092/1: Broker: Coordinator load in progress: retrying',
        4,
        'GETPID',
      ),
    )
    expect(logs[0]!.level).toBe(20)
  })
})

describe('BrokerWatch', () => {
  const watchOf = (client: FakeClient) => {
    const w = new BrokerWatch({
      role: 'producer',
      forward: () => {},
      redact: (t) => t.replace(PASSWORD, '[redacted]'),
      pollMs: 5,
    })
    w.attach(client)
    return w
  }

  it('fails a request as soon as every broker is down, with what librdkafka logged about the broker', async () => {
    const client = new FakeClient()
    const watch = watchOf(client)
    const never = watch.guard('a metadata request', 60_000, () => new Promise<void>(() => {}))
    client.emit(
      'event.log',
      line(
        '[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused',
      ),
    )
    client.emit('event.error', event('Local: Broker transport failure'))
    client.emit('event.error', event('Local: All broker connections are down'))
    await expect(never).rejects.toMatchObject({
      code: '_ALL_BROKERS_DOWN',
      message:
        'Local: All broker connections are down: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused',
    })
    expect(watch.down).toBe(true)
    await watch.guard('a metadata request', 1000, async () => 'ok')
    expect(watch.down).toBe(false)
  })

  it('polls the client only while a request waits', async () => {
    const client = new FakeClient()
    const watch = watchOf(client)
    await watch.guard('x', 1000, () => new Promise((r) => setTimeout(r, 60)))
    const polled = client.polls
    expect(polled).toBeGreaterThan(2)
    await new Promise((r) => setTimeout(r, 40))
    expect(client.polls).toBe(polled)
  })

  it('times out with the broker detail', async () => {
    const client = new FakeClient()
    const watch = watchOf(client)
    client.emit('event.log', line('k:9092/bootstrap: Connect to ipv4#10.0.0.9:9092 failed: Connection timed out'))
    await expect(watch.guard('creating topic t', 30, () => new Promise(() => {}))).rejects.toMatchObject({
      code: '_TIMED_OUT',
      message:
        'creating topic t timed out after 30 ms (k:9092/bootstrap: Connect to ipv4#10.0.0.9:9092 failed: Connection timed out)',
    })
  })

  it('names the broker’s reason for a refused SASL handshake, redacted, so it is refused rather than retried', async () => {
    const client = new FakeClient()
    const watch = watchOf(client)
    const pending = watch.guard('connecting', 60_000, () => new Promise(() => {}))
    client.emit(
      'event.log',
      line(
        `sasl_plaintext://127.0.0.1:9092/bootstrap: SASL SCRAM-SHA-256 mechanism handshake failed: Broker: Request not valid in current SASL state (password ${PASSWORD})`,
      ),
    )
    client.emit('event.error', event('Local: Authentication failure'))
    const err = await pending.catch((e: unknown) => e)
    expect(classifyNativeFailure(err)).toMatchObject({ kind: 'refused', code: 'ILLEGAL_SASL_STATE' })
    expect(String((err as Error).message)).not.toContain(PASSWORD)
  })

  it('learns why librdkafka gave the client up, from the error event or the log line, and names later failures after it', async () => {
    const client = new FakeClient()
    const watch = watchOf(client)
    const purged = Object.assign(new Error('purged in queue'), { code: -1, origin: 'local' })
    expect(watch.error(purged)).toMatchObject({ code: '_PURGE_QUEUE' })
    const known = watch.fatalKnown(10_000)
    client.emit(
      'event.log',
      line(
        'Fatal error: Local: This instance has been fenced by a newer instance: Failed to add partitions to transaction: Local: This instance has been fenced by a newer instance',
        0,
        'FATAL',
      ),
    )
    expect((await known)?.name).toBe('_FENCED')
    expect(watch.error(purged)).toMatchObject({ code: '_FENCED', fatal: true })
    expect(classifyNativeFailure(watch.error(purged)).kind).toBe('fenced')
    // an error event says the same
    const other = watchOf(new FakeClient())
    const c2 = new FakeClient()
    other.attach(c2)
    c2.emit('event.error', Object.assign(event('Local: Fatal error'), { isFatal: true }))
    expect(other.fatal?.name).toBe('_FATAL')
    expect(classifyNativeFailure(other.error(purged)).kind).toBe('producer-state')
  })

  it('fails what waits when the client is closed', async () => {
    const client = new FakeClient()
    const watch = watchOf(client)
    const pending = watch.guard('x', 60_000, () => new Promise(() => {}))
    watch.close()
    await expect(pending).rejects.toMatchObject({ code: '_DESTROY' })
  })
})
