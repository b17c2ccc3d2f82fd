import { describe, expect, it } from 'vitest'
import { FIRE_WEATHER_LAYERS, parseAlerts, parseGridpoint, parseObservations } from '../src/index'
import { fixture, substituteTimes } from './nws-server'

const NOW = Date.parse('2026-07-15T20:00:00Z')
const features = (name: string, now?: number): unknown[] => {
  const text = fixture(name)
  return (JSON.parse(now === undefined ? text : substituteTimes(text, now)) as { features: unknown[] }).features
}
const FIRE = new Set(['Red Flag Warning', 'Fire Weather Watch'])

describe('alerts fixtures', () => {
  it('reads the zone alert exactly', () => {
    const { alerts, rejected } = parseAlerts(features('nws_alerts_active_zone.json'), 'zone')
    expect(rejected).toEqual([])
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      kind: 'alert',
      id: 'NWS-IDP-PROD-3965873-3369046',
      sent: '2019-12-20T21:34:00.000Z',
      effective: '2019-12-20T21:34:00.000Z',
      geometry: null,
      nwsHeadline: 'FLOOD WATCH REMAINS IN EFFECT THROUGH SUNDAY MORNING',
      ugc: [
        'ORZ001',
        'ORZ006',
        'WAZ039',
        'WAZ022',
        'ORZ005',
        'ORZ004',
        'WAZ020',
        'WAZ021',
        'ORZ002',
        'ORZ003',
        'WAZ040',
      ],
      vtec: [
        {
          raw: '/O.CON.KPQR.FA.A.0004.000000T0000Z-191222T1800Z/',
          productClass: 'O',
          action: 'CON',
          office: 'KPQR',
          phenomena: 'FA',
          significance: 'A',
          eventNumber: 4,
          begins: null,
          ends: '2019-12-22T18:00:00.000Z',
        },
      ],
    })
    expect(alerts[0]!.same).toHaveLength(16)
  })

  it('reads the 2019 national capture: 284 alerts, 4 Fire Weather Watches', () => {
    const { alerts, rejected } = parseAlerts(
      features('nws_alerts_active_national_2019-09-03_fire_weather_watch.json'),
      'n',
    )
    expect(rejected).toEqual([])
    expect(alerts).toHaveLength(284)
    const watches = alerts.filter((a) => a.event === 'Fire Weather Watch')
    expect(watches).toHaveLength(4)
    expect(watches[0]).toMatchObject({
      id: 'NWS-IDP-PROD-3798295-3252151',
      severity: 'Severe',
      urgency: 'Future',
      certainty: 'Possible',
      status: 'Actual',
      messageType: 'Alert',
      sent: '2019-09-03T09:12:00.000Z',
      expires: '2019-09-03T22:00:00.000Z',
      ends: '2019-09-05T01:00:00.000Z',
      ugc: ['WYZ289', 'WYZ279'],
      affectedZones: ['https://api.weather.gov/zones/fire/WYZ289', 'https://api.weather.gov/zones/fire/WYZ279'],
      vtec: [
        expect.objectContaining({
          phenomena: 'FW',
          significance: 'A',
          office: 'KRIW',
          begins: '2019-09-04T18:00:00.000Z',
        }),
      ],
    })
    for (const a of alerts) expect(Date.parse(a.sent)).not.toBeNaN()
  })

  it.each([
    ['nws_alerts_active_national_weathergov_airquality_bundle_templated.json', 396, 393, 13],
    ['nws_alerts_active_national_weathergov_guam7day_bundle_templated.json', 246, 246, 40],
  ])('reads %s with real times substituted', (name, total, distinct, fire) => {
    const all = features(name, NOW)
    expect(all).toHaveLength(total)
    const { alerts, rejected } = parseAlerts(all, name)
    expect(rejected).toEqual([])
    expect(alerts).toHaveLength(distinct)
    expect(alerts.filter((a) => FIRE.has(a.event))).toHaveLength(fire)
    for (const a of alerts.filter((x) => FIRE.has(x.event))) {
      expect(a.vtec[0]).toMatchObject({ phenomena: 'FW', significance: a.event === 'Red Flag Warning' ? 'W' : 'A' })
      expect(Date.parse(a.sent)).toBeLessThanOrEqual(NOW)
    }
  })

  it('reads a Red Flag Warning update with its references', () => {
    const name = 'nws_alerts_active_national_weathergov_airquality_bundle_templated.json'
    const { alerts } = parseAlerts(features(name, NOW), name)
    const rfw = alerts.find((a) => a.id === 'urn:oid:2.49.0.1.840.0.0e228c1b58e089ff82b34c7072807d2af642c694.001.1')
    expect(rfw).toMatchObject({
      event: 'Red Flag Warning',
      messageType: 'Update',
      sent: new Date(Math.floor(NOW / 1000) * 1000 - 1244_000).toISOString(),
      expires: new Date(Math.floor(NOW / 1000) * 1000 + 21555_000).toISOString(),
      vtec: [expect.objectContaining({ action: 'CON', office: 'KCYS', ends: '2026-07-16T02:00:00.000Z' })],
    })
    expect(rfw!.references).toHaveLength(2)
    expect(rfw!.ugc.slice(0, 2)).toEqual(['NEZ434', 'NEZ435'])
  })

  it('reads what forecasters read first: detections, threats, maximum gust and hail, event motion', () => {
    const name = 'nws_alerts_active_national_weathergov_airquality_bundle_templated.json'
    const { alerts } = parseAlerts(features(name, NOW), name)
    const sps = alerts.find((a) => a.id === 'urn:oid:2.49.0.1.840.0.dadc69006d37dc64205e73e862928719acb65437.001.1')
    expect(sps).toMatchObject({
      event: 'Special Weather Statement',
      maxWindGust: '40 MPH',
      maxHailSizeIn: 0.25,
      eventMotion: {
        time: '2026-07-15T20:00:00.000Z',
        description: 'storm',
        directionDeg: 236,
        speedKt: 10,
        locations: [[41.9, -115.18]],
      },
      senderName: 'NWS Elko NV',
      sender: 'w-nws.webmaster@noaa.gov',
      parameters: { AWIPSidentifier: ['SPSLKN'], WMOidentifier: ['WWUS85 KLKN 152000'] },
      superseded: false,
      replacedBy: null,
    })
    const ffw = alerts.find((a) => a.id === 'urn:oid:2.49.0.1.840.0.719e22ea40f1743a0f109d9ed27c4abe95725748.001.1')
    expect(ffw?.threats).toEqual({ flashFloodDetection: 'RADAR INDICATED', flashFloodDamageThreat: 'CONSIDERABLE' })
    const withExpired = alerts.filter((a) => a.expiredReferences.length > 0)
    expect(withExpired.length).toBeGreaterThan(50)
    for (const a of withExpired) {
      for (const r of a.expiredReferences) {
        expect(r.sender).toBe('w-nws.webmaster@noaa.gov')
        expect(r.identifier).toMatch(/^urn:oid:2\.49\.0\.1\.840\.0\./)
        expect(r.sent).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/)
      }
    }
    for (const a of alerts) expect(a.invalidFields).toBeUndefined()
  })

  it('reads the 2019 alerts (hailSize, windGust, tornadoDetection) and each reference with its sender and time', () => {
    const { alerts } = parseAlerts(features('nws_alerts_active_national_2019-09-03_fire_weather_watch.json'), 'n')
    const tornado = alerts.find((a) => a.threats.tornadoDetection !== undefined)
    expect(tornado).toMatchObject({ threats: { tornadoDetection: 'POSSIBLE' }, maxWindGust: '60 MPH' })
    expect(
      alerts
        .filter((a) => a.maxHailSizeIn !== null)
        .map((a) => a.maxHailSizeIn)
        .sort(),
    ).toEqual([0, 0, 1])
    const updated = alerts.find((a) => a.references.length > 0)!
    expect(updated.referenceDetails[0]).toEqual({
      sender: 'w-nws.webmaster@noaa.gov',
      identifier: updated.references[0],
      sent: expect.stringMatching(/^2019-/),
    })
  })

  it('marks a superseded alert (replacedBy, replacedAt) and takes the sender name from the older schema', () => {
    const [zone] = features('nws_alerts_active_zone.json') as { properties: Record<string, unknown> }[]
    // The fields as the API's Alert schema defines them, on the real 2019 Flood Watch.
    const replaced = structuredClone(zone!)
    replaced.properties.replacedBy = 'https://api.weather.gov/alerts/NWS-IDP-PROD-3966120-3369270'
    replaced.properties.replacedAt = '2019-12-21T03:27:00-08:00'
    const older = structuredClone(zone!)
    older.properties.senderName = undefined
    older.properties.sender = 'NWS Portland OR'
    const { alerts, rejected } = parseAlerts([replaced, older], 'z')
    expect(rejected).toEqual([])
    // the same id twice: the later `sent` wins, else the first; read them one by one
    const [a] = parseAlerts([replaced], 'z').alerts
    const [b] = parseAlerts([older], 'z').alerts
    expect(alerts).toHaveLength(1)
    expect(a).toMatchObject({
      superseded: true,
      replacedBy: 'https://api.weather.gov/alerts/NWS-IDP-PROD-3966120-3369270',
      replacedAt: '2019-12-21T11:27:00.000Z',
      senderName: 'NWS Portland OR',
    })
    expect(b).toMatchObject({ superseded: false, senderName: 'NWS Portland OR', sender: 'NWS Portland OR' })
  })

  it.each([
    'nws_alerts_active_national_weathergov_airquality_bundle_templated.json',
    'nws_alerts_active_national_weathergov_guam7day_bundle_templated.json',
  ])('rejects every raw placeholder of %s with its reason', (name) => {
    const all = features(name)
    const { alerts, rejected } = parseAlerts(all, name)
    expect(alerts).toEqual([])
    expect(rejected).toHaveLength(all.length)
    expect(rejected[0]!.reason).toMatch(/^alert urn:oid:.*: sent "date:now -\d+ seconds" is not an ISO-8601 date-time$/)
    expect(rejected[0]!.location).toBe(`features[0] of ${name}`)
  })
})

describe('observation fixtures', () => {
  it('reads all 153 KCNK observations, old unit: and qc: prefixes converted', () => {
    const { observations, rejected } = parseObservations(features('nws_observations_kcnk_2019.json'), 'KCNK', 'k')
    expect(rejected).toEqual([])
    expect(observations).toHaveLength(153)
    expect(observations.filter((o) => o.timestamp < '2019')).toHaveLength(21)
    expect(observations[0]).toMatchObject({
      kind: 'observation',
      station: 'KCNK',
      timestamp: '2019-08-17T11:55:00.000Z',
      latitude: 39.54,
      longitude: -97.65,
      temperatureC: 20,
      dewpointC: 17.8,
      windDirectionDeg: 110,
      windSpeedKmh: 7.56,
      windGustKmh: null,
      barometricPressurePa: 100980,
      seaLevelPressurePa: 100810,
      visibilityM: 16090,
      precipitationLastHourMm: null,
      precipitationLast6HoursMm: 12.2,
      maxTemperatureLast24HoursC: null,
      elevationM: 452,
      textDescription: 'Clear',
    })
    // The unit label states the unit the value is in; the code NWS sent is kept beside it.
    expect(observations[0]!.units).toMatchObject({
      temperatureC: 'wmoUnit:degC',
      windSpeedKmh: 'wmoUnit:km_h-1',
      precipitationLast6HoursMm: 'wmoUnit:mm',
    })
    expect(observations[0]!.units.windGustKmh).toBeUndefined()
    expect(observations[0]!.sourceUnits).toMatchObject({
      temperatureC: 'unit:degC',
      windSpeedKmh: 'unit:m_s-1',
      precipitationLast6HoursMm: 'unit:m',
    })
    expect(observations[0]!.cloudLayers).toEqual([{ baseM: null, amount: 'CLR' }])
    const rain = observations.find((o) => o.presentWeather.length > 0)
    expect(rain?.presentWeather[0]).toEqual({
      intensity: 'light',
      modifier: null,
      weather: 'rain',
      rawString: '-RA',
      inVicinity: null,
    })
    expect(observations[0]!.qualityControl).toMatchObject({ temperatureC: 'V', windGustKmh: 'Z', visibilityM: 'C' })
    expect(observations[0]!.qualityControl.maxTemperatureLast24HoursC).toBeUndefined()
    expect(observations[1]).toMatchObject({ timestamp: '2019-08-17T10:55:00.000Z', precipitationLastHourMm: 0.3 })
    for (const o of observations) expect(o.unknownUnits).toBeUndefined()
  })

  it.each([
    ['nws_observations_koak_limit1_weathergov_templated.json', 'KOAK', -4718],
    ['nws_observations_oamc1_limit1_weathergov_templated.json', 'OAMC1', -48747],
    ['nws_observations_lbnl1_limit1_weathergov_templated.json', 'LBNL1', -1047],
  ])('reads %s with a real time, and rejects its raw placeholder', (name, station, offset) => {
    const real = parseObservations(features(name, NOW), station, name)
    expect(real.rejected).toEqual([])
    expect(real.observations).toHaveLength(1)
    const o = real.observations[0]!
    expect(o.station).toBe(station)
    expect(o.timestamp).toBe(new Date(Math.floor(NOW / 1000) * 1000 + offset * 1000).toISOString())
    for (const unit of Object.values(o.units)) expect(unit).toMatch(/^wmoUnit:/)
    expect(o.unknownUnits).toBeUndefined()
    const raw = parseObservations(features(name), station, name)
    expect(raw.observations).toEqual([])
    expect(raw.rejected).toEqual([
      {
        reason: `observation timestamp "date:now ${offset} seconds" is not an ISO-8601 date-time`,
        input: features(name)[0],
        location: `features[0] of ${name}`,
      },
    ])
  })

  it('reads KOAK exactly: km/h, mm and the V/Z flags', () => {
    const name = 'nws_observations_koak_limit1_weathergov_templated.json'
    const o = parseObservations(features(name, NOW), 'KOAK', name).observations[0]!
    expect(o).toMatchObject({
      temperatureC: 11.1,
      dewpointC: 8.9,
      windDirectionDeg: 350,
      windSpeedKmh: 7.56,
      windGustKmh: null,
      barometricPressurePa: 101900,
      visibilityM: 16090,
      precipitationLastHourMm: null,
      elevationM: 3,
      rawMessage: 'KOAK 261453Z 35004KT 10SM BKN020 11/09 A3009 RMK AO2 SLP189 T01110089 53019',
    })
    expect(o.qualityControl).toMatchObject({ temperatureC: 'V', windGustKmh: 'Z', visibilityM: 'C' })
  })

  it('reads the pynws KFLL observation', () => {
    const { observations } = parseObservations(features('nws_observations_collection.json'), 'KFLL', 'c')
    expect(observations).toMatchObject([
      { station: 'KFLL', timestamp: '2019-06-27T10:53:00.000Z', windSpeedKmh: 36, windGustKmh: 36 },
    ])
  })
})

describe('gridpoint fixture', () => {
  it('reads the raw TAE/58,65 forecast: fire-weather layers and their intervals', () => {
    const body = JSON.parse(fixture('nws_gridpoints_raw.json')) as { type: string; properties: Record<string, unknown> }
    expect(body.type).toBe('Feature')
    const r = parseGridpoint(body.properties, 'TAE/58,65', FIRE_WEATHER_LAYERS)
    if ('problem' in r) throw new Error(r.problem)
    expect(r.rejected).toEqual([])
    const f = r.forecast
    expect(f).toMatchObject({
      kind: 'gridpoint',
      gridId: 'TAE',
      gridX: 58,
      gridY: 65,
      updateTime: '2022-02-04T03:15:41.000Z',
      validTimes: '2022-02-03T21:00:00+00:00/P7DT14H',
    })
    expect(Object.keys(f.layers)).toEqual([...FIRE_WEATHER_LAYERS].filter((l) => l in body.properties))
    expect(f.layers.redFlagThreatIndex).toEqual({ uom: null, values: [] })
    expect(f.layers.relativeHumidity!.values).toHaveLength(131)
    expect(f.layers.windSpeed!.values[0]).toEqual({
      start: '2022-02-03T21:00:00.000Z',
      end: '2022-02-03T23:00:00.000Z',
      durationSeconds: 7200,
      value: 20.372,
    })
    expect(f.layers.mixingHeight).toMatchObject({
      uom: 'wmoUnit:m',
      values: expect.arrayContaining([expect.objectContaining({ value: 640.08 })]),
    })
    expect(f.layers.lightningActivityLevel!.values[0]).toMatchObject({ durationSeconds: 21_600, value: 1 })
    expect(f.layers.dispersionIndex!.values).toHaveLength(57)
    for (const layer of Object.values(f.layers)) {
      for (const v of layer.values) expect(Date.parse(v.end) - Date.parse(v.start)).toBe(v.durationSeconds * 1000)
    }
  })
})

describe('real answers flag nothing', () => {
  // The type checks must not call the real NWS shapes wrong: no field of any saved answer is flagged.
  it.each([
    'nws_alerts_active_zone.json',
    'nws_alerts_active_national_2019-09-03_fire_weather_watch.json',
    'nws_alerts_active_national_weathergov_airquality_bundle_templated.json',
    'nws_alerts_active_national_weathergov_guam7day_bundle_templated.json',
  ])('alerts of %s', (name) => {
    const { alerts } = parseAlerts(features(name, NOW), name)
    expect(alerts.length).toBeGreaterThan(0)
    expect(alerts.filter((a) => a.invalidFields !== undefined)).toEqual([])
  })

  it.each([
    'nws_observations_kcnk_2019.json',
    'nws_observations_collection.json',
    'nws_observations_koak_limit1_weathergov_templated.json',
  ])('observations of %s', (name) => {
    const { observations } = parseObservations(features(name, NOW), 'X', name)
    expect(observations.length).toBeGreaterThan(0)
    expect(observations.filter((o) => o.invalidFields !== undefined)).toEqual([])
  })

  it('the raw gridpoint (whose gridX and gridY are decimal strings)', () => {
    const grid = JSON.parse(fixture('nws_gridpoints_raw.json')) as { properties: Record<string, unknown> }
    const r = parseGridpoint(grid.properties, 'TAE/58,65', FIRE_WEATHER_LAYERS)
    if ('problem' in r) throw new Error(r.problem)
    expect(r.forecast).toMatchObject({ gridX: 58, gridY: 65 })
    expect(r.forecast.invalidFields).toBeUndefined()
  })
})
