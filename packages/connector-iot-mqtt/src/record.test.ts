import { describe, expect, it } from 'vitest'
import { alteredHeader, toRecord } from './record'

const packet = { topic: 't', qos: 1, retain: false }

describe('firefront.altered', () => {
  it('is absent when no field was of the wrong type', () => {
    expect(alteredHeader(undefined)).toBeUndefined()
    expect(alteredHeader([])).toBeUndefined()
    const record = toRecord({ deviceId: 'a', kind: 'sensor', value: { deviceId: 'a' } }, packet, 0, 'k')
    expect(record.headers).not.toHaveProperty('firefront.altered')
  })

  it('names each field once, array indices folded, in the order found', () => {
    expect(
      alteredHeader([
        { field: 'uplink_message.rx_metadata[0].rssi', problem: 'p', value: 'strong' },
        { field: 'uplink_message.rx_metadata[2].rssi', problem: 'p', value: 'weak' },
        { field: 'uplink_message.f_port', problem: 'p', value: -1 },
      ]),
    ).toBe('type:uplink_message.rx_metadata[].rssi,type:uplink_message.f_port')
  })

  it('percent-encodes a comma or percent sign in a field name so the list stays readable', () => {
    expect(
      alteredHeader([
        { field: 'a,b', problem: 'p', value: true },
        { field: 'humidity%', problem: 'p', value: true },
      ]),
    ).toBe('type:a%2Cb,type:humidity%25')
  })

  it('is set on the record with the MQTT headers', () => {
    const invalidFields = [{ field: 'siteId', problem: 'a number, expected a string', value: 5 }]
    const record = toRecord(
      { deviceId: 'a', kind: 'sensor', invalidFields, value: { deviceId: 'a', siteId: null } },
      packet,
      0,
      'k',
    )
    expect(record.headers).toEqual({
      'mqtt-topic': 't',
      'mqtt-qos': '1',
      'mqtt-retain': 'false',
      'event-time-source': 'arrival',
      'mqtt-kind': 'sensor',
      'firefront.altered': 'type:siteId',
    })
  })
})
