/**
 * The files `firefront new <kind> <name>` writes: a publishable plugin package (ESM, exports map,
 * engines, the SDK as a peer dependency with a range that survives its minors), a TypeScript
 * source against the SDK, a test with `@firefront/sdk/testing`, a README and a changeset. Every
 * package builds (`npm run build`) and passes its tests (`npm test`) as generated.
 */

/** The kinds `firefront new` scaffolds, as typed on the command line. */
export const SCAFFOLD_KINDS = ['connector', 'sink', 'resolver'] as const
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number]

/** What a template needs. */
export interface ScaffoldInput {
  readonly kind: ScaffoldKind
  /** kebab-case plugin name, e.g. `my-feed`. */
  readonly name: string
  /** npm package name, e.g. `firefront-connector-my-feed`. */
  readonly packageName: string
  /** Version of `@firefront/sdk` the package is developed against, e.g. `0.1.0`. */
  readonly sdkVersion: string
}

/**
 * The peer range on the SDK: from the minor developed against up to the next major. The SDK
 * keeps the plugin API (`apiVersion`) within a major, 0.x included, so a plugin built against
 * 0.1 loads in a host with 0.2; `^0.1.0` would refuse it.
 */
export function sdkPeerRange(sdkVersion: string): string {
  const [major = 0, minor = 0] = sdkVersion.split('.').map((n) => Number.parseInt(n, 10))
  return `>=${major}.${minor}.0 <${major + 1}.0.0`
}

/** The last sections of every scaffolded README: the SDK range and Node.js, the licence. */
const readmeEnd = (input: ScaffoldInput): string => `## Compatibility

\`@firefront/sdk\` ${sdkPeerRange(input.sdkVersion)} (plugin API version 1), Node.js ≥ 20.19.

## License

Apache-2.0
`

/** The seed-style `source_type` of a connector name: `my-feed` → `my_feed`. */
export const sourceTypeOf = (name: string): string => name.replace(/-/g, '_')

/** Build and test tools of a generated package; versions that run on Node.js 20.19. */
const DEV_TOOLS = {
  '@changesets/cli': '^2.31.0',
  '@types/node': '^20.19.0',
  typescript: '^5.9.0',
  vitest: '^4.1.0',
  yaml: '^2.9.1',
} as const

const KIND_WORD: Record<ScaffoldKind, string> = { connector: 'connector', sink: 'sink', resolver: 'topic resolver' }
const SDK_KIND: Record<ScaffoldKind, string> = { connector: 'connector', sink: 'sink', resolver: 'topic-resolver' }

function packageJson(input: ScaffoldInput): string {
  const pkg = {
    name: input.packageName,
    version: '0.1.0',
    description: `A Firefront ${KIND_WORD[input.kind]}: ${input.name}`,
    type: 'module',
    license: 'Apache-2.0',
    sideEffects: false,
    files: ['dist'],
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    keywords: ['firefront-plugin', `firefront-${input.kind}`],
    firefront: { kind: SDK_KIND[input.kind], name: input.name },
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      test: 'vitest run',
      typecheck: 'tsc -p tsconfig.json',
      changeset: 'changeset',
      prepublishOnly: 'npm run build && npm test',
    },
    peerDependencies: { '@firefront/sdk': sdkPeerRange(input.sdkVersion) },
    devDependencies: { '@firefront/sdk': `^${input.sdkVersion}`, ...DEV_TOOLS },
  }
  return `${JSON.stringify(pkg, null, 2)}\n`
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "types": ["node"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "verbatimModuleSyntax": true,
    "skipLibCheck": true,
    "noEmit": true
  },
  "include": ["src", "test"]
}
`

const TSCONFIG_BUILD = `{
  "extends": "./tsconfig.json",
  "compilerOptions": { "noEmit": false, "outDir": "dist", "rootDir": "src", "declaration": true, "sourceMap": true },
  "include": ["src"]
}
`

const GITIGNORE = 'node_modules\ndist\n'

const CHANGESET_CONFIG = `{
  "$schema": "https://unpkg.com/@changesets/config@3.1.1/schema.json",
  "changelog": "@changesets/cli/changelog",
  "commit": false,
  "access": "public",
  "baseBranch": "main",
  "updateInternalDependencies": "patch",
  "fixed": [],
  "linked": [],
  "ignore": []
}
`

const changeset = (input: ScaffoldInput): string => `---
"${input.packageName}": minor
---

First release of the ${input.name} ${KIND_WORD[input.kind]}.
`

// ---------------------------------------------------------------- connector

const connectorSource = (input: ScaffoldInput): string => `/**
 * ${input.packageName}: a Firefront pull connector. Each poll GETs \`url\`, a JSON array of items
 * with an \`id\` and an ISO-8601 \`time\`, and emits the items newer than the cursor. Replace the
 * parsing with your API's; keep the rest (the HTTP client, the cursor, rejecting bad items).
 */
import { createRequire } from 'node:module'
import { type Cursor, defineConnector, RetryableError, type SourceRecord, type Static, Type } from '@firefront/sdk'
import { createHttpClient } from '@firefront/sdk/http'

const pkg = createRequire(import.meta.url)('../package.json') as { version: string }

/** The \`config:\` block of a source using this connector. */
export const Config = Type.Object(
  {
    url: Type.String({ minLength: 1, description: 'URL of a JSON array of items, each with an "id" and a "time"' }),
    request_timeout_seconds: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'timeout of one request' }),
    max_body_bytes: Type.Integer({ minimum: 1, default: 8388608, description: 'the largest answer read' }),
  },
  { additionalProperties: false },
)
export type Config = Static<typeof Config>

/** What is committed after the records of a poll are delivered: the ETag and the newest time seen. */
interface State {
  etag?: string
  newest?: string
}

const stateOf = (cursor: Cursor | undefined): State =>
  typeof cursor === 'object' && cursor !== null && !Array.isArray(cursor) ? (cursor as State) : {}

export const connector = defineConnector({
  name: '${input.name}',
  version: pkg.version,
  description: 'items of a JSON feed',
  sourceTypes: ['${sourceTypeOf(input.name)}'],
  defaultTopic: '${input.name}',
  configSchema: Config,
  create(config, ctx) {
    const http = createHttpClient({
      name: '${input.name}',
      ctx,
      timeoutMs: config.request_timeout_seconds * 1000,
      maxBodyBytes: config.max_body_bytes,
      headers: { accept: 'application/json' },
    })
    return {
      mode: 'pull',
      async poll({ cursor, signal }) {
        const state = stateOf(cursor)
        // 304 when nothing changed; 429/5xx/timeouts throw RetryableError, other 4xx ConnectorConfigError
        const res = await http.get(config.url, { signal, ...(state.etag ? { etag: state.etag } : {}) })
        if (res.notModified) return { records: [] }
        let items: unknown
        try {
          items = JSON.parse(res.text)
        } catch {
          throw new RetryableError(\`\${res.url} answered with a body that is not JSON\`)
        }
        if (!Array.isArray(items)) throw new RetryableError(\`\${res.url} answered with JSON that is not an array\`)
        const records: SourceRecord[] = []
        let newest = state.newest
        for (const [i, item] of items.entries()) {
          const { id, time } = (item ?? {}) as { id?: unknown; time?: unknown }
          if (typeof id !== 'string' || id === '' || typeof time !== 'string' || Number.isNaN(Date.parse(time))) {
            // never dropped silently: the runtime dead-letters it with the reason
            ctx.reject({ reason: 'an item needs a string "id" and an ISO-8601 "time"', input: item, location: \`item \${i} of \${res.url}\` })
            continue
          }
          const eventTime = new Date(time).toISOString()
          if (state.newest !== undefined && eventTime <= state.newest) continue
          records.push({ key: id, value: item, eventTime })
          if (newest === undefined || eventTime > newest) newest = eventTime
        }
        const next: State = { ...(res.etag ? { etag: res.etag } : {}), ...(newest ? { newest } : {}) }
        return { records, cursor: next as Cursor }
      },
    }
  },
})

export default connector
`

const connectorTest = (input: ScaffoldInput): string => `import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkConnectorContract, checkConnectorReadme, runConnector } from '@firefront/sdk/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import connector from '../src/index.js'

const items = [
  { id: 'a', time: '2026-07-01T10:00:00Z', value: 1 },
  { id: 'b', time: '2026-07-01T11:00:00Z', value: 2 },
  { time: 'not a time' },
]
let server: Server
let url: string

beforeAll(async () => {
  // a local server standing in for the API: the ETag makes the second poll a 304
  server = createServer((req, res) => {
    if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end()
    res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(JSON.stringify(items))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}/items\`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

describe('${input.packageName}', () => {
  it('keeps the connector contract', async () => {
    await checkConnectorContract(connector, { validConfig: { url }, invalidConfigs: [{}, { url: '' }, { url, extra: 1 }] })
  })

  it('emits the items, dead-letters the bad one, and asks conditionally next time', async () => {
    const run = await runConnector(connector, { config: { url }, until: { polls: 2 } })
    expect(run.records.map((r) => r.key)).toEqual(['a', 'b'])
    expect(run.records[0]?.eventTime).toBe('2026-07-01T10:00:00.000Z')
    expect(run.rejected.map((r) => r.location)).toEqual([\`item 2 of \${url}\`])
    expect(run.lastCursor).toEqual({ etag: '"v1"', newest: '2026-07-01T11:00:00.000Z' })
  })

  it('fails loudly when the API cannot be reached', async () => {
    await expect(runConnector(connector, { config: { url: 'http://127.0.0.1:9/items' } })).rejects.toThrow(/request failed/)
  })

  it('has a README in the connector template', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    checkConnectorReadme(connector, readme, { packageName: '${input.packageName}', parseYaml: parse })
  })
})
`

const connectorReadme = (input: ScaffoldInput): string => `# ${input.packageName}

## What is this?

A [Firefront](https://www.npmjs.com/package/@firefront/core) connector: it polls a JSON feed and
emits each new item as a record.

## When should I use this?

When the data you ingest is a JSON array of items with an \`id\` and a \`time\`, served over HTTP.

## Install

\`\`\`sh
npm install ${input.packageName}
\`\`\`

## Configuration

| key | type | default | description |
| --- | --- | --- | --- |
| \`url\` | string | (required) | URL of a JSON array of items, each with an "id" and a "time" |
| \`request_timeout_seconds\` | number | 30 | timeout of one request |
| \`max_body_bytes\` | integer | 8388608 | the largest answer read |

## Records emitted

One record per item: key \`id\`, event time \`time\` (ISO-8601, UTC), value the item as it came.
An item without an \`id\` or a valid \`time\` goes to the dead-letter path with its reason.

## Example firefront.yaml

\`\`\`yaml
plugins:
  - ${input.packageName}
sources:
  ${sourceTypeOf(input.name)}:
    source_type: ${sourceTypeOf(input.name)}
    ingestion: { mode: real_time, polling_interval_seconds: 60 }
    config:
      url: https://example.org/items.json
\`\`\`

${readmeEnd(input)}`

// ---------------------------------------------------------------- sink

const sinkSource = (input: ScaffoldInput): string => `/**
 * ${input.packageName}: a Firefront sink that appends each record, as one JSON line, to
 * \`<directory>/<topic>.jsonl\`. Replace the write with your destination's client; keep the
 * accounting (every record delivered, dead-lettered or spooled).
 */
import { appendFile, mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { defineSink, type SinkBatch, type Static, Type } from '@firefront/sdk'

const pkg = createRequire(import.meta.url)('../package.json') as { version: string }

/** The \`sink.config\` block. */
export const Config = Type.Object(
  { directory: Type.String({ minLength: 1, description: 'folder of the <topic>.jsonl files' }) },
  { additionalProperties: false },
)
export type Config = Static<typeof Config>

export const sink = defineSink({
  name: '${input.name}',
  version: pkg.version,
  description: 'JSON lines, one file per topic',
  configSchema: Config,
  create(config, ctx) {
    let delivered = 0
    return {
      async start() {
        await mkdir(config.directory, { recursive: true })
      },
      async send(batch: SinkBatch) {
        const lines = batch.records.map((r) => JSON.stringify({ key: r.key ?? null, value: r.value, headers: r.headers ?? {} }))
        await appendFile(join(config.directory, \`\${batch.topic}.jsonl\`), \`\${lines.join('\\n')}\\n\`)
        delivered += lines.length
        ctx.logger.debug({ topic: batch.topic, records: lines.length }, 'batch written')
        return { delivered: lines.length, deadLettered: 0, spooled: 0 }
      },
      metrics: () => ({ delivered }),
      async close() {},
    }
  },
})

export default sink
`

const sinkTest = (input: ScaffoldInput): string => `import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkSinkContract, createFakeContext } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import sink from '../src/index.js'

describe('${input.packageName}', () => {
  it('keeps the sink contract', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sink-'))
    await checkSinkContract(sink, { validConfig: { directory }, invalidConfigs: [{}, { directory: '' }] })
  })

  it('writes each record as a JSON line of its topic', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sink-'))
    const instance = await sink.create({ directory }, createFakeContext().ctx)
    await instance.start?.()
    const record = { key: 'k1', value: { n: 1 }, sourceId: 's', sourceType: 't', priority: 'normal' as const, ingestedAt: new Date().toISOString() }
    const result = await instance.send({ topic: 'alerts', sourceId: 's', sourceType: 't', records: [record] })
    expect(result).toEqual({ delivered: 1, deadLettered: 0, spooled: 0 })
    expect(readFileSync(join(directory, 'alerts.jsonl'), 'utf8')).toBe('{"key":"k1","value":{"n":1},"headers":{}}\\n')
    await instance.close?.()
  })
})
`

const sinkReadme = (input: ScaffoldInput): string => `# ${input.packageName}

## What is this?

A [Firefront](https://www.npmjs.com/package/@firefront/core) sink: it appends each record as one
JSON line to \`<directory>/<topic>.jsonl\`.

## Install

\`\`\`sh
npm install ${input.packageName}
\`\`\`

## Configuration

| key | type | default | description |
| --- | --- | --- | --- |
| \`directory\` | string | (required) | folder of the <topic>.jsonl files |

## Example firefront.yaml

\`\`\`yaml
plugins:
  - ${input.packageName}
sink:
  type: ${input.name}
  config:
    directory: ./out
\`\`\`

${readmeEnd(input)}`

// ---------------------------------------------------------------- resolver

const resolverSource = (input: ScaffoldInput): string => `/**
 * ${input.packageName}: a Firefront topic resolver. It reads one field of a record's value and
 * answers \`<prefix><field value>\`; a record without the field passes to the next resolver.
 */
import { createRequire } from 'node:module'
import { defineTopicResolver, type Static, Type } from '@firefront/sdk'

const pkg = createRequire(import.meta.url)('../package.json') as { version: string }

/** The resolver's \`config:\` block. */
export const Config = Type.Object(
  {
    field: Type.String({ minLength: 1, description: "the value's field that names the topic" }),
    prefix: Type.String({ default: '', description: 'put before the field value' }),
  },
  { additionalProperties: false },
)
export type Config = Static<typeof Config>

/** Kafka topic names: letters, digits, '.', '_' and '-'. */
const topicSafe = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '-')

export const resolver = defineTopicResolver({
  name: '${input.name}',
  version: pkg.version,
  description: 'a topic from a field of the value',
  configSchema: Config,
  create(config) {
    return {
      resolve({ record }) {
        const value = record.value as Record<string, unknown> | null
        const field = typeof value === 'object' && value !== null ? value[config.field] : undefined
        // undefined: not this resolver's record; the next one in the chain decides
        return typeof field === 'string' && field !== '' ? \`\${config.prefix}\${topicSafe(field)}\` : undefined
      },
    }
  },
})

export default resolver
`

const resolverTest = (input: ScaffoldInput): string => `import { validateConfig } from '@firefront/sdk'
import { createFakeContext } from '@firefront/sdk/testing'
import { describe, expect, it } from 'vitest'
import resolver from '../src/index.js'

const source = { sourceId: 's', sourceType: 't' }

describe('${input.packageName}', () => {
  it('validates its config with the validator the runtime uses', () => {
    expect(validateConfig(resolver.configSchema, { field: 'region' }).ok).toBe(true)
    expect(validateConfig(resolver.configSchema, {}).ok).toBe(false)
  })

  it('answers a topic from the field, and passes records without it', async () => {
    const instance = await resolver.create({ field: 'region', prefix: 'fires.' }, createFakeContext().ctx)
    expect(instance.resolve({ record: { value: { region: 'north west' } }, source })).toBe('fires.north-west')
    expect(instance.resolve({ record: { value: { other: 1 } }, source })).toBeUndefined()
  })
})
`

const resolverReadme = (input: ScaffoldInput): string => `# ${input.packageName}

## What is this?

A [Firefront](https://www.npmjs.com/package/@firefront/core) topic resolver: the topic of a record
is \`<prefix><a field of its value>\`.

## Install

\`\`\`sh
npm install ${input.packageName}
\`\`\`

## Configuration

| key | type | default | description |
| --- | --- | --- | --- |
| \`field\` | string | (required) | the value's field that names the topic |
| \`prefix\` | string | '' | put before the field value |

${readmeEnd(input)}`

/** Every file of the package, by path relative to its folder. */
export function scaffoldFiles(input: ScaffoldInput): Record<string, string> {
  const own: Record<string, string> =
    input.kind === 'connector'
      ? {
          'src/index.ts': connectorSource(input),
          'test/connector.test.ts': connectorTest(input),
          'README.md': connectorReadme(input),
        }
      : input.kind === 'sink'
        ? { 'src/index.ts': sinkSource(input), 'test/sink.test.ts': sinkTest(input), 'README.md': sinkReadme(input) }
        : {
            'src/index.ts': resolverSource(input),
            'test/resolver.test.ts': resolverTest(input),
            'README.md': resolverReadme(input),
          }
  return {
    'package.json': packageJson(input),
    'tsconfig.json': TSCONFIG,
    'tsconfig.build.json': TSCONFIG_BUILD,
    '.gitignore': GITIGNORE,
    '.changeset/config.json': CHANGESET_CONFIG,
    '.changeset/first-release.md': changeset(input),
    ...own,
  }
}
