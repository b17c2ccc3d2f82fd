/**
 * `@firefront/connector-noaa`: NOAA / National Weather Service alerts, observations and forecasts for Firefront.
 * @packageDocumentation
 */
export { noaaConnector as default, noaaConnector, createNoaaPoller } from './connector'
export {
  NoaaConfig,
  AlertsConfig,
  ObservationsConfig,
  GridpointsConfig,
  ForecastsConfig,
  type NoaaSettings,
  DEFAULT_BASE_URL,
  DEFAULT_CRITICAL_EVENTS,
  DEFAULT_ALERTS,
  DEFAULT_USER_AGENT,
  resolveSettings,
  normalisePoint,
} from './config'
export { type AlertSummary, type Vtec, parseAlert, parseAlerts, parseVtec } from './alerts'
export {
  type AlertParameters,
  type AlertReference,
  type EventMotion,
  THREAT_PARAMETERS,
  parseEventMotion,
  parseReferenceList,
} from './alert-parameters'
export {
  type ForecastPeriod,
  type PointInfo,
  type TextForecast,
  type ZoneForecast,
  parsePoint,
  parseTextForecast,
  parseZoneForecast,
  windSpeedRange,
} from './forecasts'
export {
  type Observation,
  type ObservationField,
  type PresentWeather,
  type CloudLayer,
  OBSERVATION_FIELDS,
  parseObservation,
  parseObservations,
  observationKey,
} from './observations'
export { type Measure, type Quantity, MEASURE_UNIT, quantity, bareUnit, bareQc } from './quantities'
export {
  NwsClient,
  type CollectionResponse,
  type FeatureCollection,
  type Problem,
  parseProblem,
  retryAfterMs,
  MIN_BACKOFF_MS,
} from './client'
export type { NoaaCursor } from './cursor'
export {
  FIRE_WEATHER_LAYERS,
  type GridpointForecast,
  type Layer,
  type LayerValue,
  parseGridpoint,
  parseInterval,
  durationSeconds,
} from './gridpoints'
