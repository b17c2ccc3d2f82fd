// The deployment examples of docs/deploy.md, checked as far as this machine allows: the systemd
// unit with systemd-analyze, the alert rules and scrape config with promtool (rules unit-tested),
// the Kubernetes manifest's probes and config against what the runtime serves and accepts.
// The Dockerfile is not built here (no container runtime in CI); docs/deploy.md says so.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { loadConfig } from '../packages/core/src/config/load'
import { RUNTIME_METRICS } from '../packages/core/src/observability/runtime-metrics'
import { operatorTool, toolPath } from './setup/operator-tools'

const root = fileURLToPath(new URL('../', import.meta.url))
const deploy = (p: string) => join(root, 'deploy', p)
const promtool = operatorTool('promtool')
const systemdAnalyze = toolPath('systemd-analyze')

describe.skipIf(!systemdAnalyze)('the systemd unit', () => {
  it('passes systemd-analyze verify without a word', () => {
    // verify reads the unit by its file name; a copy keeps the repository out of its view
    const dir = mkdtempSync(join(tmpdir(), 'firefront-unit-'))
    copyFileSync(deploy('systemd/firefront.service'), join(dir, 'firefront.service'))
    const r = spawnSync(systemdAnalyze!, ['verify', join(dir, 'firefront.service')], { encoding: 'utf8' })
    const about = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => l.includes('firefront.service'))
      .join('\n')
    expect(about).toBe('')
    expect(r.status).toBe(0)
    const unit = readFileSync(deploy('systemd/firefront.service'), 'utf8')
    // the stop budget is longer than the runtime's default shutdown_timeout_seconds (30)
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])).toBeGreaterThan(30)
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m)
  })
})

describe.skipIf(!promtool)('the Prometheus examples', () => {
  it('promtool checks the scrape config and the rules, and the rules pass their unit tests', () => {
    for (const args of [
      ['check', 'config', 'prometheus.yml'],
      ['check', 'rules', 'firefront-alerts.yml'],
      ['test', 'rules', 'firefront-alerts.test.yml'],
    ]) {
      const r = spawnSync(promtool!, args, { cwd: deploy('prometheus'), encoding: 'utf8' })
      expect(r.status, `promtool ${args.join(' ')}:\n${r.stdout}${r.stderr}`).toBe(0)
    }
  })

  it('the rules only name metrics the runtime serves', () => {
    const rules = readFileSync(deploy('prometheus/firefront-alerts.yml'), 'utf8')
    const named = new Set(rules.match(/firefront_[a-z_]+/g))
    const served = new Set(RUNTIME_METRICS.map((m) => m.name))
    expect([...named].filter((n) => !served.has(n))).toEqual([])
  })
})

describe('the Kubernetes manifest', () => {
  const docs = parseAllDocuments(readFileSync(deploy('kubernetes/firefront.yaml'), 'utf8')).map(
    (d) => d.toJSON() as { kind: string; data?: Record<string, string>; spec?: Record<string, unknown> },
  )
  const deployment = docs.find((d) => d.kind === 'Deployment')!
  type Probe = { httpGet: { path: string; port: string } }
  const container = (
    deployment.spec as {
      template: { spec: { terminationGracePeriodSeconds: number; containers: Array<Record<string, unknown>> } }
    }
  ).template.spec.containers[0] as {
    livenessProbe: Probe
    readinessProbe: Probe
    startupProbe: Probe
    ports: Array<{ name: string; containerPort: number }>
  }

  it('probes /health for liveness and /ready for readiness on the metrics port', async () => {
    expect(container.livenessProbe.httpGet.path).toBe('/health')
    expect(container.readinessProbe.httpGet.path).toBe('/ready')
    expect(container.startupProbe.httpGet.path).toBe('/ready')
    const port = container.ports.find((p) => p.name === container.livenessProbe.httpGet.port)!
    const dir = mkdtempSync(join(tmpdir(), 'firefront-k8s-'))
    const file = join(dir, 'firefront.yaml')
    writeFileSync(file, docs.find((d) => d.kind === 'ConfigMap')!.data!['firefront.yaml']!)
    process.env.KAFKA_BOOTSTRAP_SERVERS = 'kafka.kafka.svc:9092'
    process.env.FIRMS_MAP_KEY = 'test-key'
    const loaded = await loadConfig(file)
    expect(loaded.issues).toEqual([])
    expect(loaded.config.metrics).toMatchObject({ enabled: true, host: '0.0.0.0', port: port.containerPort })
    // the pod's grace covers the graceful stop
    const grace = (deployment.spec as { template: { spec: { terminationGracePeriodSeconds: number } } }).template.spec
      .terminationGracePeriodSeconds
    expect(grace).toBeGreaterThan(loaded.config.shutdown_timeout_seconds)
  })
})
