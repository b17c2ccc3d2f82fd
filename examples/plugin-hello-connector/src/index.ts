/**
 * A hello-world pull connector: each poll emits `per_poll` greetings numbered from the cursor,
 * until `total` have been emitted. It shows the whole contract: a TypeBox config schema with
 * defaults, a JSON cursor, record keys and event times, honouring the abort signal, rejecting a
 * bad input through the context, and a default topic.
 */
import { defineConnector, type SourceRecord, type Static, Type } from '@firefront/sdk'

/** The `config:` block of a source using this connector. */
export const HelloConfig = Type.Object(
  {
    greeting: Type.String({ minLength: 1, default: 'hello', description: 'the text of each record' }),
    per_poll: Type.Integer({ minimum: 1, maximum: 10000, default: 5, description: 'records per poll' }),
    total: Type.Integer({ minimum: 0, default: 20, description: 'stop emitting after this many (0: never stop)' }),
    reject_every: Type.Integer({
      minimum: 0,
      default: 0,
      description: 'hand every Nth input to the dead-letter path (0: never)',
    }),
  },
  { additionalProperties: false },
)
export type HelloConfig = Static<typeof HelloConfig>

/** The connector: source_type `hello`. */
export const helloConnector = defineConnector({
  name: 'hello',
  version: '1.0.0',
  description: 'emits numbered greetings',
  sourceTypes: ['hello'],
  defaultTopic: 'hello-greetings',
  configSchema: HelloConfig,
  create(config, ctx) {
    return {
      mode: 'pull',
      async poll({ cursor, signal }) {
        signal.throwIfAborted()
        const from = typeof cursor === 'number' ? cursor : 0
        const until = config.total === 0 ? from + config.per_poll : Math.min(config.total, from + config.per_poll)
        const records: SourceRecord[] = []
        for (let n = from; n < until; n++) {
          if (config.reject_every > 0 && (n + 1) % config.reject_every === 0) {
            ctx.reject({ reason: `greeting ${n} is unlucky`, input: { n }, location: `greeting ${n}` })
            continue
          }
          records.push({
            key: `hello-${n}`,
            value: { n, text: `${config.greeting} #${n}` },
            eventTime: new Date(ctx.clock.now()).toISOString(),
          })
        }
        ctx.logger.debug({ from, until }, 'greetings emitted')
        return { records, cursor: until }
      },
    }
  },
})

export default helloConnector
