/**
 * Device identity from the topic: a template such as `{prefix}/{device}/{kind}` (or Tasmota's own
 * FullTopic syntax, `%prefix%/%topic%/`) says which levels name the device and the message kind,
 * so a topic like `home/tele/x/SENSOR` gives the device `x`, not `home/tele/x`.
 */

/** Tasmota's default FullTopic: prefix (`cmnd`/`stat`/`tele`), then the device topic; the kind follows. */
export const TASMOTA_FULL_TOPIC = '%prefix%/%topic%/'

/** Tasmota's default prefixes (its `Prefix1`, `Prefix2`, `Prefix3`). */
export const TASMOTA_PREFIXES = ['cmnd', 'stat', 'tele'] as const

type Part =
  | { readonly type: 'literal'; readonly text: string }
  | { readonly type: 'any' }
  | { readonly type: 'prefix' }
  | { readonly type: 'device' }
  | { readonly type: 'kind' }

/** What a topic says about its message. */
export interface TopicMatch {
  /** The device id: the level(s) the template's `{device}` covers. */
  readonly device: string
  /** The kind level as published (`SENSOR`, `STATE`, `LWT`, `STATUS8`...). */
  readonly kind: string
  /** The prefix level, when the template has one (`tele`, `stat`, `cmnd`). */
  readonly prefix?: string
}

/** A parsed topic template. */
export interface TopicTemplate {
  readonly text: string
  /** The parts of the topic it reads, or the reason the topic does not fit. */
  match(topic: string): TopicMatch | string
}

// Tasmota FullTopic tokens: %topic% is the device topic; %hostname% and %id% (MAC tail) also name a device.
const TOKENS: Readonly<Record<string, Part['type']>> = {
  '{prefix}': 'prefix',
  '%prefix%': 'prefix',
  '{device}': 'device',
  '%topic%': 'device',
  '%hostname%': 'device',
  '%id%': 'device',
  '{kind}': 'kind',
  '+': 'any',
}

/**
 * Parses a template. `{device}` (or `%topic%`, `%hostname%`, `%id%`) is required and may span
 * several levels (`tele/sonoff/13DC54/SENSOR` gives `sonoff/13DC54`); `{kind}` defaults to the
 * level after the template, as in Tasmota where the FullTopic is followed by the command or
 * message name; `+` skips one level. Throws with the reason on a template it cannot use.
 */
export function parseTopicTemplate(text: string, prefixes: readonly string[] = TASMOTA_PREFIXES): TopicTemplate {
  const levels = text.replace(/\/$/, '').split('/')
  const parts: Part[] = levels.map((level) => {
    const token = TOKENS[level]
    if (token) return { type: token } as Part
    if (/[{}%+#]/.test(level)) throw new Error(`unknown placeholder in level "${level}"`)
    return { type: 'literal', text: level }
  })
  const count = (t: Part['type']) => parts.filter((p) => p.type === t).length
  if (count('device') !== 1) throw new Error('needs exactly one {device} (or %topic%)')
  if (count('kind') > 1 || count('prefix') > 1) throw new Error('{kind} and {prefix} may each appear once')
  if (count('kind') === 0) parts.push({ type: 'kind' })
  const at = parts.findIndex((p) => p.type === 'device')
  const before = parts.slice(0, at)
  const after = parts.slice(at + 1)
  const prefixSet = new Set(prefixes)

  const fixed = (part: Part, level: string, out: { prefix?: string; kind?: string }): string | undefined => {
    switch (part.type) {
      case 'literal':
        return level === part.text ? undefined : `level "${level}" is not "${part.text}"`
      case 'prefix':
        if (!prefixSet.has(level)) return `level "${level}" is not a prefix (${[...prefixSet].join(', ')})`
        out.prefix = level
        return undefined
      case 'kind':
        if (level === '') return 'the kind level is empty'
        out.kind = level
        return undefined
      default:
        return undefined
    }
  }

  return {
    text,
    match(topic) {
      const t = topic.split('/')
      const deviceLevels = t.length - before.length - after.length
      if (deviceLevels < 1) return `topic "${topic}" has fewer levels than the template "${text}"`
      const out: { prefix?: string; kind?: string } = {}
      for (const [i, part] of before.entries()) {
        const problem = fixed(part, t[i] as string, out)
        if (problem) return `topic "${topic}" does not fit the template "${text}": ${problem}`
      }
      for (const [i, part] of after.entries()) {
        const problem = fixed(part, t[before.length + deviceLevels + i] as string, out)
        if (problem) return `topic "${topic}" does not fit the template "${text}": ${problem}`
      }
      const device = t.slice(before.length, before.length + deviceLevels).join('/')
      if (device.split('/').some((l) => l === '')) return `topic "${topic}" has an empty device level`
      return { device, kind: out.kind as string, ...(out.prefix !== undefined ? { prefix: out.prefix } : {}) }
    },
  }
}
