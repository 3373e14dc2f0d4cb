/**
 * Write-behind with group commit for task records: the task engine hands over every state of a
 * task as it changes; the writer stores only the latest state of each task, many tasks per
 * `putMany`, at most one flush per `intervalMs`. A durable write costs milliseconds (an
 * IndexedDB 'strict' transaction, an fsynced file) and competes with inference for the same
 * cores: measured in a tab, one write per state change halved the engine's throughput. Grouped,
 * a task that goes QUEUED → RUNNING → COMPLETED within one interval is written once.
 *
 * A change reaches the store within about one interval (plus the flush itself); until then
 * `latest()` answers for it, so readers never see an older state than the engine reported.
 * `flushed()` writes what is pending at once.
 */
import type { TaskRecord } from '../core/tasks.js'
import type { ResultsStore } from '../store/results-store.js'

/** records per putMany: one IndexedDB transaction stays small enough not to stall others */
const MAX_PER_FLUSH = 256

export interface RecordWriterOptions {
  /** least time between the starts of two flushes, ms; 0 flushes as soon as the last ended */
  intervalMs: number
  onError: (err: unknown, records: TaskRecord[]) => void
  /** after each write of `records`, stored or failed (`err`) */
  written?: (records: TaskRecord[], err?: unknown) => void
}

export class RecordWriter {
  /** changed since the flush in progress took its batch */
  private dirty = new Map<string, TaskRecord>()
  /** the batch being written */
  private writing = new Map<string, TaskRecord>()
  private flushing?: Promise<void>
  private lastStart = Number.NEGATIVE_INFINITY
  /** callers of flushed() waiting: no pause between flushes meanwhile */
  private hurrying = 0
  private wake?: () => void

  constructor(
    private readonly store: ResultsStore,
    private readonly opts: RecordWriterOptions,
  ) {}

  /** Queues `record` (a snapshot: later changes to the object are not seen). */
  write(record: TaskRecord): void {
    this.dirty.set(record.task_id, { ...record })
    this.flushing ??= this.flushLoop()
  }

  /** The newest state handed over for `taskId` that may not be stored yet. */
  latest(taskId: string): TaskRecord | undefined {
    const record = this.dirty.get(taskId) ?? this.writing.get(taskId)
    return record == null ? undefined : { ...record }
  }

  /** Writes what is pending now, without waiting for the interval; resolves once stored or failed. */
  async flushed(): Promise<void> {
    this.hurrying++
    try {
      while (this.flushing != null) {
        this.wake?.()
        await this.flushing
      }
    } finally {
      this.hurrying--
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      await this.flushAll()
    } finally {
      // a write() that came after flushAll() last looked, but before this, saw the loop still
      // running and started none: go round again for it; else a write() from here starts one
      this.flushing = this.dirty.size > 0 ? this.flushLoop() : undefined
    }
  }

  private async flushAll(): Promise<void> {
    // the changes made in this turn (a batch going RUNNING) go together
    await Promise.resolve()
    while (this.dirty.size > 0) {
      const wait = this.lastStart + this.opts.intervalMs - Date.now()
      if (wait > 0 && this.hurrying === 0) await this.pause(wait)
      this.lastStart = Date.now()
      const batch = new Map<string, TaskRecord>()
      for (const [id, record] of this.dirty) {
        if (batch.size === MAX_PER_FLUSH) break
        batch.set(id, record)
        this.dirty.delete(id)
      }
      this.writing = batch
      const records = [...batch.values()]
      try {
        await this.store.putMany(records)
        this.opts.written?.(records)
      } catch (err) {
        this.opts.onError(err, records)
        this.opts.written?.(records, err)
      }
      this.writing = new Map()
    }
  }

  /** Waits `ms`, or less if flushed() is called meanwhile. */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
    })
    this.wake = undefined
  }
}
