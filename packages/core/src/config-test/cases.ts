/**
 * The test file of `firefront test`: cases of input (records as a connector would emit them, a
 * recorded HTTP answer, a recorded MQTT message) and what the pipeline must make of them (topic,
 * key, headers, value; dead letters with their reason; a failure of the poll).
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { type ConfigIssue, type Static, Type, validateConfig } from '@firefront/sdk'
import { parse } from 'yaml'

const Headers = Type.Record(Type.String(), Type.String())

/** One record a test expects at a topic other than the dead-letter topic. */
export const ExpectedRecord = Type.Object(
  {
    topic: Type.Optional(Type.String({ description: 'the topic the record resolves to' })),
    key: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the Kafka key (null: none)' })),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'headers the Kafka message carries (these at least)' }),
    ),
    value: Type.Optional(Type.Unknown({ description: 'the value; objects match when every key given matches' })),
  },
  { additionalProperties: false },
)

/** One dead letter a test expects: a rejected input, or a record that cannot be sent. */
export const ExpectedDeadLetter = Type.Object(
  {
    reason: Type.Optional(Type.String({ description: 'a part of its firefront.error header' })),
    code: Type.Optional(Type.String({ description: 'its firefront.error.code header, e.g. ERR_INPUT_REJECTED' })),
    rejected: Type.Optional(
      Type.Boolean({ description: 'true: an input the connector rejected; false: a record that could not be sent' }),
    ),
  },
  { additionalProperties: false },
)

const InputRecord = Type.Object(
  {
    key: Type.Optional(Type.String()),
    value: Type.Unknown(),
    eventTime: Type.Optional(Type.String()),
    headers: Type.Optional(Headers),
    priority: Type.Optional(
      Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('normal'), Type.Literal('low')]),
    ),
    topic: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

const HttpAnswer = Type.Object(
  {
    url: Type.Optional(
      Type.String({ description: 'answers the requests whose URL contains this text (default: every request)' }),
    ),
    status: Type.Integer({ minimum: 100, maximum: 599, default: 200 }),
    headers: Type.Record(Type.String(), Type.String(), { default: {} }),
    body: Type.Optional(Type.String()),
    body_file: Type.Optional(Type.String({ description: 'the body, from a file relative to the test file' })),
  },
  { additionalProperties: false },
)

const MqttMessage = Type.Object(
  {
    topic: Type.String({ minLength: 1 }),
    payload: Type.Optional(Type.String()),
    payload_json: Type.Optional(Type.Unknown({ description: 'the payload as JSON, written as YAML' })),
    payload_file: Type.Optional(Type.String({ description: 'the payload, from a file relative to the test file' })),
    retain: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

/** One case. */
export const TestCase = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    source: Type.String({ minLength: 1, description: 'the id of the source under sources: in the config' }),
    input: Type.Object(
      {
        records: Type.Optional(Type.Array(InputRecord, { description: 'records as the connector would emit them' })),
        http: Type.Optional(Type.Array(HttpAnswer, { description: "recorded answers to the connector's requests" })),
        mqtt: Type.Optional(Type.Array(MqttMessage, { description: 'recorded messages of a push connector' })),
      },
      { additionalProperties: false },
    ),
    expect: Type.Object(
      {
        records: Type.Optional(Type.Array(ExpectedRecord, { description: 'every record sent, in any order' })),
        dead_letters: Type.Optional(Type.Array(ExpectedDeadLetter, { description: 'every dead letter, in any order' })),
        error: Type.Optional(Type.String({ description: 'a part of the message the poll failed with' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

/** A test file. */
export const TestFile = Type.Object({ tests: Type.Array(TestCase, { minItems: 1 }) }, { additionalProperties: false })

export type TestCase = Static<typeof TestCase>
export type ExpectedRecord = Static<typeof ExpectedRecord>
export type ExpectedDeadLetter = Static<typeof ExpectedDeadLetter>
export type HttpAnswerSpec = Static<typeof HttpAnswer>
export type MqttMessageSpec = Static<typeof MqttMessage>

/** A loaded test file, or every problem in it. */
export type LoadedTests =
  | { readonly ok: true; readonly file: string; readonly dir: string; readonly tests: TestCase[] }
  | { readonly ok: false; readonly file: string; readonly issues: readonly ConfigIssue[] }

/** Reads and validates a test file; each input names one kind, and its files are read as it loads. */
export function loadTests(file: string): LoadedTests {
  let doc: unknown
  try {
    doc = parse(readFileSync(file, 'utf8'))
  } catch (err) {
    return {
      ok: false,
      file,
      issues: [{ path: '', message: (err as Error).message.split('\n')[0] ?? 'unreadable', file }],
    }
  }
  const checked = validateConfig(TestFile, doc)
  if (!checked.ok) return { ok: false, file, issues: checked.issues.map((i) => ({ ...i, file })) }
  const issues: ConfigIssue[] = []
  const dir = dirname(resolve(file))
  for (const [i, c] of checked.value.tests.entries()) {
    const kinds = (['records', 'http', 'mqtt'] as const).filter((k) => c.input[k] !== undefined)
    if (kinds.length !== 1) {
      issues.push({
        path: `tests[${i}].input`,
        message: `give one of records, http or mqtt, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`,
        file,
      })
    }
    for (const [j, a] of (c.input.http ?? []).entries()) {
      if ((a.body === undefined) === (a.body_file === undefined) && a.status !== 304)
        issues.push({ path: `tests[${i}].input.http[${j}]`, message: 'give one of body or body_file', file })
      if (a.body_file !== undefined && !readable(resolve(dir, a.body_file)))
        issues.push({
          path: `tests[${i}].input.http[${j}].body_file`,
          message: `no file at ${resolve(dir, a.body_file)}`,
          file,
        })
    }
    for (const [j, m] of (c.input.mqtt ?? []).entries()) {
      const given = [m.payload, m.payload_json, m.payload_file].filter((p) => p !== undefined).length
      if (given !== 1)
        issues.push({
          path: `tests[${i}].input.mqtt[${j}]`,
          message: 'give one of payload, payload_json or payload_file',
          file,
        })
      if (m.payload_file !== undefined && !readable(resolve(dir, m.payload_file)))
        issues.push({
          path: `tests[${i}].input.mqtt[${j}].payload_file`,
          message: `no file at ${resolve(dir, m.payload_file)}`,
          file,
        })
    }
  }
  if (issues.length > 0) return { ok: false, file, issues }
  return { ok: true, file, dir, tests: checked.value.tests }
}

function readable(path: string): boolean {
  try {
    readFileSync(path)
    return true
  } catch {
    return false
  }
}
