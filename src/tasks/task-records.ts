/**
 * What happens to stored task records outside a task's run: records a previous run left
 * unfinished are marked interrupted at start, and expired or surplus ones are removed.
 */
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { TaskRecord } from '../core/tasks.js'
import { FINAL_STATUSES, TaskStatus } from '../core/tasks.js'
import type { ResultsStore } from '../store/results-store.js'

/** Tasks that were queued or running when the node last stopped cannot finish now. */
export async function markInterrupted(
  store: ResultsStore,
  nodeId: string,
  expiryHours: number,
): Promise<void> {
  for (let offset = 0; ; offset += 200) {
    const page = await store.list({ nodeId, limit: 200, offset })
    const now = Date.now()
    const interrupted = page
      .filter((record) => !FINAL_STATUSES.includes(record.status))
      .map((record): TaskRecord => ({
        ...record,
        status: TaskStatus.FAILED,
        error_reason: 'interrupted',
        error_details: 'the node stopped before the task finished',
        timestamp_completed: new Date(now).toISOString(),
        expires_at: new Date(now + expiryHours * 3600_000).toISOString(),
      }))
    await store.putMany(interrupted)
    if (page.length < 200) return
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
