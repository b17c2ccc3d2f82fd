import { pipelineRate } from './bench/pipeline.bench.ts'
const rates: number[] = []
for (let i = 0; i < 3; i++) {
  rates.push(await pipelineRate(`sink: { type: file, config: { directory: $DIR/out, fsync: flush } }`, 'kafka: { batch_size: 500, batch_timeout_seconds: 0.05 }', 100_000))
}
rates.sort((a, b) => a - b)
console.log(JSON.stringify({ median: Math.round(rates[1]!), rates: rates.map(Math.round) }))
