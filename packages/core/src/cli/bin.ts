#!/usr/bin/env node
/** The executable behind the `firefront` bin. */
import { EXIT } from './io'
import { main } from './main'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
    // Exit even if a client library left a socket or timer open; pino flushes on the way out.
    setTimeout(() => process.exit(code), 2000).unref()
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
    process.exitCode = EXIT.failure
  },
)
