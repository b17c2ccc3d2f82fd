import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { WORLD_OUTLINE_PATH } from '../../src/observability/status/world-outline'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

describe("the status page's world outline", () => {
  it('is what scripts/world-outline.mjs makes from Natural Earth 110m land (npm run assets:write)', () => {
    const r = spawnSync(process.execPath, ['scripts/world-outline.mjs', '--check'], { cwd: root, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('stays inside its 360 × 180 frame and small', () => {
    const numbers = WORLD_OUTLINE_PATH.match(/-?\d+(\.\d+)?/g)!.map(Number)
    const xs = numbers.filter((_, i) => i % 2 === 0)
    const ys = numbers.filter((_, i) => i % 2 === 1)
    // copies shifted by a full turn for rings across the antimeridian reach past the frame, which clips them
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...ys)).toBeLessThanOrEqual(180)
    expect(Math.min(...xs)).toBeGreaterThan(-360)
    expect(Math.max(...xs)).toBeLessThan(720)
    expect(WORLD_OUTLINE_PATH.length).toBeLessThan(100_000)
  })
})
