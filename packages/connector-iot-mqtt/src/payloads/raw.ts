import type { MqttMessage, NormaliseResult } from './types'

/** Any payload, kept with its topic: UTF-8 text when it decodes cleanly, else base64. Never rejected. */
export function normaliseRaw(message: MqttMessage): NormaliseResult {
  const text = message.payload.toString('utf8')
  const clean = Buffer.from(text, 'utf8').equals(message.payload)
  return {
    ok: true,
    data: {
      deviceId: message.topic,
      kind: 'other',
      value: clean
        ? { topic: message.topic, encoding: 'utf8', payload: text }
        : { topic: message.topic, encoding: 'base64', payload: message.payload.toString('base64') },
    },
  }
}
