import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, inject, it } from 'vitest'
import { mosquittoPub, withoutDigest } from './mqtt-harness'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const cli = join(root, 'packages/core/dist/cli.js')
const plugin = join(root, 'packages/connector-iot-mqtt/dist/index.js')
// the plugin lies outside the test's config folder: trust its package explicitly
const trust = ['--allow-plugin-path', join(root, 'packages/connector-iot-mqtt')]
const url = inject('mqttUrl')

// The built `firefront` binary with the built connector: needs
// `npm run build -w packages/sdk -w packages/connector-iot-mqtt -w packages/core` first.
describe('firefront run with an iot_mqtt source', () => {
  it('writes each published reading to the file sink once and stops on SIGTERM', async () => {
    expect(
      existsSync(cli) && existsSync(plugin),
      'build first: npm run build -w packages/sdk -w packages/connector-iot-mqtt -w packages/core',
    ).toBe(true)
    const state = mkdtempSync(join(tmpdir(), 'firefront-mqtt-cli-'))
    const p = `firefront-test/${randomUUID()}`
    const config = join(state, 'firefront.yaml')
    writeFileSync(
      config,
      [
        `plugins: [${JSON.stringify(plugin)}]`,
        `sink: { type: file, config: { directory: ${JSON.stringify(join(state, 'out'))} } }`,
        'sources:',
        '  ridge_sensors:',
        '    source_type: iot_mqtt',
        '    ingestion: { mode: continuous_streaming, buffer_size: 1 }',
        '    config:',
        `      url: ${JSON.stringify(url)}`,
        `      topics: [${JSON.stringify(`${p}/+/telemetry`)}]`,
        `      client_id: ${JSON.stringify(`firefront-test-${randomUUID()}`)}`,
        '      clean_session: true',
        '',
      ].join('\n'),
    )
    const child = spawn(process.execPath, [cli, 'run', config, ...trust], {
      cwd: state,
      env: { ...process.env, FIREFRONT_STATE_DIR: state, FIREFRONT_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    for (let i = 0; i < 200 && !output.includes('"msg":"subscribed"'); i++) await new Promise((r) => setTimeout(r, 50))
    expect(output).toContain('"msg":"subscribed"')

    const reading = (seq: number) =>
      JSON.stringify({ deviceId: 'ws-1', ts: `2026-08-01T12:00:0${seq}Z`, seq, temperatureC: 30 + seq })
    for (const seq of [1, 2, 3]) await mosquittoPub(url, `${p}/ws-1/telemetry`, reading(seq))
    await mosquittoPub(url, `${p}/ws-1/telemetry`, reading(3))
    await mosquittoPub(url, `${p}/ws-1/telemetry`, 'not json')
    const out = join(state, 'out', 'wildfire-iot-sensors.jsonl')
    const dlq = join(state, 'out', 'firefront-dlq.jsonl')
    const linesOf = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
    const lines = () => linesOf(out)
    for (let i = 0; i < 200 && (lines().length < 3 || linesOf(dlq).length < 1); i++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    child.kill('SIGTERM')
    expect(await exited).toBe(0)

    const written = lines().map(
      (l) => JSON.parse(l) as { key: string; value: { seq: number }; headers: Record<string, string> },
    )
    expect(written.map((r) => withoutDigest(r.key))).toEqual(
      [1, 2, 3].map((s) => `ws-1:sensor:2026-08-01T12:00:0${s}.000Z:${s}`),
    )
    expect(written[0]?.headers).toMatchObject({ 'mqtt-topic': `${p}/ws-1/telemetry`, 'mqtt-qos': '1' })
    expect(linesOf(dlq).map((l) => JSON.parse(l) as { value: unknown })).toEqual([
      expect.objectContaining({
        value: { reason: expect.stringMatching(/^invalid JSON/), location: `${p}/ws-1/telemetry`, input: 'not json' },
      }),
    ])
    expect(output).toContain('ridge_sensors (iot-mqtt, stopped): fetched 3')
    expect(output).toContain('rejected inputs 1')
    // the copy of reading 3 is counted in the summary, not dropped silently
    expect(output).toMatch(/rejected inputs 1, skipped 1 \(duplicate=1\)/)
  })
})
