import type { TopicSubscription } from './config'

/** One entry of a SUBACK as mqtt.js reports it. */
export interface Grant {
  readonly topic: string
  readonly qos: number
}

/** What a SUBACK says about the subscriptions asked for. */
export interface GrantCheck {
  /** Filters the broker refused (QoS 128, or an MQTT 5 reason code ≥ 0x80), with the code. */
  readonly refused: readonly Grant[]
  /** Filters granted at a lower QoS than asked. */
  readonly downgraded: readonly { readonly filter: string; readonly requested: number; readonly granted: number }[]
}

/** Compares the grants with the subscriptions asked for. */
export function checkGrants(requested: readonly TopicSubscription[], granted: readonly Grant[]): GrantCheck {
  const refused: Grant[] = []
  const downgraded: { filter: string; requested: number; granted: number }[] = []
  for (const grant of granted) {
    if (grant.qos >= 0x80) {
      refused.push(grant)
      continue
    }
    const wanted = requested.find((s) => s.filter === grant.topic)?.qos
    if (wanted !== undefined && grant.qos < wanted) {
      downgraded.push({ filter: grant.topic, requested: wanted, granted: grant.qos })
    }
  }
  return { refused, downgraded }
}
