import { PRIORITIES, type SourceRecord } from '../record'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/

/** Lists what is wrong with one record (empty when well-formed). */
export function recordProblems(record: SourceRecord, where: string): string[] {
  const problems: string[] = []
  if (typeof record !== 'object' || record === null) return [`${where}: not an object`]
  if (record.value === undefined) problems.push(`${where}: value is undefined`)
  if (record.key !== undefined && (typeof record.key !== 'string' || record.key.length === 0)) {
    problems.push(`${where}: key must be a non-empty string`)
  }
  if (record.eventTime !== undefined && (!ISO.test(record.eventTime) || Number.isNaN(Date.parse(record.eventTime)))) {
    problems.push(`${where}: eventTime ${JSON.stringify(record.eventTime)} is not an ISO-8601 date-time`)
  }
  if (record.priority !== undefined && !PRIORITIES.includes(record.priority)) {
    problems.push(`${where}: priority ${JSON.stringify(record.priority)} is not one of ${PRIORITIES.join(' | ')}`)
  }
  if (record.headers !== undefined) {
    for (const [k, v] of Object.entries(record.headers)) {
      if (typeof v !== 'string') problems.push(`${where}: header ${k} is not a string`)
    }
  }
  try {
    JSON.stringify(record.value)
  } catch (err) {
    problems.push(`${where}: value cannot be serialised as JSON (${(err as Error).message})`)
  }
  return problems
}
