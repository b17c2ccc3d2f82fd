import { describe, expect, it } from 'vitest'
import { parseTopicTemplate } from '../topic-template'
import { normaliseTasmota, tasmotaKind } from './index'
import type { NormaliseOptions } from './types'

const msg = (topic: string, payload: string) => ({ topic, payload: Buffer.from(payload) })
const BERLIN: NormaliseOptions = { timezone: 'Europe/Berlin' }
const read = (topic: string, payload: string, options: NormaliseOptions = BERLIN) => {
  const r = normaliseTasmota(msg(topic, payload), options)
  if (!r.ok) throw new Error(r.reason)
  return r.data
}

// Payloads in the shapes Tasmota publishes (tasmota.github.io/docs MQTT and Commands pages; sources).
const SNS =
  '{"Time":"2023-05-21T01:06:38","BME280":{"Temperature":20.5,"Humidity":53.1,"Pressure":977.0},"PressureUnit":"hPa","TempUnit":"C"}'

describe('tasmota: message kinds from the topic', () => {
  it.each([
    ['tele', 'SENSOR', 'sensor'],
    ['tele', 'STATE', 'state'],
    ['stat', 'POWER1', 'state'],
    ['tele', 'INFO1', 'info'],
    ['tele', 'INFO3', 'info'],
    ['stat', 'RESULT', 'result'],
    ['stat', 'STATUS', 'status'],
    ['stat', 'STATUS8', 'status'],
    ['tele', 'LWT', 'lwt'],
    ['cmnd', 'POWER', 'command'],
    ['tele', 'MARGINS', 'other'],
    ['tele', 'ENERGY', 'sensor'],
  ])('%s/…/%s is %s', (prefix, level, kind) => {
    expect(tasmotaKind(level, prefix)).toBe(kind)
  })

  it('LWT Online/Offline (plain text) is a device-status record with no time of its own', () => {
    for (const [text, status] of [
      ['Online', 'online'],
      ['Offline', 'offline'],
    ]) {
      const d = read('tele/garden/LWT', text as string)
      expect(d).toMatchObject({ deviceId: 'garden', kind: 'lwt' })
      expect(d.ts).toBeUndefined()
      expect(d.value).toMatchObject({ kind: 'lwt', status, payload: text, timeSource: 'arrival', ts: null })
    }
  })

  it('stat/…/POWER plain text is a state record', () => {
    expect(read('stat/garden/POWER', 'ON').value).toMatchObject({ kind: 'state', status: 'on', payload: 'ON' })
  })

  it('plain text on a JSON topic is still rejected, naming the topic level', () => {
    const r = normaliseTasmota(msg('tele/garden/SENSOR', 'Online'), BERLIN)
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^SENSOR: invalid JSON/) })
  })
})

describe('tasmota: time', () => {
  it('reads StatusSNS.Time of a STATUS8/STATUS10 answer, its readings named as in SENSOR', () => {
    for (const level of ['STATUS8', 'STATUS10']) {
      const d = read(`stat/garden/${level}`, `{"StatusSNS":${SNS}}`)
      expect(d.kind).toBe('status')
      expect(d.ts).toBe('2023-05-20T23:06:38.000Z')
      expect(d.value).toMatchObject({ timeKey: 'StatusSNS.Time', timeSource: 'payload' })
      expect(d.value.readings).toEqual({
        BME280_Temperature: 20.5,
        BME280_Humidity: 53.1,
        BME280_Pressure: 977,
        PressureUnit: 'hPa',
        TempUnit: 'C',
      })
    }
  })

  it('reads StatusSTS.Time of a STATUS11 answer', () => {
    const d = read(
      'stat/garden/STATUS11',
      '{"StatusSTS":{"Time":"2023-05-21T01:06:38","Uptime":"0T00:10:00","POWER":"ON"}}',
    )
    expect(d.ts).toBe('2023-05-20T23:06:38.000Z')
    expect(d.value.readings).toEqual({ StatusSTS_Uptime: '0T00:10:00', StatusSTS_POWER: 'ON' })
  })

  it('reads a German v5 build: Zeit in YYYY.MM.DD HH:MM:SS and localised reading names, originals kept', () => {
    const d = read(
      'tele/keller/SENSOR',
      '{"Zeit":"2017.11.04 10:05:12","AM2301":{"Temperatur":21.3,"Feuchtigkeit":45.2},"BMP280":{"Temperatur":21.1,"Druck":1012.3},"TempUnit":"C"}',
    )
    expect(d.ts).toBe('2017-11-04T09:05:12.000Z')
    expect(d.value).toMatchObject({
      localTime: '2017.11.04 10:05:12',
      timeKey: 'Zeit',
      readings: { AM2301_Temperature: 21.3, AM2301_Humidity: 45.2, BMP280_Temperature: 21.1, BMP280_Pressure: 1012.3 },
      units: { AM2301_Temperature: '°C', AM2301_Humidity: '%', BMP280_Pressure: 'hPa' },
      originalNames: {
        AM2301_Temperature: 'AM2301_Temperatur',
        AM2301_Humidity: 'AM2301_Feuchtigkeit',
        BMP280_Temperature: 'BMP280_Temperatur',
        BMP280_Pressure: 'BMP280_Druck',
      },
    })
  })

  it('reads Dutch (Tijd, Temperatuur, TempEenheid) and Polish (Czas, Temperatura) v5 builds', () => {
    const nl = read(
      'tele/schuur/SENSOR',
      '{"Tijd":"2017-11-04T10:05:12","DHT11":{"Temperatuur":19.0,"Luchtvochtigheid":60.0},"TempEenheid":"C"}',
    )
    expect(nl.value.readings).toEqual({ DHT11_Temperature: 19, DHT11_Humidity: 60, TempUnit: 'C' })
    expect(nl.value.units).toEqual({ DHT11_Temperature: '°C', DHT11_Humidity: '%' })
    const pl = read('tele/garaz/SENSOR', '{"Czas":"2017-11-04T10:05:12","DS18B20":{"Temperatura":5.5},"JednTemp":"C"}')
    expect(pl.ts).toBe('2017-11-04T09:05:12.000Z')
    expect(pl.value.readings).toEqual({ DS18B20_Temperature: 5.5, TempUnit: 'C' })
  })

  it('reads local time in the configured device time zone', () => {
    expect(read('tele/x/SENSOR', SNS, { timezone: 'America/Los_Angeles' }).ts).toBe('2023-05-21T08:06:38.000Z')
  })

  it('reads a device listed in deviceTimezones in its own zone', () => {
    const options = { timezone: 'Europe/Berlin', deviceTimezones: { 'cabin-ca': 'America/Los_Angeles' } }
    expect(read('tele/cabin-ca/SENSOR', SNS, options).ts).toBe('2023-05-21T08:06:38.000Z')
    expect(read('tele/cabin-ca/SENSOR', SNS, options).value.timezone).toBe('America/Los_Angeles')
    expect(read('tele/garden/SENSOR', SNS, options).ts).toBe('2023-05-20T23:06:38.000Z')
  })

  it('without a time of its own (INFO1), the record says arrival', () => {
    const d = read(
      'tele/x/INFO1',
      '{"Info1":{"Module":"Generic","Version":"12.1.1(tasmota)","FallbackTopic":"cmnd/DVES_4B7A3C_fb/","GroupTopic":"cmnd/tasmotas/"}}',
    )
    expect(d.kind).toBe('info')
    expect(d.ts).toBeUndefined()
    expect(d.value).toMatchObject({ timeSource: 'arrival', readings: { Info1_Module: 'Generic' } })
  })
})

describe('tasmota: units', () => {
  const F =
    '{"Time":"2023-05-21T01:06:38","SI7021":{"Temperature":68.9,"Humidity":40.0,"DewPoint":43.9},"SDS0X1":{"PM2.5":11.8},"MHZ19B":{"CarbonDioxide":612},"TempUnit":"F"}'

  it('gives each numeric reading its unit: TempUnit, and the sensor units (%, µg/m³, ppm)', () => {
    expect(read('tele/x/SENSOR', F).value.units).toEqual({
      SI7021_Temperature: '°F',
      SI7021_Humidity: '%',
      SI7021_DewPoint: '°F',
      SDS0X1_PM2_5: 'µg/m³',
      MHZ19B_CarbonDioxide: 'ppm',
    })
  })

  it('normalises °F to °C and mmHg to hPa on request, keeping the originals', () => {
    const d = read('tele/x/SENSOR', F, { timezone: 'UTC', normaliseUnits: true })
    expect(d.value.readings).toMatchObject({ SI7021_Temperature: 20.5, SI7021_DewPoint: 6.611111, SI7021_Humidity: 40 })
    expect(d.value.units).toMatchObject({ SI7021_Temperature: '°C', SI7021_DewPoint: '°C', SI7021_Humidity: '%' })
    expect(d.value.originalReadings).toEqual({
      SI7021_Temperature: { value: 68.9, unit: '°F' },
      SI7021_DewPoint: { value: 43.9, unit: '°F' },
    })
    const mm = read('tele/x/SENSOR', '{"Time":"2023-05-21T01:06:38","BMP180":{"Pressure":760},"PressureUnit":"mmHg"}', {
      timezone: 'UTC',
      normaliseUnits: true,
    })
    expect(mm.value.readings).toMatchObject({ BMP180_Pressure: 1013.25 })
    expect(mm.value.units).toEqual({ BMP180_Pressure: 'hPa' })
  })

  it("reads STATE's Wifi RSSI as Tasmota's signal quality (%) and Signal as dBm", () => {
    const d = read(
      'tele/x/STATE',
      '{"Time":"2023-05-21T01:06:38","Uptime":"0T00:10:00","UptimeSec":600,"POWER":"OFF","Wifi":{"AP":1,"SSId":"iot","Channel":1,"RSSI":100,"Signal":-38,"LinkCount":1}}',
    )
    expect(d.kind).toBe('state')
    expect(d.value.units).toEqual({ Wifi_RSSI: '%', Wifi_Signal: 'dBm' })
  })
})

describe('tasmota: device id from the topic template', () => {
  it('defaults to FullTopic %prefix%/%topic%/: the device is what lies between prefix and kind', () => {
    expect(read('tele/garden/SENSOR', SNS).deviceId).toBe('garden')
    expect(read('tele/sonoff/13DC54/SENSOR', SNS).deviceId).toBe('sonoff/13DC54')
  })

  it('takes a custom FullTopic (home/%prefix%/%topic%/) so the id is not home/tele/x', () => {
    const topicTemplate = parseTopicTemplate('home/%prefix%/%topic%/')
    expect(read('home/tele/x/SENSOR', SNS, { timezone: 'UTC', topicTemplate }).deviceId).toBe('x')
  })

  it('takes {prefix}/{device}/{kind} with a leading + level and custom prefixes', () => {
    const topicTemplate = parseTopicTemplate('+/{prefix}/{device}/{kind}', ['tele', 'stat', 'telemetry'])
    const d = read('site-a/telemetry/pump-3/SENSOR', SNS, { timezone: 'UTC', topicTemplate })
    expect(d).toMatchObject({ deviceId: 'pump-3', kind: 'sensor' })
    expect(topicTemplate.match('site-a/tele')).toMatch(/fewer levels/)
  })

  it('refuses templates it cannot use', () => {
    expect(() => parseTopicTemplate('tele/{kind}')).toThrow(/exactly one \{device\}/)
    expect(() => parseTopicTemplate('{prefix}/{site}/{device}')).toThrow(/unknown placeholder in level "\{site\}"/)
  })
})
