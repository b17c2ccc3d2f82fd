// Property-based tests (fast-check) of the places where a record or a setting could be lost
// quietly: the config loader, the FIRMS CSV parser, the priority queue, and the pipeline as a
// whole (in = out + dropped + dead-lettered). Each property prints what it accounted for. Runs are seeded by fast-check and reported on failure, so a failing case
// can be replayed with its seed.
import { defineSink, Type } from '@firefront/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { parseFirmsCsv } from '../../packages/connector-nasa-firms/src/parse'
import { loadConfigText } from '../../packages/core/src/config/load'
import { PriorityQueue, type QueueDrop } from '../../packages/core/src/queue/priority-queue'
import { StreamManager } from '../../packages/core/src/runtime/stream-manager'
import { burstConnector, configFrom, quietLogger, tempDir, until } from '../../packages/core/test/pipeline/helpers'
import { LONG, report } from './ledger'

const runs = (short: number) => ({ numRuns: LONG ? short * 10 : short })

const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const
const STRATEGIES = ['drop_oldest', 'drop_newest', 'block'] as const
const id = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/)
const topic = fc.stringMatching(/^[a-z][a-z0-9.-]{0,30}$/)

describe('config loader (properties)', () => {
  const source = fc.record({
    source_type: fc.constantFrom('nasa_firms', 'noaa_weather', 'iot_mqtt'),
    topic,
    priority: fc.constantFrom(...PRIORITIES),
    rate_limit_per_minute: fc.integer({ min: 1, max: 100_000 }),
    timeout_seconds: fc.integer({ min: 1, max: 600 }),
    ingestion: fc.record({ mode: fc.constantFrom('batch', 'real_time', 'continuous_streaming') }),
  })
  const config = fc.record({
    queue_max_size: fc.integer({ min: 1, max: 1_000_000 }),
    queue_overflow_strategy: fc.constantFrom(...STRATEGIES),
    enable_dlq: fc.boolean(),
    kafka: fc.record({
      bootstrap_servers: fc.constantFrom('127.0.0.1:9092', 'a:1,b:2'),
      batch_size: fc.integer({ min: 1, max: 10_000 }),
    }),
    sources: fc.dictionary(id, source, { minKeys: 1, maxKeys: 5 }),
  })

  it('a valid file loads with every value as written, in YAML and in JSON', () => {
    let files = 0
    fc.assert(
      fc.property(config, fc.boolean(), (c, json) => {
        const text = json ? JSON.stringify(c) : stringify(c)
        const loaded = loadConfigText(text, { file: json ? 'f.json' : 'f.yaml', env: {} })
        expect(loaded.issues).toEqual([])
        expect(loaded.config.queue_max_size).toBe(c.queue_max_size)
        expect(loaded.config.queue_overflow_strategy).toBe(c.queue_overflow_strategy)
        expect(Object.keys(loaded.config.sources).sort()).toEqual(Object.keys(c.sources).sort())
        for (const [sid, s] of Object.entries(c.sources)) {
          expect(loaded.config.sources[sid]).toMatchObject(s)
        }
        files++
      }),
      runs(200),
    )
    report('config loader: valid files', { checked: files, lost: 0, duplicated: 0, accounted: files })
  })

  it('one bad value anywhere is reported at its own path, with the other values untouched', () => {
    const bad = fc.constantFrom(
      { key: 'queue_max_size', value: 0 },
      { key: 'queue_max_size', value: 'lots' },
      { key: 'queue_overflow_strategy', value: 'drop_random' },
      { key: 'rate_limit_per_minute', value: -5 },
      { key: 'timeout_seconds', value: 'soon' },
      { key: 'priority', value: 'urgent' },
      { key: 'mode', value: 'sometimes' },
    )
    let checked = 0
    fc.assert(
      fc.property(config, bad, fc.nat(), (c, b, pick) => {
        const ids = Object.keys(c.sources)
        const sid = ids[pick % ids.length]!
        const copy = structuredClone(c) as Record<string, unknown> & typeof c
        let path: string
        if (b.key.startsWith('queue_')) {
          ;(copy as Record<string, unknown>)[b.key] = b.value
          path = b.key
        } else if (b.key === 'mode') {
          ;(copy.sources[sid]!.ingestion as Record<string, unknown>).mode = b.value
          path = `sources.${sid}.ingestion.mode`
        } else {
          ;(copy.sources[sid] as Record<string, unknown>)[b.key] = b.value
          path = `sources.${sid}.${b.key}`
        }
        const loaded = loadConfigText(stringify(copy), { file: 'f.yaml', env: {} })
        expect(loaded.ok).toBe(false)
        expect(loaded.issues.map((i) => i.path)).toContain(path)
        // every issue names a line of the file
        for (const issue of loaded.issues) expect(issue.line, issue.path).toBeGreaterThan(0)
        checked++
      }),
      runs(200),
    )
    report('config loader: one bad value', { checked, lost: 0, duplicated: 0, accounted: checked })
  })

  it('never throws, whatever the text: it answers with issues instead', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.boolean(), (text, json) => {
        const loaded = loadConfigText(text, { file: json ? 'x.json' : 'x.yaml', env: {} })
        if (!loaded.ok) expect(loaded.issues.length).toBeGreaterThan(0)
      }),
      runs(300),
    )
  })
})

describe('FIRMS CSV parser (properties)', () => {
  const HEADER =
    'latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight'
  const good = fc.record({
    latitude: fc.double({ min: -90, max: 90, noNaN: true }).map((v) => Math.round(v * 1e5) / 1e5 + 0), // -0 prints as 0
    longitude: fc.double({ min: -180, max: 180, noNaN: true }).map((v) => Math.round(v * 1e5) / 1e5 + 0), // -0 prints as 0
    bright: fc.integer({ min: 20_000, max: 50_000 }).map((v) => v / 100),
    frp: fc.integer({ min: 0, max: 500_000 }).map((v) => v / 100),
    date: fc.date({ min: new Date('2012-01-20'), max: new Date('2030-12-31'), noInvalidDate: true }),
    time: fc.integer({ min: 0, max: 23 * 60 + 59 }),
    confidence: fc.constantFrom('l', 'n', 'h'),
    daynight: fc.constantFrom('D', 'N'),
  })
  type GoodRow = typeof good extends fc.Arbitrary<infer T> ? T : never
  const line = (r: GoodRow) => {
    const hhmm = `${Math.floor(r.time / 60)}${String(r.time % 60).padStart(2, '0')}`
    return `${r.latitude},${r.longitude},${r.bright},0.5,0.4,${r.date.toISOString().slice(0, 10)},${Number(hhmm)},N20,VIIRS,${r.confidence},2.0NRT,290.1,${r.frp},${r.daynight}`
  }
  // broken rows, told apart from generated good ones by identity (good rows have scan 0.5, track 0.4)
  const BROKEN = [
    '95.1,80.9,327.4,0.49,0.65,2026-09-25,718,N20,VIIRS,n,2.0NRT,273.49,3.03,D', // latitude out of range
    '8.1,80.9,327.4,0.49,0.65,2026-13-45,718,N20,VIIRS,n,2.0NRT,273.49,3.03,D', // no such date
    '8.1,80.9,327.4,0.49,0.65,2026-09-25,718,N20,VIIRS,n,2.0NRT,273.49', // columns missing
    '8.1,east,327.4,0.49,0.65,2026-09-25,718,N20,VIIRS,n,2.0NRT,273.49,3.03,D', // text as longitude
    '8.1,80.9,327.4,0.49,0.65,2026-09-25,2575,N20,VIIRS,n,2.0NRT,273.49,3.03,D', // no such time
  ]
  const broken = fc.constantFrom(...BROKEN)

  it('every data row becomes a detection or a rejection naming its row: none lost, none twice', () => {
    let rows = 0
    let detections = 0
    let rejections = 0
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 4, arbitrary: good.map(line) }, { weight: 1, arbitrary: broken }), {
          maxLength: 60,
        }),
        fc.boolean(),
        (lines, crlf) => {
          const text = [HEADER, ...lines].join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n')
          const parsed = parseFirmsCsv(text, { source: 'VIIRS_NOAA20_NRT' })
          const expectedBad = lines.filter((l) => BROKEN.includes(l)).length
          expect(parsed.rejected.map((r) => r.row).length).toBe(expectedBad)
          expect(parsed.detections.length + parsed.rejected.length).toBe(lines.length)
          // a rejected row carries its own number and text
          for (const r of parsed.rejected) expect(lines[r.row - 1]).toBe(r.input)
          rows += lines.length
          detections += parsed.detections.length
          rejections += parsed.rejected.length
        },
      ),
      runs(150),
    )
    report('FIRMS CSV parser', {
      checked: rows,
      lost: rows - detections - rejections,
      duplicated: 0,
      accounted: detections + rejections,
      detail: `detections ${detections}, rejected rows ${rejections}`,
    })
    expect(detections + rejections).toBe(rows)
  })

  it('values survive the round trip: coordinates, FRP, confidence and the UTC time', () => {
    fc.assert(
      fc.property(good, (r) => {
        const parsed = parseFirmsCsv(`${HEADER}\n${line(r)}\n`, { source: 'VIIRS_NOAA20_NRT' })
        expect(parsed.rejected).toEqual([])
        const d = parsed.detections[0]!
        expect(d.latitude).toBe(r.latitude)
        expect(d.longitude).toBe(r.longitude)
        expect(d.frp).toBe(r.frp)
        expect(d.confidence_level).toBe({ l: 'low', n: 'nominal', h: 'high' }[r.confidence])
        const hh = String(Math.floor(r.time / 60)).padStart(2, '0')
        const mm = String(r.time % 60).padStart(2, '0')
        expect(d.acq_datetime).toBe(`${r.date.toISOString().slice(0, 10)}T${hh}:${mm}:00Z`)
      }),
      runs(300),
    )
  })
})

describe('priority queue (properties)', () => {
  type Op =
    | { op: 'enqueue'; priority: (typeof PRIORITIES)[number]; evictable: boolean }
    | { op: 'dequeue'; count: number }
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('enqueue' as const),
        priority: fc.constantFrom(...PRIORITIES),
        evictable: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('dequeue' as const), count: fc.integer({ min: 1, max: 8 }) }) },
  )

  it('in = out + dropped + queued after every step; never over its bound; highest priority first; each record leaves once', () => {
    let enqueued = 0
    let out = 0
    let droppedTotal = 0
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('drop_oldest', 'drop_newest'),
        fc.array(op, { maxLength: 300 }),
        (maxSize, strategy, ops) => {
          const drops: QueueDrop<{ n: number; evictable: boolean }>[] = []
          const q = new PriorityQueue<{ n: number; evictable: boolean }>({
            maxSize,
            overflowStrategy: strategy,
            onDrop: (d) => drops.push(d),
            isEvictable: (item) => item.evictable,
          })
          const left = new Set<number>()
          let n = 0
          let dequeued = 0
          for (const o of ops) {
            if (o.op === 'enqueue') {
              const item = { n: n++, evictable: o.evictable }
              const r = q.tryEnqueue(item, o.priority, 'src')
              // one enqueue drops at most one record; a non-evictable record is never the evicted one
              if (r.dropped && r.dropped.entry.item !== item) expect(r.dropped.entry.item.evictable).toBe(true)
            } else {
              const batch = q.dequeueBatch(o.count)
              const ranks = batch.map((e) => PRIORITIES.indexOf(e.priority))
              expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
              for (const e of batch) {
                expect(left.has(e.item.n)).toBe(false)
                left.add(e.item.n)
              }
              dequeued += batch.length
            }
            expect(n).toBe(dequeued + drops.length + q.size())
            expect(q.size()).toBeLessThanOrEqual(maxSize)
          }
          for (const d of drops) {
            expect(left.has(d.entry.item.n)).toBe(false)
            left.add(d.entry.item.n)
          }
          const rest = q.drain()
          for (const e of rest) {
            expect(left.has(e.item.n)).toBe(false)
            left.add(e.item.n)
          }
          expect(left.size).toBe(n)
          const m = q.getMetrics()
          const byReason = Object.values(m.dropped_by_reason as Record<string, number>).reduce((a, b) => a + b, 0)
          expect(byReason).toBe(drops.length)
          enqueued += n
          out += dequeued + rest.length
          droppedTotal += drops.length
        },
      ),
      runs(300),
    )
    report('priority queue', {
      checked: enqueued,
      lost: enqueued - out - droppedTotal,
      duplicated: 0,
      accounted: out + droppedTotal,
      detail: `out ${out}, dropped (counted by reason) ${droppedTotal}`,
    })
  })
})

describe('the pipeline (properties)', () => {
  // A sink that dead-letters the first `dead` records of each batch it is handed, whatever their
  // number, and delivers the rest: what it counts must match what the streams count.
  let script: number[] = []
  const seen = { delivered: 0, deadLettered: 0 }
  const scriptedSink = defineSink({
    name: 'scripted-dlq',
    version: '1.0.0',
    configSchema: Type.Object({}),
    create: () => ({
      send: async (batch) => {
        const dead = Math.min(batch.records.length, script.shift() ?? 0)
        seen.delivered += batch.records.length - dead
        seen.deadLettered += dead
        return { delivered: batch.records.length - dead, deadLettered: dead, spooled: 0 }
      },
    }),
  })

  it('in = out + dropped + dead-lettered, for a push burst into a small queue and a sink that dead-letters', async () => {
    let total = 0
    let dropped = 0
    let dead = 0
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom('drop_oldest', 'drop_newest'),
        fc.array(fc.nat({ max: 30 }), { maxLength: 50 }),
        async (burst, queueMax, strategy, deadPerBatch) => {
          script = [...deadPerBatch]
          seen.delivered = 0
          seen.deadLettered = 0
          const manager = new StreamManager({
            config: configFrom(`
state_dir: ${tempDir('firefront-property-pipeline-')}
sink: { type: scripted-dlq }
queue_max_size: ${queueMax}
queue_overflow_strategy: ${strategy}
kafka: { batch_size: 25, batch_timeout_seconds: 0.01 }
sources:
  b: { source_type: burst, ingestion: { mode: continuous_streaming, buffer_size: 1 }, config: { total: ${burst} } }
`),
            raw: {},
            logger: quietLogger(),
            plugins: [burstConnector, scriptedSink],
          })
          await manager.start()
          await manager.startAll()
          await until(async () => {
            const r = Object.values((await manager.getMetrics()).streams)[0]?.records
            return r !== undefined && r.fetched === burst && r.sent + r.dead_lettered + r.dropped === burst
          }, 'every record of the burst settled')
          await manager.stop()
          const m = await manager.getMetrics()
          const r = Object.values(m.streams)[0]!.records
          const byReason = Object.values(m.stream_manager.dropped_by_reason).reduce((a, b) => a + b, 0)
          expect(r.fetched).toBe(burst)
          expect(r.sent + r.dead_lettered + r.dropped).toBe(r.fetched)
          expect(r.sent).toBe(seen.delivered)
          expect(r.dead_lettered).toBe(seen.deadLettered)
          expect(r.dropped).toBe(byReason)
          total += burst
          dropped += r.dropped
          dead += r.dead_lettered
        },
      ),
      runs(25),
    )
    report('pipeline: in = out + dropped + dead-lettered', {
      checked: total,
      lost: 0,
      duplicated: 0,
      accounted: total,
      detail: `delivered ${total - dropped - dead}, dropped ${dropped}, dead-lettered ${dead}`,
    })
  }, 120_000)
})
