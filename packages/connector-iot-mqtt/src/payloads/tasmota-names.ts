/**
 * What Tasmota's JSON calls things. Since v6 its JSON keys are fixed English names (`D_JSON_*` in
 * `tasmota/include/i18n.h`: `Time`, `Temperature`, `TempUnit`...). Builds of Sonoff-Tasmota v5
 * wrote the JSON with the *localised* words of `sonoff/language/<lang>.h` (`"{\"" D_TIME "\":..."`),
 * so German firmware sends `{"Zeit":"2017.11.04 10:05:12","AM2301":{"Temperatur":21.3,
 * "Feuchtigkeit":45.2},"TempUnit":"C"}`: the time with that language's date separators
 * (`D_YEAR_MONTH_SEPARATOR "."`, `D_DATE_TIME_SEPARATOR " "` in de-DE) and localised reading names.
 * The tables below come from the v5 language files de-DE.h, nl-NL.h and pl-PL.h (2017).
 */

/** The keys of the payload's own time: `Time` (D_JSON_TIME), and v5's localised D_TIME. */
export const TIME_KEYS: readonly string[] = ['Time', 'Zeit', 'Tijd', 'Czas']

/** Localised reading and unit names (Sonoff-Tasmota v5) → the English JSON names Tasmota uses now. */
export const LOCALISED_NAMES: Readonly<Record<string, string>> = {
  // de-DE
  Temperatur: 'Temperature',
  Feuchtigkeit: 'Humidity',
  Druck: 'Pressure',
  MeeresDruck: 'SeaPressure',
  Beleuchtungsintensität: 'Illuminance',
  Spannung: 'Voltage',
  Strom: 'Current',
  Leistung: 'Power',
  Faktor: 'Factor',
  Lautstärke: 'Noise',
  heute: 'Today',
  gestern: 'Yesterday',
  Laufzeit: 'Uptime',
  // nl-NL
  Temperatuur: 'Temperature',
  Luchtvochtigheid: 'Humidity',
  Luchtdruk: 'Pressure',
  ZeeLuchtdruk: 'SeaPressure',
  Verlichtingssterkte: 'Illuminance',
  Spanning: 'Voltage',
  Stroom: 'Current',
  Vermogen: 'Power',
  Lawaai: 'Noise',
  Vandaag: 'Today',
  Gisteren: 'Yesterday',
  Totaal: 'Total',
  TempEenheid: 'TempUnit',
  Bedrijfstijd: 'Uptime',
  // pl-PL
  Temperatura: 'Temperature',
  Wilgotnosc: 'Humidity',
  Cisnienie: 'Pressure',
  Oswietlenie: 'Illuminance',
  Napiecie: 'Voltage',
  Biezacy: 'Current',
  Moc: 'Power',
  WspolczynikMocy: 'Factor',
  Halas: 'Noise',
  Dzisiaj: 'Today',
  Wczoraj: 'Yesterday',
  Suma: 'Total',
  JednTemp: 'TempUnit',
}

/**
 * The unit of each reading Tasmota publishes (its sensor drivers' units). Temperature-like and
 * pressure-like readings take the payload's `TempUnit` / `PressureUnit` instead.
 */
export const READING_UNITS: Readonly<Record<string, string>> = {
  Humidity: '%',
  Moisture: '%',
  Battery: '%',
  PM1: 'µg/m³',
  'PM2.5': 'µg/m³',
  PM10: 'µg/m³',
  CarbonDioxide: 'ppm',
  eCO2: 'ppm',
  TVOC: 'ppb',
  Illuminance: 'lx',
  Voltage: 'V',
  Current: 'A',
  Power: 'W',
  ApparentPower: 'VA',
  ReactivePower: 'VAr',
  Frequency: 'Hz',
  Total: 'kWh',
  Today: 'kWh',
  Yesterday: 'kWh',
  Gas: 'kΩ',
  Noise: 'dB',
  Distance: 'cm',
  RSSI: 'dBm',
}

/** Readings in the payload's `TempUnit` (`C` or `F`). */
export const TEMPERATURE_READINGS: ReadonlySet<string> = new Set(['Temperature', 'DewPoint'])

/** Readings in the payload's `PressureUnit` (`hPa`, or `mmHg` with SetOption24). */
export const PRESSURE_READINGS: ReadonlySet<string> = new Set(['Pressure', 'SeaPressure'])

/** Tasmota's `TempUnit` letter as a unit symbol. */
export const TEMP_UNIT_SYMBOL: Readonly<Record<string, string>> = { C: '°C', F: '°F' }

/** A reading converted to SI/metric, or undefined when it already is (or the unit is unknown). */
export function toMetric(value: number, unit: string): { value: number; unit: string } | undefined {
  const round = (n: number) => Math.round(n * 1e6) / 1e6
  switch (unit) {
    case '°F':
      return { value: round(((value - 32) * 5) / 9), unit: '°C' }
    case 'mmHg':
      return { value: round(value * 1.333223684), unit: 'hPa' }
    case 'inHg':
      return { value: round(value * 33.863886667), unit: 'hPa' }
    default:
      return undefined
  }
}
