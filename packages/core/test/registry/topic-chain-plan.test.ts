import { rmSync } from 'node:fs'
import { defineTopicResolver, Type } from '@firefront/sdk'
import { describe, expect, it } from 'vitest'
import { StreamManager } from '../../src/runtime/stream-manager'
import { configFrom, quietLogger, tempDir } from '../pipeline/helpers'

describe('topic resolvers: validated once, by the plan the runtime starts from', () => {
  it("a resolver's config block is validated once per start, and the instance gets the validated config", async () => {
    let validations = 0
    const region = Type.String({ description: 'region name' })
    // the validator reads a missing key's default once per validation: count the reads
    Object.defineProperty(region, 'default', {
      enumerable: true,
      get: () => {
        validations++
        return 'west'
      },
    })
    const seen: unknown[] = []
    const byRegion = defineTopicResolver({
      name: 'by-region',
      version: '1.0.0',
      configSchema: Type.Object({ region }, { additionalProperties: false }),
      create: (config) => {
        seen.push(config)
        return { resolve: () => undefined }
      },
    })
    const dir = tempDir()
    const manager = new StreamManager({
      config: configFrom(
        `state_dir: ${dir}/state\nsink: { type: file, config: { directory: ${dir}/out } }\ntopic_resolvers:\n  - name: by-region\nsources: {}\n`,
      ),
      logger: quietLogger(),
      plugins: [byRegion],
    })
    try {
      await manager.start()
    } finally {
      await manager.stop()
      rmSync(dir, { recursive: true, force: true })
    }
    expect(seen).toEqual([{ region: 'west' }])
    expect(validations).toBe(1)
  })
})
