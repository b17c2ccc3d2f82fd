import { describe, expect, it } from 'vitest'
import { createLogger } from '../observability/logger'
import { StatusLine } from './status-line'

/** The lines a terminal shows for `text` (carriage return and erase-line honoured). */
function screen(text: string): string[] {
  const lines: string[] = ['']
  const erase = String.fromCharCode(27) + '[2K'
  for (const part of text.split(new RegExp(`(\r|\n|${erase.replace('[', '\\[')})`))) {
    if (part === '\n') lines.push('')
    else if (part === '\r') continue
    else if (part === erase) lines[lines.length - 1] = ''
    else lines[lines.length - 1] += part
  }
  return lines
}

describe('the status line of firefront run', () => {
  it('keeps below the log: no log line and status text ever share a terminal line', () => {
    let out = ''
    const line = new StatusLine({ write: (t: string) => (out += t) })
    const logger = createLogger({ level: 'info', destination: line.logStream(), pretty: false })
    line.paint('in 10  out 8')
    logger.info({ source: 'fires' }, 'stream started')
    line.paint('in 20  out 18')
    logger.warn('consumer lag could not be read')
    logger.info('second line')
    line.end('in 30  out 30')
    logger.info('stream manager stopped')
    const shown = screen(out).filter((l) => l !== '')
    expect(shown).toHaveLength(5)
    const logs = shown.filter((l) => l.startsWith('{'))
    expect(logs.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'stream started',
      'consumer lag could not be read',
      'second line',
      'stream manager stopped',
    ])
    // the one status line left is the last painted, after the run
    expect(shown.filter((l) => !l.startsWith('{'))).toEqual(['in 30  out 30'])
    expect(shown.indexOf('in 30  out 30')).toBe(3)
  })
})
