import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('../../kafka-ci/kafka.sh', import.meta.url))

/** A broker started by {@link startKafka}; `stop()` ends it by its saved PID. */
export interface KafkaBroker {
  readonly brokers: string
  readonly port: number
  stop(): void
  /** Starts it again on the same port, keeping its data (a restart after a stop). */
  restart(): void
  /** Ends it at once with SIGKILL by its saved PID: no controlled shutdown, no flush. */
  kill(): void
}

function run(command: 'start' | 'stop', port: number, fresh: boolean): void {
  const result = spawnSync('bash', [script, command], {
    env: { ...process.env, KAFKA_PORT: String(port), KAFKA_FRESH: fresh ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  if (result.status !== 0) throw new Error(`kafka-ci/kafka.sh ${command} (port ${port}) exited with ${result.status}`)
}

/** Starts a real single-node KRaft broker on 127.0.0.1:`port` with fresh data. */
export function startKafka(port: number): KafkaBroker {
  run('start', port, true)
  return {
    brokers: `127.0.0.1:${port}`,
    port,
    stop: () => run('stop', port, false),
    restart: () => run('start', port, false),
    kill: () => {
      const dir = process.env.KAFKA_CI_DIR ?? fileURLToPath(new URL('../../.kafka-ci', import.meta.url))
      process.kill(Number(readFileSync(join(dir, `instance-${port}`, 'kafka.pid'), 'utf8').trim()), 'SIGKILL')
    },
  }
}
