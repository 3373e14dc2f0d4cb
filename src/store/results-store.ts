/**
 * Where task results live (FR14.3): one record per task, keyed by task_id, listed newest first,
 * expired and trimmed in the background. IndexedDB in a tab, SQLite on a Node host (files in
 * earlier versions); all pass the acceptance suite in test/store/results-suite.ts.
 */
import type { ResultsQuery, TaskRecord } from '../core/tasks.js'

export interface ResultsStore {
  /** inserts or replaces the record of `record.task_id`, atomically */
  put(record: TaskRecord): Promise<void>
  /**
   * puts every record, the later of two with one task_id winning; each record is atomic, and
   * nothing is written when any record cannot be indexed (TypeError). Far cheaper than as many
   * puts where the store can write them together (one IndexedDB transaction).
   */
  putMany(records: readonly TaskRecord[]): Promise<void>
  get(taskId: string): Promise<TaskRecord | undefined>
  /** newest first by submitted_at (ties: task_id descending) */
  list(query?: ResultsQuery): Promise<TaskRecord[]>
  count(): Promise<number>
  /** deletes records whose expires_at is at or before `now` (ms); returns how many */
  deleteExpired(now: number): Promise<number>
  /** deletes the oldest records (by submitted_at) until at most `max` remain; returns how many */
  trim(max: number): Promise<number>
  close(): Promise<void>
}

/** What both stores index: where a record sorts and when it expires, in ms since the epoch */
export interface ResultKeys {
  task_id: string
  node_id: string
  submitted_ms: number
  /** absent: never expires */
  expires_ms?: number
}

/**
 * Checks what both stores index and turns the timestamps into ms, so "newest" is chronological
 * whatever ISO form a timestamp takes. Throws TypeError for a record neither store can keep.
 */
export function resultKeys(record: TaskRecord): ResultKeys {
  const { task_id, node_id, submitted_at, expires_at } = record
  if (!isTaskId(task_id)) throw new TypeError('task_id must be a string of 1-512 characters')
  if (typeof node_id !== 'string') throw new TypeError('node_id must be a string')
  const keys: ResultKeys = {
    task_id,
    node_id,
    submitted_ms: timestamp('submitted_at', submitted_at),
  }
  if (expires_at !== undefined) keys.expires_ms = timestamp('expires_at', expires_at)
  return keys
}

/** whether `taskId` could name a stored record (the limits of a storage key) */
export function isTaskId(taskId: unknown): taskId is string {
  return typeof taskId === 'string' && taskId.length >= 1 && taskId.length <= 512
}

/** list order: newest first, ties by task_id descending */
export function newestFirst(a: ResultKeys, b: ResultKeys): number {
  if (a.submitted_ms !== b.submitted_ms) return b.submitted_ms - a.submitted_ms
  return a.task_id < b.task_id ? 1 : a.task_id > b.task_id ? -1 : 0
}

/** `query` with its defaults; RangeError for a limit or offset that is not a whole number ≥ 0 */
export function resultsPage(query: ResultsQuery = {}): ResultsQuery & {
  limit: number
  offset: number
} {
  const { nodeId, limit = 20, offset = 0 } = query
  wholeNumber('limit', limit)
  wholeNumber('offset', offset)
  if (nodeId !== undefined && typeof nodeId !== 'string')
    throw new TypeError('nodeId must be a string')
  return { nodeId, limit, offset }
}

export function wholeNumber(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number >= 0, got ${String(value)}`)
}

export function checkNow(now: number): void {
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw new TypeError(`now must be a finite number of ms, got ${String(now)}`)
}

function timestamp(name: string, value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  if (!Number.isFinite(ms))
    throw new TypeError(`${name} must be a date (ISO 8601), got ${String(value)}`)
  return ms
}
