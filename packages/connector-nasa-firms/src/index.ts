/**
 * `@firefront/connector-nasa-firms`: NASA FIRMS satellite fire detections for Firefront.
 * @packageDocumentation
 */
export { nasaFirmsConnector as default, nasaFirmsConnector, createFirmsPoller } from './connector'
export {
  FirmsConfig,
  type FirmsSettings,
  type FirmsSource,
  type FirmsTarget,
  FIRMS_SOURCES,
  DEFAULT_BASE_URL,
  MAP_KEY_ENV,
  resolveSettings,
} from './config'
export {
  parseFirmsCsv,
  confidenceLevel,
  MODIS_CONFIDENCE_CLASSES,
  isFirmsHeader,
  FirmsFormatError,
  type ConfidenceLevel,
  type FirmsDetection,
  type FirmsParseResult,
  type ParseOptions,
  detectionKey,
  pixelKey,
  type RejectedRow,
} from './parse'
export type { CsvEngine } from './csv'
export type { FirmsCursor, SourceCursor, BackfillCursor } from './cursor'
export { parseAvailability, type Availability } from './availability'
