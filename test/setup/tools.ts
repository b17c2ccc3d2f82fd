import { execFileSync, spawnSync } from 'node:child_process'

const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0

/**
 * Makes sure the independent witnesses the tests use (kcat, mosquitto_pub/sub) are installed,
 * installing the Debian packages when they are missing and we are root.
 */
export function ensureWitnessTools(): void {
  const wanted: Array<[bin: string, pkg: string]> = [
    ['kcat', 'kcat'],
    ['mosquitto_pub', 'mosquitto-clients'],
    ['mosquitto_sub', 'mosquitto-clients'],
  ]
  const missing = [...new Set(wanted.filter(([bin]) => !has(bin)).map(([, pkg]) => pkg))]
  if (missing.length === 0) return
  if (process.getuid?.() !== 0) {
    throw new Error(
      `test setup: missing ${missing.join(', ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`,
    )
  }
  const install = (): number =>
    spawnSync('apt-get', ['install', '-y', '-q', ...missing], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status ?? 1
  if (install() !== 0) {
    execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit' })
    if (install() !== 0) throw new Error(`test setup: apt-get could not install ${missing.join(', ')}`)
  }
}
