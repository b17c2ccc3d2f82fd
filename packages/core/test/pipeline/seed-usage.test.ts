import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { PullConnector } from '@firefront/sdk'
import { describe, expect, inject, it } from 'vitest'
import { StreamManager } from '../../src/runtime/stream-manager'
import { quietLogger } from './helpers'

const run = promisify(execFile)
const seed = fileURLToPath(new URL('../config/fixtures/seed-stream-config.yaml', import.meta.url))

// The seed's "Usage Example", step by step: config file, start(), start_stream(source_id, connector)
// with a connector handed over in code, get_metrics() read by the seed's keys, stop_stream(), stop().
describe("the seed's usage example against the real broker", () => {
  it('runs unchanged but for the broker address and a state folder of its own', async () => {
    const brokers = inject('kafkaBrokers')
    const dir = mkdtempSync(join(tmpdir(), 'firefront-seed-'))
    const file = join(dir, 'stream_config.yaml')
    writeFileSync(file, `${readFileSync(seed, 'utf8').replace('localhost:9092', brokers)}\nstate_dir: ${dir}/state\n`)

    const streamManager = await StreamManager.fromFile(file, { logger: quietLogger() })
    await streamManager.start()
    const marker = randomUUID()
    let polls = 0
    const noaaConnector: PullConnector = {
      mode: 'pull',
      poll: async () => {
        polls++
        return polls > 1
          ? { records: [] }
          : {
              records: [
                { key: `${marker}-KSAC`, value: { station: 'KSAC', temperatureC: 31.2, relativeHumidityPct: 9 } },
              ],
            }
      },
    }
    const streamId = await streamManager.startStream('noaa_weather_ca', noaaConnector)

    let metrics = await streamManager.getMetrics()
    for (let i = 0; i < 150 && Number((metrics.producer as Record<string, number>).total_sent) === 0; i++) {
      await new Promise((r) => setTimeout(r, 100))
      metrics = await streamManager.getMetrics()
    }
    expect(metrics.stream_manager.active_streams).toBe(1)
    expect(metrics.queue?.max_size).toBe(streamManager.config.queue_max_size)
    expect((metrics.throttling as Record<string, string>).current_state).toBe('allow')
    expect((metrics.producer as Record<string, number>).total_sent).toBeGreaterThan(0)
    const stream = metrics.streams[streamId]!
    expect(stream.mode.mode).toBe('continuous_streaming')
    // the seed's per-source API client settings reach the API client
    expect(stream.api).toMatchObject({ rate_limit_per_minute: 120, timeout_seconds: 30, cache_enabled: true })
    expect(stream.api?.successful_calls).toBeGreaterThanOrEqual(1)

    await streamManager.stopStream(streamId)
    await streamManager.stop()
    const { stdout } = await run(
      'kcat',
      ['-C', '-b', brokers, '-t', 'wildfire-weather-data', '-e', '-q', '-f', '%k\n'],
      { maxBuffer: 1 << 26 },
    )
    expect(stdout.split('\n')).toContain(`${marker}-KSAC`)
  })
})
