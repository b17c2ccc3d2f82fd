import { describe, expect, it } from 'vitest'
import {
  type DeliveryEvent,
  type DeliveryState,
  DeliveryStateMachine,
  IllegalTransitionError,
  TRANSITIONS,
} from './delivery-state'

const STATES: DeliveryState[] = ['delivering', 'retrying', 'spooling', 'replaying', 'paused']
const EVENTS: DeliveryEvent[] = ['fail', 'give-up', 'backlog', 'drained', 'trip', 'resume']

const allowed: Array<[DeliveryState, DeliveryEvent, DeliveryState]> = [
  ['delivering', 'fail', 'retrying'],
  ['delivering', 'give-up', 'spooling'],
  ['delivering', 'backlog', 'replaying'],
  ['delivering', 'drained', 'delivering'],
  ['delivering', 'trip', 'paused'],
  ['retrying', 'fail', 'retrying'],
  ['retrying', 'give-up', 'spooling'],
  ['retrying', 'backlog', 'replaying'],
  ['retrying', 'drained', 'delivering'],
  ['retrying', 'trip', 'paused'],
  ['replaying', 'fail', 'retrying'],
  ['replaying', 'give-up', 'spooling'],
  ['replaying', 'backlog', 'replaying'],
  ['replaying', 'drained', 'delivering'],
  ['replaying', 'trip', 'paused'],
  ['spooling', 'give-up', 'spooling'],
  ['spooling', 'backlog', 'replaying'],
  ['spooling', 'drained', 'delivering'],
  ['spooling', 'trip', 'paused'],
  ['paused', 'fail', 'paused'],
  ['paused', 'give-up', 'paused'],
  ['paused', 'backlog', 'paused'],
  ['paused', 'drained', 'paused'],
  ['paused', 'resume', 'replaying'],
]

describe('delivery state machine', () => {
  it.each(allowed)('%s --%s--> %s', (from, event, to) => {
    const machine = new DeliveryStateMachine(from)
    expect(machine.can(event)).toBe(true)
    expect(machine.fire(event)).toBe(to)
    expect(machine.state).toBe(to)
  })

  const refused = STATES.flatMap((s) =>
    EVENTS.filter((e) => !allowed.some(([f, ev]) => f === s && ev === e)).map((e) => [s, e] as const),
  )

  it('the table holds exactly the transitions listed here', () => {
    const table = STATES.flatMap((s) =>
      Object.entries(TRANSITIONS[s]).map(([e, to]) => [s, e, to] as [DeliveryState, DeliveryEvent, DeliveryState]),
    )
    expect(new Set(table.map((t) => t.join(' ')))).toEqual(new Set(allowed.map((t) => t.join(' '))))
    // Kafka away: no retry; paused: only the end of the pause leaves it; not paused: nothing to resume.
    expect(refused).toEqual([
      ['delivering', 'resume'],
      ['retrying', 'resume'],
      ['spooling', 'fail'],
      ['spooling', 'resume'],
      ['replaying', 'resume'],
      ['paused', 'trip'],
    ])
  })

  it.each(refused)('refuses %s --%s--> with an error naming both, and keeps its state', (from, event) => {
    const machine = new DeliveryStateMachine(from)
    expect(machine.can(event)).toBe(false)
    expect(() => machine.fire(event)).toThrow(IllegalTransitionError)
    expect(() => machine.fire(event)).toThrow(`event "${event}" is not allowed in state "${from}"`)
    expect(machine.state).toBe(from)
  })

  it('tells listeners about changes of state, not about self-transitions', () => {
    const machine = new DeliveryStateMachine()
    const seen: string[] = []
    machine.onTransition((from, to, event) => seen.push(`${from}>${event}>${to}`))
    machine.fire('drained')
    machine.fire('fail')
    machine.fire('fail')
    machine.fire('give-up')
    machine.fire('backlog')
    machine.fire('trip')
    machine.fire('resume')
    machine.fire('drained')
    expect(seen).toEqual([
      'delivering>fail>retrying',
      'retrying>give-up>spooling',
      'spooling>backlog>replaying',
      'replaying>trip>paused',
      'paused>resume>replaying',
      'replaying>drained>delivering',
    ])
  })
})
