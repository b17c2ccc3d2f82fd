import type { PayloadFormat } from '../config'
import { normaliseJson } from './json'
import { normaliseRaw } from './raw'
import { normaliseTasmota } from './tasmota'
import { normaliseTtnV3, ttnTopicEvent } from './ttn-v3'
import type { MqttMessage, NormaliseOptions, NormaliseResult } from './types'

export type { MessageKind, MqttMessage, Normalised, NormaliseOptions, NormaliseResult } from './types'
export { MESSAGE_KINDS } from './types'
export { normaliseJson, normaliseRaw, normaliseTasmota, normaliseTtnV3, ttnTopicEvent }
export { TASMOTA_NUMERIC_READINGS, tasmotaDevice, tasmotaKind } from './tasmota'
export { LOCALISED_NAMES, READING_UNITS, TIME_KEYS, toMetric } from './tasmota-names'
export { type InvalidField, foldField } from './fields'
export { localToUtc, rfc3339ToUtc } from './time'

/** Reads one message in the configured format. */
export function normalise(format: PayloadFormat, message: MqttMessage, options: NormaliseOptions): NormaliseResult {
  switch (format) {
    case 'json':
      return normaliseJson(message)
    case 'tasmota':
      return normaliseTasmota(message, options)
    case 'ttn-v3':
      return normaliseTtnV3(message)
    case 'raw':
      return normaliseRaw(message)
  }
}
