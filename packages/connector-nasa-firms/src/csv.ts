/**
 * Splits CSV text into records. FIRMS never quotes its fields, so a body without any `"` is read
 * line by line with `String.split`; a body that has quotes goes through csv-parse, which
 * implements RFC 4180 quoting (fields with commas, quotes and line breaks).
 *
 * Why not csv-parse for everything: it reads byte by byte, and with it the whole parse reached
 * 78k–94k rows/s against 274k–331k rows/s for the line split, same body and typing, same run
 * (bench/firms-parse.bench.ts; figures in the README), short of the 200k rows/s target. Both
 * readers give identical records on quote-free bodies; the tests run each on the same bodies.
 */
import { parse } from 'csv-parse/sync'

/** Which reader to use: `auto` (fast path unless the body has quotes) or csv-parse always. */
export type CsvEngine = 'auto' | 'csv-parse'

/**
 * Called once per non-blank record: `index` 0 is the header, then 1, 2… for data rows.
 * `fields` is `null` when the record itself could not be read (broken quoting); `problem` says why.
 */
export type CsvRecordHandler = (fields: string[] | null, text: string, index: number, problem?: string) => void

const CR = 13
const BOM = 0xfeff

/** Reads every record of `text` in order, with CRLF or LF line ends and with or without a final newline. */
export function forEachCsvRecord(text: string, onRecord: CsvRecordHandler, engine: CsvEngine = 'auto'): void {
  if (engine === 'csv-parse' || text.includes('"')) readWithCsvParse(text, onRecord)
  else readLines(text, onRecord)
}

function readLines(text: string, onRecord: CsvRecordHandler): void {
  const len = text.length
  let start = text.charCodeAt(0) === BOM ? 1 : 0
  let index = 0
  while (start < len) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = len
    let stop = end
    if (stop > start && text.charCodeAt(stop - 1) === CR) stop--
    if (stop > start) {
      const line = text.slice(start, stop)
      // Only a line that starts with whitespace can be blank; skip the trim for the rest.
      if (line.charCodeAt(0) > 32 || line.trim() !== '') onRecord(line.split(','), line, index++)
    }
    start = end + 1
  }
}

const EDGE_BREAKS = /^[\r\n]+|[\r\n]+$/g

function readWithCsvParse(text: string, onRecord: CsvRecordHandler): void {
  let index = 0
  parse(text, {
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    // Records are handled as they are read (and dropped from the result), so rows and skipped
    // rows keep their order.
    on_record: (value, context) => {
      // With `raw` on, csv-parse hands over `{ record, raw }` although its types say `string[]`.
      const fields = Array.isArray(value) ? value : (value as unknown as { record: string[] }).record
      if (!(fields.length === 1 && fields[0]!.trim() === '')) {
        onRecord(fields, (context.raw ?? fields.join(',')).replace(EDGE_BREAKS, ''), index++)
      }
      return null
    },
    on_skip: (err, raw) => {
      onRecord(null, (raw ?? '').replace(EDGE_BREAKS, ''), index++, err?.message ?? 'unreadable CSV record')
      return undefined
    },
  })
}
