#!/usr/bin/env node
/*
 * Compiler and linker flags for the addon's librdkafka, printed for binding.gyp:
 *   node scripts/link-flags.cjs cflags|libs
 * librdkafka is linked statically with its symbols hidden, so this copy never meets another one
 * loaded in the process (node-rdkafka's librdkafka.so.1). The librdkafka that node-rdkafka built,
 * when it is installed beside this package (the same version the rest of the native backend
 * uses), else the system's (`pkg-config rdkafka`, Debian's librdkafka-dev).
 * FIREFRONT_RDKAFKA=system picks the system's.
 */
'use strict'
const { execFileSync } = require('node:child_process')
const { existsSync } = require('node:fs')
const path = require('node:path')

/** node-rdkafka's build of librdkafka, if it has one. */
function nodeRdkafkaDeps() {
  if (process.env.FIREFRONT_RDKAFKA === 'system') return undefined
  try {
    const pkg = require.resolve('node-rdkafka/package.json', { paths: [path.resolve(__dirname, '..')] })
    const deps = path.join(path.dirname(pkg), 'build', 'deps')
    if (
      existsSync(path.join(deps, 'librdkafka.a')) &&
      existsSync(path.join(deps, 'include', 'librdkafka', 'rdkafka.h'))
    ) {
      return deps
    }
  } catch {}
  return undefined
}

const pkgConfig = (...args) => execFileSync('pkg-config', args, { encoding: 'utf8' }).trim()

/** Libraries librdkafka's static archive needs, as -l flags. */
function systemLibs() {
  return '-lz -lcrypto -lssl -lsasl2 -lzstd -llz4 -lm -ldl -lpthread -lrt'
}

function flags(what) {
  const deps = nodeRdkafkaDeps()
  if (deps) {
    if (what === 'cflags') return `-I${path.join(deps, 'include')}`
    return `-Wl,--exclude-libs,ALL ${path.join(deps, 'librdkafka.a')} ${systemLibs()}`
  }
  if (what === 'cflags') return pkgConfig('--cflags', 'rdkafka')
  const libdir = pkgConfig('--variable=libdir', 'rdkafka')
  const rest = pkgConfig('--static', '--libs-only-l', 'rdkafka')
    .split(/\s+/)
    .filter((f) => f && f !== '-lrdkafka')
    .join(' ')
  return `-Wl,--exclude-libs,ALL ${path.join(libdir, 'librdkafka.a')} ${rest}`
}

/** Where librdkafka comes from, for the build's log. */
function source() {
  const deps = nodeRdkafkaDeps()
  return deps ? `node-rdkafka's build (${deps})` : 'the system (pkg-config rdkafka)'
}

if (require.main === module) {
  const what = process.argv[2]
  if (what === 'source') console.log(source())
  else console.log(flags(what === 'cflags' ? 'cflags' : 'libs'))
}

module.exports = { nodeRdkafkaDeps, source }
