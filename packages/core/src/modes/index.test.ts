import { manifestProblems } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { BUILTIN_MODE_NAMES, builtinModes } from './index'
import { createMode, modeTestContext } from './fake-sources'

describe('builtinModes', () => {
  it('holds the three seed modes as valid ingestion-mode plugins', () => {
    expect(builtinModes.map((m) => m.name)).toEqual(['batch', 'real-time', 'continuous-streaming'])
    for (const mode of builtinModes) {
      expect(mode.kind).toBe('ingestion-mode')
      expect(manifestProblems(mode)).toEqual([])
    }
    expect(Object.values(BUILTIN_MODE_NAMES).sort()).toEqual(builtinModes.map((m) => m.name).sort())
  })

  it('each instance reports the seed metrics and has done()', async () => {
    for (const plugin of builtinModes) {
      const { ctx } = modeTestContext()
      const mode = await createMode(plugin, {}, ctx)
      expect(typeof mode.done).toBe('function')
      expect(mode.metrics()).toMatchObject({
        running: false,
        recordsProcessed: 0,
        errors: 0,
        cycles: 0,
        runtimeSeconds: 0,
        lastSuccess: null,
        lastError: null,
      })
      await mode.stop()
      expect(await mode.done()).toEqual({ reason: 'stopped' })
    }
  })
})
