/** The command line of the bare producers the peers benchmark runs as child processes. */

/** What a bare producer is told to send. */
export interface ProducerArgs {
  readonly brokers: string[]
  readonly topic: string
  readonly total: number
  /** Records per produce request. */
  readonly batch: number
  /** Records generated at a time, sharing one ingestion time (the connector's poll size). */
  readonly perPoll: number
}

/** Parses `<brokers> <topic> <total> <batch> <perPoll>`. */
export function producerArgs(argv: readonly string[] = process.argv.slice(2)): ProducerArgs {
  const [brokers, topic, total, batch, perPoll] = argv
  if (!brokers || !topic || !total || !batch || !perPoll) {
    throw new Error('usage: <brokers> <topic> <total> <batch> <per-poll>')
  }
  return { brokers: brokers.split(','), topic, total: Number(total), batch: Number(batch), perPoll: Number(perPoll) }
}

/** Calls `send` with the messages in order, `batch` at a time, one ingestion time per poll-sized slice. */
export async function sendAll<M>(
  args: ProducerArgs,
  make: (from: number, until: number, ingestedAt: string) => M[],
  send: (messages: M[]) => Promise<void>,
): Promise<void> {
  for (let poll = 0; poll < args.total; poll += args.perPoll) {
    const ingestedAt = new Date().toISOString()
    const end = Math.min(args.total, poll + args.perPoll)
    for (let from = poll; from < end; from += args.batch) {
      await send(make(from, Math.min(end, from + args.batch), ingestedAt))
    }
  }
}
