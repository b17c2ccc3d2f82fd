/**
 * The contestants of the peers benchmark: how each is started, what it is told to send and how
 * its run is checked. Every one runs as a child process into a fresh topic of its own.
 */
import { writeFileSync } from 'node:fs'
import type { Kafka } from 'kafkajs'
import { type ChildRun, countRecords, runChild } from './measure'
import { firefrontHeaders, SOURCE_ID, SOURCE_TYPE } from './records'

/** Everything a contestant's run needs. */
export interface RunContext {
  readonly brokers: string
  readonly kafka: Kafka
  readonly topic: string
  readonly records: number
  /** The `records` JSON values, one a line (the file-fed peers' input). */
  readonly valuesFile: string
  /** The same as `key<TAB>value` lines (kcat's input). */
  readonly keyedFile: string
  /** A fresh folder for this run's files (configs, state, `time` output). */
  readonly dir: string
  readonly timeoutMs: number
}

/** One contestant. */
export interface Contestant {
  /** Stable id, e.g. `firefront-kafkajs`, `kcat`. */
  readonly id: string
  /** The row's name in the table. */
  readonly label: string
  /** A Firefront backend (compared with the peers), or a peer. */
  readonly firefront: boolean
  /** How it sends, where that differs from Firefront's messages. */
  readonly note: string
  /** Runs it once; throws when it fails or says it sent other than `records`. */
  run(ctx: RunContext): Promise<ChildRun>
}

/** Records per produce request, for every contestant that lets it be set. */
export const BATCH = 500
/** Records the bench connector returns per poll (and per ingestion time for the bare producers). */
export const PER_POLL = 5000

const fail = (what: string, run: ChildRun): never => {
  throw new Error(`${what} exited with ${run.exitCode}:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-4000)}`)
}

/** The config of a `firefront run --once` of the bench connector with backend `client`. */
export function firefrontConfig(options: {
  client: string
  brokers: string
  topic: string
  records: number
  stateDir: string
  /** `kafka.max_in_flight_batches`; unset: the backend's default. */
  inFlight?: number
  /** `kafka.producer_process` (native only). */
  producerProcess?: boolean
  /** `kafka.native_producer` (native only). */
  nativeProducer?: string
}): string {
  return `# peers benchmark: ${options.records} generated detections through Firefront with kafka.client ${options.client}
state_dir: ${options.stateDir}
log_level: warn
plugins: [./bench-connector.mjs]
kafka:
  client: ${options.client}
  bootstrap_servers: "${options.brokers}"
  batch_size: ${BATCH}${options.inFlight === undefined ? '' : `\n  max_in_flight_batches: ${options.inFlight}`}${options.producerProcess ? '\n  producer_process: true' : ''}${options.nativeProducer ? `\n  native_producer: ${options.nativeProducer}` : ''}
  batch_timeout_seconds: 0.05
  topics: { partitions: 3 }
queue_max_size: 20000
queue_overflow_strategy: block
enable_dlq: false
sources:
  ${SOURCE_ID}:
    source_type: ${SOURCE_TYPE}
    topic: ${options.topic}
    rate_limit_per_minute: 60000000
    cache_ttl_seconds: 0
    ingestion: { mode: batch, max_pages_per_cycle: ${Math.ceil(options.records / PER_POLL) + 1} }
    config: { total: ${options.records}, per_poll: ${PER_POLL} }
`
}

/** What `firefront run` printed as sent in its summary's total line; undefined when absent. */
export function sentBySummary(stdout: string): number | undefined {
  const m = /^\s*total: .*\bsent (\d+)/m.exec(stdout)
  return m ? Number(m[1]) : undefined
}

/** Settings of a Firefront row beyond the backend's defaults. */
export interface FirefrontVariant {
  /** `kafka.max_in_flight_batches`. */
  readonly inFlight?: number
  /** `kafka.producer_process: true` (native). */
  readonly producerProcess?: boolean
  /** `kafka.native_producer` (native). */
  readonly nativeProducer?: 'batch' | 'node-rdkafka'
}

/**
 * Firefront end to end with one backend: `firefront run --once` of the built CLI, the bench
 * connector declared by relative path (bundled next to the config in `workDir`). A `variant` is a
 * row of its own (id and label say which); without one, the backend's defaults apply.
 */
export function firefront(client: string, cli: string, workDir: string, variant: FirefrontVariant = {}): Contestant {
  const { inFlight, producerProcess, nativeProducer } = variant
  const id = `${nativeProducer ? `-${nativeProducer}` : ''}${producerProcess ? '-process' : ''}${inFlight === undefined ? '' : `-${inFlight}-in-flight`}`
  const said = [
    nativeProducer === 'node-rdkafka' ? 'node-rdkafka per record' : (nativeProducer ?? ''),
    producerProcess ? 'producer process' : '',
    inFlight === undefined ? '' : `${inFlight} in flight`,
  ]
    .filter((x) => x)
    .map((x) => `, ${x}`)
    .join('')
  return {
    id: `firefront-${client}${id}`,
    label: `Firefront, ${client} backend${said} (run --once)`,
    firefront: true,
    note: 'the whole pipeline: connector, queue, delivery; the process includes start-up and shutdown',
    async run(ctx) {
      const base = `${workDir}/${ctx.topic}`
      writeFileSync(
        `${base}.yaml`,
        firefrontConfig({
          client,
          brokers: ctx.brokers,
          topic: ctx.topic,
          records: ctx.records,
          stateDir: `./${ctx.topic}-state`,
          ...(inFlight === undefined ? {} : { inFlight }),
          ...(producerProcess ? { producerProcess } : {}),
          ...(nativeProducer ? { nativeProducer } : {}),
        }),
      )
      const run = await runChild(process.execPath, [cli, 'run', '--once', `${base}.yaml`], `${ctx.dir}/time`, {
        timeoutMs: ctx.timeoutMs,
      })
      if (run.exitCode !== 0) fail(`firefront run (${client})`, run)
      const sent = sentBySummary(run.stdout)
      if (sent !== ctx.records)
        throw new Error(`firefront run (${client}) says it sent ${sent} of ${ctx.records}:\n${run.stdout}`)
      return run
    },
  }
}

/** A bare producer bundle run under node: `<brokers> <topic> <total> <batch> <per-poll>`. */
export function bareNode(id: string, label: string, bundle: string, note: string): Contestant {
  return {
    id,
    label,
    firefront: false,
    note,
    async run(ctx) {
      const args = [bundle, ctx.brokers, ctx.topic, String(ctx.records), String(BATCH), String(PER_POLL)]
      const run = await runChild(process.execPath, args, `${ctx.dir}/time`, { timeoutMs: ctx.timeoutMs })
      if (run.exitCode !== 0) fail(label, run)
      return run
    },
  }
}

/**
 * kcat (librdkafka) producing `key<TAB>value` lines of a file, acks all, idempotent, librdkafka's
 * own batching. kcat takes headers per invocation only, so every record carries the same five
 * headers, with one ingestion time.
 */
export function kcat(): Contestant {
  return {
    id: 'kcat',
    label: 'kcat -P (librdkafka)',
    firefront: false,
    note: 'same keys, values and header names; headers fixed per invocation (one ingested.at for all)',
    async run(ctx) {
      const headers = Object.entries(firefrontHeaders(new Date().toISOString())).flatMap(([k, v]) => [
        '-H',
        `${k}=${v}`,
      ])
      const args = ['-P', '-b', ctx.brokers, '-t', ctx.topic, '-X', 'acks=all', '-X', 'enable.idempotence=true']
      const run = await runChild('kcat', [...args, ...headers, '-K', '\t', '-l', ctx.keyedFile], `${ctx.dir}/time`, {
        timeoutMs: ctx.timeoutMs,
      })
      if (run.exitCode !== 0) fail('kcat -P', run)
      return run
    },
  }
}

/** JVM flags of Kafka's own scripts (kafka-run-class.sh), and the quiet tools logging. */
function jvm(heap: string[], lib: string, log4j: string, main: string): string[] {
  return [
    ...heap,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    `${lib}/*`,
    main,
  ]
}

/** Producer settings of the JVM peers: acks all, idempotent, batches of ~500 records over 3 partitions. */
const JAVA_PRODUCER = ['acks=all', 'enable.idempotence=true', 'batch.size=65536', 'linger.ms=5']

/**
 * Kafka's ProducerPerformance (kafka-producer-perf-test) with `--payload-file` of the same JSON
 * values: it sends `--num-records` values drawn at random from the file, without keys or headers.
 */
export function producerPerformance(lib: string, log4j: string): Contestant {
  return {
    id: 'producer-perf',
    label: 'Kafka ProducerPerformance (Java client)',
    firefront: false,
    note: `same values (drawn at random), no keys, no headers; ${JAVA_PRODUCER.slice(2).join(' ')}, 5 requests in flight`,
    async run(ctx) {
      const args = [
        ...jvm(['-Xmx512m'], lib, log4j, 'org.apache.kafka.tools.ProducerPerformance'),
        ...['--topic', ctx.topic, '--num-records', String(ctx.records), '--throughput', '-1'],
        ...['--payload-file', ctx.valuesFile, '--producer-props', `bootstrap.servers=${ctx.brokers}`, ...JAVA_PRODUCER],
      ]
      const run = await runChild('java', args, `${ctx.dir}/time`, { timeoutMs: ctx.timeoutMs })
      if (run.exitCode !== 0) fail('ProducerPerformance', run)
      if (!new RegExp(`^${ctx.records} records sent`, 'm').test(run.stdout)) {
        throw new Error(`ProducerPerformance did not report ${ctx.records} records sent:\n${run.stdout}`)
      }
      return run
    },
  }
}

/**
 * Kafka Connect standalone, FileStreamSource reading the file of JSON lines into the topic (string
 * converters: the value bytes are the line), the five headers added by InsertHeader transforms,
 * no keys. It does not end by itself: the run is over once the topic holds every record.
 */
export function kafkaConnect(lib: string, log4j: string): Contestant {
  return {
    id: 'connect',
    label: 'Kafka Connect standalone, FileStreamSource',
    firefront: false,
    note: `same values and headers (InsertHeader), no keys; producer ${JAVA_PRODUCER.slice(2).join(' ')}`,
    async run(ctx) {
      const worker = `${ctx.dir}/worker.properties`
      const source = `${ctx.dir}/source.properties`
      writeFileSync(
        worker,
        [
          `bootstrap.servers=${ctx.brokers}`,
          'key.converter=org.apache.kafka.connect.storage.StringConverter',
          'value.converter=org.apache.kafka.connect.storage.StringConverter',
          `offset.storage.file.filename=${ctx.dir}/connect.offsets`,
          // any free port for the REST API; plugins found by their manifests (no class-path scan)
          'listeners=http://127.0.0.1:0',
          'plugin.discovery=service_load',
          ...JAVA_PRODUCER.map((p) => `producer.${p}`),
          '',
        ].join('\n'),
      )
      const headers = Object.entries(firefrontHeaders(new Date().toISOString()))
      writeFileSync(
        source,
        [
          'name=peers-file-source',
          'connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector',
          'tasks.max=1',
          `file=${ctx.valuesFile}`,
          `topic=${ctx.topic}`,
          `transforms=${headers.map((_, i) => `h${i}`).join(',')}`,
          ...headers.flatMap(([k, v], i) => [
            `transforms.h${i}.type=org.apache.kafka.connect.transforms.InsertHeader`,
            `transforms.h${i}.header=${k}`,
            `transforms.h${i}.value.literal=${v}`,
          ]),
          '',
        ].join('\n'),
      )
      const args = jvm(['-Xms256m', '-Xmx2g'], lib, log4j, 'org.apache.kafka.connect.cli.ConnectStandalone')
      const admin = ctx.kafka.admin()
      await admin.connect()
      try {
        const run = await runChild('java', [...args, worker, source], `${ctx.dir}/time`, {
          timeoutMs: ctx.timeoutMs,
          doneWhen: async () => (await countRecords(admin, ctx.topic)) >= ctx.records,
        })
        if (run.exitCode !== 0) fail('Kafka Connect', run)
        return run
      } finally {
        await admin.disconnect()
      }
    },
  }
}
