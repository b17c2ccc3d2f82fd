#!/usr/bin/env node
/*
 * Compiles the addon against librdkafka: node-rdkafka's build when it is installed, else the
 * system's (see link-flags.cjs; static, so it never clashes with another librdkafka loaded in the
 * process). The addon is optional: when the build fails (no compiler, no
 * librdkafka-dev) this says why and exits 0, and Firefront's native backend falls back to
 * node-rdkafka's per-record producer.
 *
 *   node scripts/build-addon.cjs              build (the package's install script)
 *   node scripts/build-addon.cjs --if-missing build only when no addon is built yet
 */
'use strict'
const { spawnSync } = require('node:child_process')
const { existsSync } = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const built = path.join(root, 'build', 'Release', 'firefront_rdkafka_batch.node')
if (process.argv.includes('--if-missing') && existsSync(built)) process.exit(0)

const { nodeRdkafkaDeps, source } = require('./link-flags.cjs')

const hint =
  'the native backend then uses node-rdkafka per record; to build it, install node-rdkafka (it builds librdkafka) or librdkafka-dev and pkg-config, then `npm rebuild @firefront/rdkafka-batch`'

if (!nodeRdkafkaDeps() && spawnSync('pkg-config', ['--exists', 'rdkafka']).status !== 0) {
  console.warn(
    `@firefront/rdkafka-batch: no librdkafka to build against (neither node-rdkafka's build nor pkg-config rdkafka); ${hint}`,
  )
  process.exit(0)
}
console.log(`@firefront/rdkafka-batch: building against librdkafka from ${source()}`)

/** node-gyp: the one npm runs scripts with, else the one bundled with npm beside this node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ]
  return candidates.find((c) => c && existsSync(c))
}

const gyp = nodeGyp()
if (!gyp) {
  console.warn(`@firefront/rdkafka-batch: node-gyp was not found; ${hint}`)
  process.exit(0)
}
// Node's own headers when they are installed beside it (no download needed), else node-gyp's default.
const prefix = path.resolve(path.dirname(process.execPath), '..')
const nodedir = existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : []
const result = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedir], { cwd: root, stdio: 'inherit' })
if (result.status !== 0) {
  console.warn(`@firefront/rdkafka-batch: the build failed (exit ${result.status}); ${hint}`)
}
process.exit(0)
