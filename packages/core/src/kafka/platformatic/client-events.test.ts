import { EventEmitter } from 'node:events'
import { createFakeContext } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import { createRedactor } from '../redact'
import { logClientEvents } from './client-events'

describe('logClientEvents', () => {
  it('writes failed and closed broker connections at debug level, redacted', () => {
    const { ctx, logs } = createFakeContext()
    const client = new EventEmitter()
    logClientEvents(client, 'producer', ctx.logger, createRedactor(['hunter2-secret']))
    client.emit('client:broker:failed', {
      broker: { host: 'hunter2-secret.example', port: 9093 },
      connection: { sasl: { password: 'hunter2-secret' } },
    })
    client.emit('client:broker:disconnect', { broker: { host: 'b1', port: 9092 } })
    client.emit('client:broker:connect', { broker: { host: 'b1', port: 9092 } })
    expect(logs.map((l) => [l.level, l.msg, l.fields.broker])).toEqual([
      [20, 'platformatic producer: connection to broker failed', '[redacted].example:9093'],
      [20, 'platformatic producer: broker connection closed', 'b1:9092'],
    ])
    expect(JSON.stringify(logs)).not.toContain('hunter2-secret')
  })

  it('does nothing without a logger', () => {
    const client = new EventEmitter()
    logClientEvents(client, 'admin', undefined, createRedactor([]))
    expect(client.listenerCount('client:broker:failed')).toBe(0)
  })
})
