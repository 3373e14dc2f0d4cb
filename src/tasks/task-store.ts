/**
 * A node's task records, durable: the results store opened on start, records written behind by
 * group commit (RecordWriter), read back with what is still pending; on stop, what is pending is
 * written and the store closed. On start, tasks a previous run left unfinished are marked
 * interrupted.
 */
import { settledWithin } from '../core/abort.js'
import { TaskRequestError } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { ResultsQuery, TaskRecord } from '../core/tasks.js'
import type { ResultsStore } from '../store/results-store.js'
import { RecordWriter } from './record-writer.js'
import { markInterrupted } from './task-records.js'

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
}

export class TaskStore implements Startable {
  private store?: ResultsStore
  private writer?: RecordWriter

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
    })
    await markInterrupted(store, this.opts.nodeId, this.opts.resultExpiryHours)
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

  /** Writes a record behind (the latest state of a task wins). */
  write(record: TaskRecord): void {
    this.writer?.write(record)
  }

  /** Writes what is pending now; resolves once it is stored. */
  async flush(): Promise<void> {
    await this.writer?.flushed()
  }

  /** A task's record: pending, else stored. */
  async get(taskId: string): Promise<TaskRecord | undefined> {
    return this.opened().writer.latest(taskId) ?? this.opened().store.get(taskId)
  }

  /** This node's records, newest first, once what is pending is written. */
  async list(query: ResultsQuery = {}): Promise<TaskRecord[]> {
    await this.flush()
    return this.opened().store.list({ nodeId: this.opts.nodeId, ...query })
  }

  /** The open store (for clean-up), or TaskRequestError tasks_not_running. */
  opened(): { store: ResultsStore; writer: RecordWriter } {
    if (this.store == null || this.writer == null)
      throw new TaskRequestError('tasks_not_running', 'the task engine is not running')
    return { store: this.store, writer: this.writer }
  }
}
