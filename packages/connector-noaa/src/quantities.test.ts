import { describe, expect, it } from 'vitest'
import { bareQc, bareUnit, quantity } from './quantities'

describe('quantity', () => {
  it('accepts both unit prefixes and both QC spellings', () => {
    expect(quantity({ unitCode: 'wmoUnit:degC', value: 22.8, qualityControl: 'V' }, 'celsius')).toEqual({
      value: 22.8,
      unitCode: 'wmoUnit:degC',
      qc: 'V',
      unknownUnit: false,
    })
    expect(quantity({ unitCode: 'unit:degC', value: 22.8, qualityControl: 'qc:V' }, 'celsius')).toMatchObject({
      value: 22.8,
      qc: 'V',
    })
  })

  it.each([
    [{ unitCode: 'unit:m_s-1', value: 2.1 }, 'kmh', 7.56],
    [{ unitCode: 'wmoUnit:km_h-1', value: 7.56 }, 'kmh', 7.56],
    [{ unitCode: 'wmoUnit:kt', value: 10 }, 'kmh', 18.52],
    [{ unitCode: 'wmoUnit:degF', value: 212 }, 'celsius', 100],
    [{ unitCode: 'wmoUnit:K', value: 273.15 }, 'celsius', 0],
    [{ unitCode: 'wmoUnit:hPa', value: 1013.2 }, 'pascal', 101320],
    [{ unitCode: 'unit:m', value: 0.0003 }, 'millimetre', 0.3],
    [{ unitCode: 'wmoUnit:mm', value: 1.5 }, 'millimetre', 1.5],
    [{ unitCode: 'wmoUnit:km', value: 16.09 }, 'metre', 16090],
    [{ unitCode: 'wmoUnit:percent', value: 87.4 }, 'percent', 87.4],
    [{ unitCode: 'wmoUnit:degree_(angle)', value: 350 }, 'degree', 350],
  ] as const)('converts %j to %s', (raw, measure, expected) => {
    expect(quantity(raw, measure).value).toBe(expected)
  })

  it('keeps null null, with the unit and the flag', () => {
    expect(quantity({ unitCode: 'wmoUnit:km_h-1', value: null, qualityControl: 'Z' }, 'kmh')).toEqual({
      value: null,
      unitCode: 'wmoUnit:km_h-1',
      qc: 'Z',
      unknownUnit: false,
    })
    expect(quantity({ unitCode: 'wmoUnit:degC', value: null }, 'celsius')).toMatchObject({ qc: null })
    expect(quantity(undefined, 'celsius')).toEqual({ value: null, unitCode: null, qc: null, unknownUnit: false })
    expect(quantity({ unitCode: 'wmoUnit:degC', value: '20' }, 'celsius').value).toBeNull()
  })

  it('reads a number in a unit it cannot convert as null, and says so', () => {
    expect(quantity({ unitCode: 'wmoUnit:furlong', value: 3 }, 'metre')).toMatchObject({
      value: null,
      unknownUnit: true,
    })
    expect(quantity({ unitCode: 'wmoUnit:degC', value: 3 }, 'kmh')).toMatchObject({ value: null, unknownUnit: true })
  })

  it('strips prefixes', () => {
    expect(bareUnit('wmoUnit:degree_(angle)')).toBe('degree_(angle)')
    expect(bareUnit('unit:m_s-1')).toBe('m_s-1')
    expect(bareQc('qc:S')).toBe('S')
    expect(bareQc('C')).toBe('C')
    expect(bareQc(null)).toBeNull()
  })
})
