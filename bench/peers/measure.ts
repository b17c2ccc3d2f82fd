/**
 * How the peers benchmark measures a contestant: it runs as a child process under
 * `/usr/bin/time` (CPU seconds and peak RSS of the whole process, threads included), into a fresh
 * topic whose broker stamps each record with its append time, which is then read back.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { type Admin, Kafka, logLevel } from 'kafkajs'

const TIME = '/usr/bin/time'

/** Whether a program is on the PATH. */
export const onPath = (bin: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0

/** A finished child process. */
export interface ChildRun {
  /** Epoch ms just before the spawn: the start of the end-to-end time. */
  readonly startedAt: number
  readonly exitCode: number | null
  readonly stdout: string
  readonly stderr: string
  /** User + system CPU seconds; NaN without /usr/bin/time. */
  readonly cpuSeconds: number
  /** Peak resident set size in MB; NaN without /usr/bin/time. */
  readonly peakRssMb: number
}

/** Options of {@link runChild}. */
export interface RunChildOptions {
  readonly env?: NodeJS.ProcessEnv
  /** Kill the process (SIGKILL) and fail after this long. */
  readonly timeoutMs: number
  /**
   * For a process that does not end by itself (Kafka Connect): polled every 250 ms; once it
   * resolves true, the process is killed and the run counts as finished.
   */
  readonly doneWhen?: () => Promise<boolean>
}

/**
 * Runs `command` under `/usr/bin/time -f '%U %S %M'` (when installed) and waits for it to end, or
 * for `doneWhen`. The signal goes to the measured process itself, not to `time`, so its usage is
 * still reported.
 */
export async function runChild(
  command: string,
  args: readonly string[],
  timeFile: string,
  options: RunChildOptions,
): Promise<ChildRun> {
  const timed = existsSync(TIME)
  const argv = timed ? [TIME, '-f', '%U %S %M', '-o', timeFile, command, ...args] : [command, ...args]
  rmSync(timeFile, { force: true })
  const startedAt = Date.now()
  const child = spawn(argv[0]!, argv.slice(1), { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  // `time` runs the command as its only child
  const measured = (): number | undefined => {
    if (!timed) return child.pid
    const children = `/proc/${child.pid}/task/${child.pid}/children`
    const pid = existsSync(children) ? Number(readFileSync(children, 'utf8').trim().split(/\s+/)[0]) : Number.NaN
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  }
  const kill = () => {
    const pid = measured()
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  let ended = false
  void exited.then(() => (ended = true))
  const deadline = startedAt + options.timeoutMs
  let timedOut = false
  let done = false
  while (!ended) {
    await Promise.race([exited, new Promise((r) => setTimeout(r, 250))])
    if (ended) break
    if (options.doneWhen && (await options.doneWhen())) {
      done = true
      kill()
      break
    }
    if (Date.now() > deadline) {
      timedOut = true
      kill()
      break
    }
  }
  const code = await exited
  if (timedOut) throw new Error(`${command} did not finish within ${options.timeoutMs / 1000} s; stderr: ${stderr}`)
  let cpuSeconds = Number.NaN
  let peakRssMb = Number.NaN
  if (timed && existsSync(timeFile)) {
    // a killed command adds a "Command terminated by signal" line before the figures
    const figures = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number)
    cpuSeconds = figures[0]! + figures[1]!
    peakRssMb = figures[2]! / 1024
  }
  return { startedAt, exitCode: done ? 0 : code, stdout, stderr, cpuSeconds, peakRssMb }
}

/** A Kafka client for the benchmark's own admin work (topics, offsets, read-back). */
export function benchKafka(brokers: string): Kafka {
  return new Kafka({ clientId: 'peers-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
}

/** Creates `topic` with `partitions` partitions, stamped by the broker (`LogAppendTime`). */
export async function createAppendTimeTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
      ],
      waitForLeaders: true,
    })
    if (!created) throw new Error(`topic ${topic} exists already`)
  } finally {
    await admin.disconnect()
  }
}

/** Deletes topics; a failure is ignored (they are throw-away). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.deleteTopics({ topics }).catch(() => {})
  await admin.disconnect()
}

/** Records in `topic` now: the sum over partitions of high − low watermark. */
export async function countRecords(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic)
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)
}

/**
 * Every record's broker append time in `topic`, in no particular order: read with `kcat -C` when
 * installed (fast, and independent of the clients measured), else with a kafkajs consumer.
 */
export async function appendTimes(kafka: Kafka, brokers: string, topic: string): Promise<number[]> {
  if (onPath('kcat')) {
    const out = spawnSync('kcat', ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%T\\n'], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      timeout: 300_000,
    })
    if (out.status !== 0) throw new Error(`kcat -C ${topic} exited with ${out.status}: ${out.stderr}`)
    return out.stdout.trim().split('\n').filter(Boolean).map(Number)
  }
  const admin = kafka.admin()
  await admin.connect()
  const expected = await countRecords(admin, topic).finally(() => admin.disconnect())
  const times: number[] = []
  if (expected === 0) return times
  const consumer = kafka.consumer({ groupId: `peers-bench-read-${topic}`, maxBytes: 64 << 20 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) times.push(Number(m.timestamp))
        if (times.length >= expected) resolve()
      },
    })
  })
  await consumer.disconnect()
  return times
}

/** Rates from the broker's append times of one contestant's N records. */
export interface Rates {
  /** Records/s over the middle 80 % of the records (10th to 90th percentile of append times). */
  readonly steady: number
  /** Records/s from the process start to the last record's append. */
  readonly endToEnd: number
}

/** {@link Rates} of `times` (epoch ms) for a process started at `startedAt`. */
export function ratesOf(times: number[], startedAt: number): Rates {
  const sorted = Float64Array.from(times).sort()
  const n = sorted.length
  const lo = Math.floor(n * 0.1)
  const hi = Math.ceil(n * 0.9) - 1
  // append times are whole milliseconds: at least 1 ms so that a burst does not divide by zero
  const steady = (hi - lo) / (Math.max(1, sorted[hi]! - sorted[lo]!) / 1000)
  const endToEnd = n / (Math.max(1, sorted[n - 1]! - startedAt) / 1000)
  return { steady, endToEnd }
}

/**
 * Round `r`'s order of the contestants: rotated by `r` and reversed every other round, so that
 * each runs early and late, and after different neighbours.
 */
export function roundOrder<T>(items: readonly T[], r: number): T[] {
  const k = r % items.length
  const rotated = [...items.slice(k), ...items.slice(0, k)]
  return r % 2 === 1 ? rotated.reverse() : rotated
}
