/**
 * The live status line of `firefront run` on a terminal, kept at the bottom: a log line is written
 * above it (the line is cleared, the log written, the line painted again), so the two never run
 * into each other. Log output reaches the terminal only through {@link StatusLine.logStream}.
 */

/** Where the line is drawn (stderr). */
export interface LineOutput {
  write(text: string): unknown
}

const CLEAR = '\r\u001b[2K'

/** The status line; see the module comment. */
export class StatusLine {
  #text = ''
  #done = false

  constructor(private readonly out: LineOutput) {}

  /** Draws `text` as the status line (replacing the previous one). */
  paint(text: string): void {
    if (this.#done) return
    this.#text = text
    this.out.write(`${CLEAR}${text}`)
  }

  /** Writes `chunk` (whole log lines) above the status line. */
  writeAbove(chunk: string): void {
    if (this.#done || this.#text === '') {
      this.out.write(chunk)
      return
    }
    this.out.write(`${CLEAR}${chunk}${chunk.endsWith('\n') ? '' : '\n'}${this.#text}`)
  }

  /** Leaves the last line as it is, with a line break, and writes later log lines plainly. */
  end(text: string): void {
    if (this.#done) return
    this.out.write(`${CLEAR}${text}\n`)
    this.#done = true
    this.#text = ''
  }

  /** A destination for the logger that writes above the line. */
  logStream(): { write(chunk: string): boolean } {
    return {
      write: (chunk: string) => {
        this.writeAbove(chunk)
        return true
      },
    }
  }
}
