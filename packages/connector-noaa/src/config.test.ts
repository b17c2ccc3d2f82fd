import { validateConfig } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { DEFAULT_USER_AGENT, NoaaConfig, normalisePoint, resolveSettings } from './config'

const valid = (input: unknown) => {
  const checked = validateConfig(NoaaConfig, input)
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues))
  return checked.value
}

describe('config', () => {
  it('fills defaults', () => {
    const s = resolveSettings(
      valid({ user_agent: ' (app, a@b.c) ', observations: { stations: ['ksfo', 'KSFO', 'KOAK'] } }),
    )
    expect(s).toMatchObject({
      userAgent: '(app, a@b.c)',
      baseUrl: 'https://api.weather.gov',
      alertsQuery: undefined,
      stations: ['KSFO', 'KOAK'],
      observationLimit: 50,
      initialLookbackMs: 3 * 3_600_000,
      maxTrackedAlerts: 5000,
      requestTimeoutMs: 30_000,
    })
    expect([...s.criticalEvents]).toEqual(['Red Flag Warning', 'Fire Weather Watch'])
  })

  it('builds the alerts query with comma lists', () => {
    const s = resolveSettings(
      valid({
        user_agent: 'x',
        base_url: 'http://localhost:1/',
        alerts: {
          zone: ['CAZ211', 'CAZ212'],
          event: ['Red Flag Warning'],
          status: ['actual'],
          message_type: ['alert', 'update'],
          severity: ['Severe', 'Extreme'],
          urgency: ['Expected'],
          certainty: ['Likely'],
          limit: 100,
        },
      }),
    )
    expect(s.baseUrl).toBe('http://localhost:1')
    expect(s.alertsQuery).toBe(
      'zone=CAZ211,CAZ212&event=Red%20Flag%20Warning&status=actual&message_type=alert,update&severity=Severe,Extreme&urgency=Expected&certainty=Likely&limit=100',
    )
  })

  it('refuses area with point, region, region_type or zone, listing each', () => {
    expect(() =>
      resolveSettings(valid({ user_agent: 'x', alerts: { area: ['CA'], point: '38,-121', region_type: 'land' } })),
    ).toThrow(/alerts.area: area cannot be combined with point, region_type/)
  })

  it('refuses an empty user_agent; a missing one takes the default that names the connector', () => {
    expect(validateConfig(NoaaConfig, { alerts: {} })).toMatchObject({
      ok: true,
      value: { user_agent: DEFAULT_USER_AGENT },
    })
    expect(validateConfig(NoaaConfig, { user_agent: '', alerts: {} })).toMatchObject({ ok: false })
    expect(() => resolveSettings(valid({ user_agent: '  ', alerts: {} }))).toThrow(/user_agent: must not be blank/)
  })

  it('rounds points to 4 decimals and checks their ranges', () => {
    expect(normalisePoint('39.745612,-104.99')).toEqual({ point: '39.7456,-104.99' })
    expect(normalisePoint('95,10')).toEqual({ problem: 'latitude 95 is outside -90…90' })
    expect(normalisePoint('39.7456,-20000')).toEqual({ problem: 'longitude -20000 is outside -180…180' })
  })
})
