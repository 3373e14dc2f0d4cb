/**
 * A node's task records, durable: the results store opened on start, records written behind by
 * group commit (RecordWriter), read back with what is still pending; on stop, what is pending is
 * written and the store closed. On start, tasks a previous run left unfinished are marked
 * interrupted, but for those out on the mesh: they are stored with their input, and resumed.
 */
import { settledWithin } from '../core/abort.js'
import { TaskRequestError } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { ResultsQuery, TaskRecord } from '../core/tasks.js'
import type { ResultsStore } from '../store/results-store.js'
import { RecordWriter } from './record-writer.js'
import type { Resumable, StoredRecord } from './task-records.js'
import { publicRecord, recoverUnfinished } from './task-records.js'

/** How long a stop waits for calls that outlived the engine's stop, ms. */
const SETTLE_MS = 1000

export interface TaskStoreOptions {
  nodeId: string
  openStore(): Promise<ResultsStore>
  resultExpiryHours: number
  /** least time between two writes while tasks keep coming, ms */
  writeIntervalMs: number
  log: Logger
  /** resolves once every inference call in flight has ended */
  settled(): Promise<void>
  /** after each write of records, stored or failed (`err`) */
  written?: (records: TaskRecord[], err?: unknown) => void
}

export class TaskStore implements Startable {
  private store?: ResultsStore
  private writer?: RecordWriter
  private resumable: Resumable[] = []

  constructor(private readonly opts: TaskStoreOptions) {}

  async start(): Promise<void> {
    const store = await this.opts.openStore()
    this.store = store
    this.writer = new RecordWriter(store, {
      intervalMs: this.opts.writeIntervalMs,
      onError: (err, records) => {
        this.opts.log.error('could not store task records', {
          tasks: records.length,
          error: err as Error,
        })
      },
      written: this.opts.written,
    })
    this.resumable = await recoverUnfinished(store, this.opts.nodeId, this.opts.resultExpiryHours)
  }

  /** The tasks a previous run left out on the mesh (once: they are the caller's now). */
  takeResumable(): Resumable[] {
    return this.resumable.splice(0)
  }

  async stop(): Promise<void> {
    // calls in flight have ended (stopping the engine ends them) and their records are written;
    // a call that outlived the engine (one that cannot be interrupted) is abandoned
    await settledWithin(this.opts.settled(), SETTLE_MS)
    await this.writer?.flushed()
    await this.store?.close()
    this.store = undefined
    this.writer = undefined
  }

  /**
   * Writes a record behind (the latest state of a task wins); with the task's input while mesh
   * compute holds it, so that a restart can resume it.
   */
  write(record: TaskRecord, pendingInput?: string): void {
    const stored: StoredRecord =
      pendingInput == null ? record : { ...record, pending_input: pendingInput }
    this.writer?.write(stored)
  }

  /** Writes what is pending now; resolves once it is stored. */
  async flush(): Promise<void> {
    await this.writer?.flushed()
  }

  /** A task's record: pending, else stored. */
  async get(taskId: string): Promise<TaskRecord | undefined> {
    const found = this.opened().writer.latest(taskId) ?? (await this.opened().store.get(taskId))
    return found == null ? undefined : publicRecord(found)
  }

  /** This node's records, newest first, once what is pending is written. */
  async list(query: ResultsQuery = {}): Promise<TaskRecord[]> {
    await this.flush()
    const page = await this.opened().store.list({ nodeId: this.opts.nodeId, ...query })
    return page.map(publicRecord)
  }

  /** The open store (for clean-up), or TaskRequestError tasks_not_running. */
  opened(): { store: ResultsStore; writer: RecordWriter } {
    if (this.store == null || this.writer == null)
      throw new TaskRequestError('tasks_not_running', 'the task engine is not running')
    return { store: this.store, writer: this.writer }
  }
}
