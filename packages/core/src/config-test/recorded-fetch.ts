/** A `fetch` that answers from recorded HTTP answers instead of the network. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { FetchFn } from '@firefront/sdk'
import type { HttpAnswerSpec } from './cases'

/** The requests a recorded fetch saw. */
export interface RecordedFetch {
  readonly fetch: FetchFn
  /** Each request's URL, in order. */
  readonly requests: string[]
}

/**
 * Answers each request with the first recording whose `url` the request's URL contains (one
 * without `url` answers any); recordings are reused. A request nothing answers fails as a network
 * error would, naming the URL, so the case says which answer is missing.
 */
export function recordedFetch(answers: readonly HttpAnswerSpec[], dir: string): RecordedFetch {
  const requests: string[] = []
  const fetch: FetchFn = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    init?.signal?.throwIfAborted()
    requests.push(url)
    const answer = answers.find((a) => a.url === undefined || url.includes(a.url))
    if (!answer) throw new TypeError(`no recorded answer for GET ${url}`)
    const body = answer.body_file !== undefined ? readFileSync(resolve(dir, answer.body_file)) : (answer.body ?? '')
    const empty = answer.status === 204 || answer.status === 304
    return new Response(empty ? null : body, { status: answer.status, headers: answer.headers })
  }
  return { fetch, requests }
}
