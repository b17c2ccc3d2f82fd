/**
 * `firefront dlq <config> [--replay] [--source S] [--since T] [--reason CODE] [--topic T] [--limit N] [--json]`:
 * what the dead-letter topic, the disk spool and the local dead-letter file hold (counts by reason
 * and source), and with `--replay`, sends the chosen dead-lettered records back to their original
 * topics once their cause is fixed.
 *
 * The spool and the local dead-letter file are on disk: they are listed even when no broker
 * answers (exit 0, with a note that the topic could not be read). `--replay` needs the broker and
 * exits 1 without it.
 */
import { parseArgs } from 'node:util'
import { type DlqFilter, inspectDlq, replayDlq } from '../../sinks/kafka'
import { EXIT, type CommandIO } from '../io'
import { loadConfigOrReport } from '../load-runtime'

const counts = (o: Record<string, number>): string =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '-'

/** Runs the command; resolves with the exit code. */
export async function dlqCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      replay: { type: 'boolean', default: false },
      source: { type: 'string' },
      since: { type: 'string' },
      reason: { type: 'string' },
      topic: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const file = positionals[0]
  if (!file) {
    io.stderr.write(
      'usage: firefront dlq <config> [--replay] [--source S] [--since T] [--reason CODE] [--topic T] [--limit N] [--json]\n',
    )
    return EXIT.invalid
  }
  if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) {
    io.stderr.write(
      `firefront dlq: --since ${JSON.stringify(values.since)} is not a date-time (e.g. 2026-11-27T00:00:00Z)\n`,
    )
    return EXIT.invalid
  }
  const loaded = await loadConfigOrReport(file, io)
  if (!loaded) return EXIT.invalid
  const filter: DlqFilter = {
    ...(values.source ? { source: values.source } : {}),
    ...(values.since ? { since: values.since } : {}),
    ...(values.reason ? { reason: values.reason } : {}),
    ...(values.topic ? { topic: values.topic } : {}),
    ...(values.limit ? { limit: Number(values.limit) } : {}),
  }
  if (values.replay) {
    let result: Awaited<ReturnType<typeof replayDlq>>
    try {
      result = await replayDlq(loaded.config, filter)
    } catch (err) {
      io.stderr.write(
        `firefront dlq --replay: cannot read the dead-letter topic ${loaded.config.dlq.topic}: ${err instanceof Error ? err.message : String(err)}\n`,
      )
      return EXIT.failure
    }
    if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    else {
      io.stdout.write(
        `replayed ${result.replayed} of ${result.matched} matching record(s) from ${result.topic}; skipped ${result.skipped} without an original topic; failed ${result.failed}\n`,
      )
      io.stdout.write(`  by topic: ${counts(result.byTopic)}\n`)
      for (const e of result.errors) io.stderr.write(`  error: ${e}\n`)
    }
    return result.failed > 0 ? EXIT.failure : EXIT.ok
  }
  const report = await inspectDlq(loaded.config, filter)
  if (values.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return EXIT.ok
  }
  if (report.topicError !== null) {
    io.stdout.write(
      `dead-letter topic ${report.topic}: could not be read (${report.topicError}); showing only what is on disk\n`,
    )
  } else {
    io.stdout.write(`dead-letter topic ${report.topic}: ${report.total} record(s), ${report.matched} matching\n`)
    io.stdout.write(
      `  by reason: ${counts(report.byReason)}\n  by source: ${counts(report.bySource)}\n  by original topic: ${counts(report.byOriginalTopic)}\n`,
    )
  }
  for (const r of report.records) {
    io.stdout.write(
      `  ${r.partition}/${r.offset} ${r.failedAt ?? '-'} ${r.sourceId ?? '-'} → ${r.originalTopic ?? '-'} ${r.code ?? '-'}: ${r.error ?? ''}\n`,
    )
  }
  io.stdout.write(
    `spool: ${report.spool.records} record(s) in ${report.spool.entries} batch(es), ${report.spool.bytes} bytes; by reason: ${counts(report.spool.byReason)}; by source: ${counts(report.spool.bySource)}\n`,
  )
  io.stdout.write(
    `local dead-letter file: ${report.local.records} record(s); by reason: ${counts(report.local.byReason)}\n`,
  )
  return EXIT.ok
}
