'use strict'
/*
 * Loads the compiled addon. `addon` is null when it was not built here (see `reason`), so a
 * caller can fall back instead of failing at require time.
 */
const path = require('node:path')

let addon = null
let reason
try {
  addon = require(path.join(__dirname, 'build', 'Release', 'firefront_rdkafka_batch.node'))
} catch (err) {
  reason =
    err && err.code === 'MODULE_NOT_FOUND'
      ? 'the addon was not built here (its install script needs librdkafka-dev and a C compiler)'
      : `the addon failed to load (${String(err?.message).split('\n')[0]})`
}

module.exports = { addon, reason }
