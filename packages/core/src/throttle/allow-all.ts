/** The throttle policy used when throttling is disabled: every batch goes at once. */
import { defineThrottlePolicy, Type } from '@firefront/sdk'

export const allowAllThrottlePolicy = defineThrottlePolicy({
  name: 'allow-all',
  version: '0.1.0',
  description: 'no throttling',
  configSchema: Type.Object({}, { additionalProperties: false }),
  create: () => {
    let checks = 0
    return {
      check: async () => {
        checks++
        return { action: 'allow', delayMs: 0 }
      },
      metrics: () => ({ enabled: false, current_state: 'allow', checks }),
    }
  },
})
