/**
 * Task records: what a final record holds, what a status report adds while a task lives, and
 * what happens to stored records outside a run (unfinished ones of a previous run are marked
 * interrupted at start; expired and surplus ones are removed).
 */
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { TaskErrorReason, TaskOutput, TaskRecord, TaskStatusReport } from '../core/tasks.js'
import { FINAL_STATUSES, TaskStatus } from '../core/tasks.js'
import type { ResultsStore } from '../store/results-store.js'
import type { LiveTask } from './batcher.js'
import { preview } from './request.js'

/** What a task's end adds to its record. */
export interface FinalFields {
  output_data?: TaskOutput
  execution_time_ms?: number
  error_reason?: TaskErrorReason
  error_details?: string
}

/** The fields of a task's final record: its outcome, when it ended and expires, its output's size. */
export function finalFields(
  task: LiveTask,
  status: TaskStatus,
  fields: FinalFields,
  expiryHours: number,
  now = Date.now(),
): Partial<TaskRecord> {
  const output = fields.output_data
  const text = output == null ? undefined : JSON.stringify(output)
  return {
    ...fields,
    status,
    timestamp_completed: new Date(now).toISOString(),
    expires_at: new Date(now + expiryHours * 3600_000).toISOString(),
    execution_time_ms:
      fields.execution_time_ms ?? (task.runningSince == null ? undefined : now - task.runningSince),
    result_size_bytes: text == null ? undefined : new TextEncoder().encode(text).byteLength,
    result_preview: text == null ? undefined : preview(text),
  }
}

/**
 * A live task's status (FR14.4): progress while running, from how long a call of its model
 * usually takes (1 s until one ran); an estimate while queued, from the calls ahead of it.
 */
export function statusReport(
  task: LiveTask,
  typicalCallMs: number | undefined,
  callsAhead: () => number,
  now = Date.now(),
): TaskStatusReport {
  const r = task.record
  if (r.status === TaskStatus.COMPLETED) return { ...r, progress_percent: 100 }
  const expected = typicalCallMs ?? 1000
  if (r.status === TaskStatus.RUNNING && task.runningSince != null) {
    const soFar = now - task.runningSince
    return {
      ...r,
      progress_percent: Math.min(95, Math.round((soFar / expected) * 100)),
      execution_time_so_far_ms: soFar,
      estimated_completion_secs: Math.max(0, (expected - soFar) / 1000),
    }
  }
  if (r.status === TaskStatus.QUEUED)
    return {
      ...r,
      progress_percent: 0,
      estimated_completion_secs: ((callsAhead() + 1) * expected) / 1000,
    }
  return { ...r, progress_percent: 0 }
}

/** Tasks that were queued or running when the node last stopped cannot finish now. */
/** A task of this node left out on the mesh by a previous run, to resume. */
export interface Resumable {
  record: TaskRecord
  input: string
}

/** How a stored record keeps the input of a task in mesh compute's hands, to resume it. */
export type StoredRecord = TaskRecord & { pending_input?: string }

/** The record without what only the store keeps. */
export function publicRecord(stored: StoredRecord): TaskRecord {
  if (stored.pending_input == null) return stored
  const { pending_input: _, ...record } = stored
  return record
}

/**
 * The tasks a previous run left unfinished: those out on the mesh (stored with their input) come
 * back to be resumed; the others (this node's own engine was running them) are marked
 * interrupted.
 */
export async function recoverUnfinished(
  store: ResultsStore,
  nodeId: string,
  expiryHours: number,
): Promise<Resumable[]> {
  const resumable: Resumable[] = []
  for (let offset = 0; ; offset += 200) {
    const page = (await store.list({ nodeId, limit: 200, offset })) as StoredRecord[]
    const now = Date.now()
    const unfinished = page.filter((record) => !FINAL_STATUSES.includes(record.status))
    for (const r of unfinished)
      if (r.pending_input != null && r.served_for == null)
        resumable.push({ record: publicRecord(r), input: r.pending_input })
    const interrupted = unfinished
      .filter((r) => r.pending_input == null || r.served_for != null)
      .map((record): TaskRecord => ({
        ...record,
        status: TaskStatus.FAILED,
        error_reason: 'interrupted',
        error_details: 'the node stopped before the task finished',
        timestamp_completed: new Date(now).toISOString(),
        expires_at: new Date(now + expiryHours * 3600_000).toISOString(),
      }))
    await store.putMany(interrupted)
    if (page.length < 200) return resumable
  }
}

export interface ResultsCleanupOptions {
  store: () => ResultsStore
  maxStoredResults: number
  log: Logger
  /** @default 60000 */
  intervalMs?: number
}

/** Removes expired results and the oldest beyond max_stored_results, every minute. */
export class ResultsCleanup implements Startable {
  private timer?: ReturnType<typeof setInterval>

  constructor(private readonly opts: ResultsCleanupOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      void this.run()
    }, this.opts.intervalMs ?? 60_000)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  async run(): Promise<void> {
    try {
      const store = this.opts.store()
      const expired = await store.deleteExpired(Date.now())
      const trimmed = await store.trim(this.opts.maxStoredResults)
      if (expired + trimmed > 0) this.opts.log.info('results cleaned up', { expired, trimmed })
    } catch (err) {
      this.opts.log.error('results clean-up failed', { error: err as Error })
    }
  }
}
