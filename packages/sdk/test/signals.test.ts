import { describe, expect, it } from 'vitest'
import { linkSignals } from '../src/signals'

describe('linkSignals', () => {
  it('aborts with the reason of the first parent that aborts', () => {
    const a = new AbortController()
    const b = new AbortController()
    const linked = linkSignals([a.signal, b.signal])
    b.abort(new Error('b stopped'))
    expect(linked.signal.aborted).toBe(true)
    expect((linked.signal.reason as Error).message).toBe('b stopped')
    expect(linked.timedOut()).toBe(false)
    linked.dispose()
  })

  it('starts aborted when a parent already is', () => {
    const a = new AbortController()
    a.abort('gone')
    expect(linkSignals([a.signal], 10).signal.reason).toBe('gone')
  })

  it('times out, and says so', async () => {
    const linked = linkSignals([new AbortController().signal], 10)
    await new Promise((resolve) => linked.signal.addEventListener('abort', resolve))
    expect(linked.timedOut()).toBe(true)
    linked.dispose()
  })

  it('lets go of its parents once disposed', () => {
    const a = new AbortController()
    const linked = linkSignals([a.signal], 1000)
    linked.dispose()
    a.abort()
    expect(linked.signal.aborted).toBe(false)
  })
})
