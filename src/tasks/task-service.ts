/**
 * The task engine (FR14.2-FR14.4): tasks are queued at once, batched by model into inference
 * calls (src/tasks/batcher.ts), time-limited, stored, and reported as they move QUEUED → RUNNING
 * → COMPLETED / FAILED / TIMEOUT. Its parts start in order and stop in reverse:
 *
 *   results    the task records (src/tasks/task-store.ts): the store opened, unfinished tasks
 *              of a previous run marked interrupted (or, when out on the mesh, resumed once
 *              the engine runs); on stop, waits for the calls in flight,
 *              writes what is pending and closes the store
 *   inference  the engine (src/tasks/engine-part.ts): started with its runtime options, then
 *              warmed up when warmUp says; on stop, lets calls in flight end
 *   cleanup    removes expired and surplus results every minute
 *   queue      takes tasks and starts calls; on stop, fails what is still queued
 */
import { TypedEventEmitter } from 'main-event'
import type { ModelRegistry } from '../core/config.js'
import { TaskRequestError, taskErrorReason } from '../core/errors.js'
import type { TaskEvents } from '../core/events.js'
import type { Logger } from '../core/log.js'
import type { TaskApi } from '../core/node-api.js'
import type { AbortOptions, Startable } from '../core/startable.js'
import { PartList } from '../core/startable.js'
import type {
  AttemptOutcome,
  EngineCapabilities,
  ModelInfo,
  ResultsQuery,
  TaskRecord,
  TaskRequest,
  TaskStats,
  TaskAttempt,
  TaskStatusReport,
  TaskType,
} from '../core/tasks.js'
import { newTraceparent, traceIdOf } from '../core/trace.js'
import { v4 as uuid } from 'uuid'
import { FINAL_STATUSES, TaskStatus } from '../core/tasks.js'
import type { InferenceEngine, ItemResult, ModelSpec, RuntimeOptions } from '../ai/engine.js'
import type { ResultsStore } from '../store/results-store.js'
import type { LiveTask } from './batcher.js'
import { RecentQueueWaits } from './queue-waits.js'
import { Batcher } from './batcher.js'
import { EnginePart } from './engine-part.js'
import { ModelCatalog, PRIMARY_TASK } from './model-catalog.js'
import { TaskStore } from './task-store.js'
import type { TaskTracer } from '../obs/tracing.js'
import type { SpanName, SpanRecord } from '../core/spans.js'
import { checkRequest, preview } from './request.js'
import type { PlacedTask, RemoteOutcome, TaskPlacer } from './placement.js'
import type { FinalFields } from './task-records.js'
import { finalFields, ResultsCleanup, statusReport } from './task-records.js'

export interface TaskServiceOptions {
  nodeId: string
  engine: InferenceEngine
  runtime: RuntimeOptions
  /** opens the results store (IndexedDB / SQLite); the service closes it on stop */
  openStore(): Promise<ResultsStore>
  models: ModelRegistry
  maxConcurrent: number
  maxBatch: number
  maxStoredResults: number
  resultExpiryHours: number
  log: Logger
  /** bytes of memory in use, for the warning when another model is loaded on demand */
  memoryBytes?: () => number | undefined
  maxMemoryMb?: number
  /** how long a call may run past a task's timeout before its worker is restarted (at least 4 typical calls). @default 2000 */
  stuckGraceMs?: number
  /**
   * least time between two writes of task records to the store while tasks keep coming (group
   * commit), ms: how much a crash may lose; an idle engine writes at once. Each stored record
   * costs a tab about 0.8 ms of CPU in IndexedDB; at 100 concurrent tasks, 200 ms wrote 2.1
   * records per task (QUEUED, then COMPLETED) and 1000 ms wrote 1.0. @default 1000
   */
  writeIntervalMs?: number
  /** how often expired results are removed, ms. @default 60000 */
  maintenanceMs?: number
  /**
   * When to warm up (load the embedding model and measure its speed): resolves true to do it
   * then, false never to (the model then loads with the first task). @default at start
   */
  warmUp?: (signal: AbortSignal) => Promise<boolean>
  /** an inference call ended: the inputs it carried and its duration, ms (metrics) */
  onInferenceCall?(inputs: number, ms: number): void
  /** this node's tracer: each task's spans (submit, schedule, transfer, queue, inference, result, store) */
  tracer?: TaskTracer
}

export interface SubmitOptions {
  /**
   * The task is run for another node (mesh compute): its peer id (whose tasks take turns with
   * other submitters') and node id (its record is kept apart from this node's own tasks).
   */
  servedFor?: { peerId: string; nodeId: string }
  /** the trace context it came with (a served task keeps its submitter's) */
  traceparent?: string
}

/** Attempt outcomes that count against a task's 3 tries (a BUSY node only defers it). */
const FAILED_ATTEMPTS: ReadonlySet<AttemptOutcome> = new Set([
  'rejected',
  'disconnected',
  'dead',
  'deadline',
  'bad_result',
  'node_failed',
])

export class TaskService extends TypedEventEmitter<TaskEvents> implements TaskApi, Startable {
  private readonly live = new Map<string, LiveTask>()
  private readonly catalog: ModelCatalog
  private readonly batcher: Batcher
  private readonly parts: PartList
  private readonly records: TaskStore
  private readonly engine: EnginePart
  private running = false
  private placer?: TaskPlacer
  private readonly counts = { completed: 0, failed: 0, timed_out: 0 }
  private readonly queueWaits = new RecentQueueWaits()

  constructor(private readonly opts: TaskServiceOptions) {
    super()
    this.catalog = new ModelCatalog({
      engine: opts.engine,
      models: opts.models,
      log: opts.log,
      onChange: (models) => this.safeDispatchEvent('models:update', { detail: models }),
      isRunning: () => this.running,
    })
    this.batcher = new Batcher({
      engine: opts.engine,
      catalog: this.catalog,
      maxConcurrent: opts.maxConcurrent,
      maxBatch: opts.maxBatch,
      stuckGraceMs: opts.stuckGraceMs,
      log: opts.log,
      onDemandLoad: (spec) => {
        this.warnIfMemoryTight(spec)
      },
      onCall: opts.onInferenceCall,
      outcomes: {
        running: (t, at) => {
          this.endSpan(t, 'queue')
          this.beginSpan(t, 'inference')
          const started_at = new Date(at).toISOString()
          this.queueWaits.add(at, at - Date.parse(t.record.submitted_at))
          this.update(t, {
            status: TaskStatus.RUNNING,
            started_at,
            attempts: withAttempt(t.record.attempts, this.opts.nodeId, started_at),
          })
        },
        completed: (t, result, elapsed) => {
          this.complete(t, result, elapsed)
        },
        timedOut: (t) => {
          this.finish(t, TaskStatus.TIMEOUT, {
            error_reason: 'timeout',
            error_details: `execution exceeded ${t.record.timeout_seconds} s`,
          })
        },
        failed: (t, error) => {
          this.finish(t, TaskStatus.FAILED, {
            error_reason: taskErrorReason(error) ?? 'engine_failed',
            error_details: error.message,
          })
        },
        requeued: (t) => {
          this.endSpan(t, 'inference', { error: 'requeued' })
          this.beginSpan(t, 'queue')
          this.update(t, { status: TaskStatus.QUEUED, started_at: undefined })
        },
        isFinal: (t) => this.isFinal(t),
        idle: () => {
          // group commit is for bursts: a lone task is durable as soon as it is seen done
          void this.records.flush()
        },
      },
    })
    this.records = new TaskStore({
      nodeId: opts.nodeId,
      openStore: opts.openStore,
      resultExpiryHours: opts.resultExpiryHours,
      writeIntervalMs: opts.writeIntervalMs ?? 1000,
      log: opts.log,
      settled: async () => this.batcher.settled(),
      written: (records, err) => {
        this.stored(records, err)
      },
    })
    this.engine = new EnginePart({
      engine: opts.engine,
      runtime: opts.runtime,
      catalog: this.catalog,
      log: opts.log,
      warmUp: opts.warmUp,
      onCapabilities: (caps) => this.safeDispatchEvent('capabilities', { detail: caps }),
    })
    this.parts = new PartList(
      [
        { name: 'results', service: this.records },
        { name: 'inference', service: this.engine },
        {
          name: 'cleanup',
          service: new ResultsCleanup({
            store: () => this.records.opened().store,
            maxStoredResults: opts.maxStoredResults,
            log: opts.log,
            intervalMs: opts.maintenanceMs,
          }),
        },
        { name: 'queue', service: this.queuePart() },
      ],
      {
        stopFailed: (part, error) => {
          opts.log.error('task engine part failed to stop', { part, error: error as Error })
        },
      },
    )
  }

  /** Starts the engine; the embedding model warms up in the background when `warmUp` says. */
  async start(options?: AbortOptions): Promise<void> {
    if (this.running) return
    await this.parts.start(options)
    this.running = true
    this.engine.begin()
    this.resume()
  }

  async stop(options?: AbortOptions): Promise<void> {
    this.running = false
    await this.parts.stop(options)
  }

  /**
   * Mesh compute decides where this node's tasks run from now on (placement auto or a node id);
   * without a placer every task runs here.
   */
  usePlacer(placer: TaskPlacer | undefined): void {
    this.placer = placer
  }

  /** Tasks queued or running (for a graceful stop to wait on). */
  get busy(): boolean {
    return this.live.size > 0
  }

  capabilities(): EngineCapabilities | undefined {
    return this.engine.capabilities
  }

  stats(): TaskStats {
    const calls = this.batcher.callStats
    const p95 = this.queueWaits.p95(Date.now())
    return {
      ...this.counts,
      inference_calls: calls.calls,
      inference_inputs: calls.inputs,
      inference_ms: calls.ms,
      queued: this.batcher.queued,
      running: this.batcher.inflight,
      ...(p95 == null ? {} : { queue_wait_p95_ms: p95 }),
    }
  }

  submit(request: TaskRequest, options: SubmitOptions = {}): TaskRecord {
    if (!this.running)
      throw new TaskRequestError('tasks_not_running', 'the task engine is not running')
    const checked = checkRequest(request, (id) => this.live.has(id))
    const spec = this.catalog.spec(checked.task_type)
    const served = options.servedFor
    // a task of this node is the root of its trace; a served one continues its submitter's
    const traceparent =
      served == null
        ? (this.opts.tracer?.begin(checked.task_id, 'submit', options.traceparent, {
            attributes: { 'task.type': checked.task_type },
          }) ?? options.traceparent)
        : options.traceparent
    const task: LiveTask = {
      origin: served?.peerId ?? '',
      record: {
        task_id: checked.task_id,
        node_id: served?.nodeId ?? this.opts.nodeId,
        ...(served == null
          ? {
              placement: checked.placement,
              ...(checked.replicas > 1 ? { replicas: checked.replicas } : {}),
              attempts: [],
            }
          : { served_for: served.peerId }),
        task_type: checked.task_type,
        status: TaskStatus.QUEUED,
        model: spec.model,
        input_preview: preview(request.input),
        timeout_seconds: checked.timeout_seconds,
        submitted_at: new Date().toISOString(),
        traceparent: traceparent ?? newTraceparent(),
      },
      spec,
      input: checked.input ?? '',
      runs: 0,
    }
    if (checked.refusal != null) {
      this.opts.log.info('task input refused', {
        task_id: task.record.task_id,
        reason: checked.refusal.reason,
        input: task.record.input_preview,
      })
      this.finish(task, TaskStatus.FAILED, {
        error_reason: checked.refusal.reason,
        error_details: checked.refusal.details,
      })
      this.batcher.schedule()
      return { ...task.record }
    }
    this.enqueue(task)
    return { ...task.record }
  }

  /** A task takes its place: mesh compute's placer decides where it runs, else this node's queue. */
  private enqueue(task: LiveTask): void {
    const placer = task.origin === '' && task.record.placement !== 'local' ? this.placer : undefined
    task.placed = placer != null
    this.live.set(task.record.task_id, task)
    this.records.write(task.record, this.resumable(task) ? task.input : undefined)
    this.emitUpdate(task)
    if (placer == null) {
      this.queueHere(task)
      return
    }
    this.beginSpan(task, 'schedule')
    const refusal = placer.place(this.placedTask(task))
    if (refusal != null)
      this.finish(task, TaskStatus.FAILED, {
        error_reason: refusal.reason,
        error_details: refusal.details,
      })
  }

  /**
   * Whether a restart resumes the task (its record then keeps its input): a task of this node
   * that mesh compute places, until it ends. A task kept local is interrupted by a restart.
   */
  private resumable(task: LiveTask): boolean {
    const p = task.record.placement
    return (
      this.placer != null && task.origin === '' && p != null && p !== 'local' && !this.isFinal(task)
    )
  }

  /** Takes up again the tasks a previous run left out on the mesh. */
  private resume(): void {
    const resumed = this.records.takeResumable()
    if (resumed.length === 0) return
    this.opts.log.info('resuming tasks left out on the mesh', { tasks: resumed.length })
    for (const { record, input } of resumed) {
      if (this.live.has(record.task_id)) continue
      this.enqueue({
        origin: '',
        record: {
          ...record,
          status: TaskStatus.QUEUED,
          started_at: undefined,
          executed_by: undefined,
          attempts: (record.attempts ?? []).map((a) =>
            a.outcome === 'running'
              ? { ...a, outcome: 'interrupted', ended_at: new Date().toISOString() }
              : a,
          ),
        },
        spec: this.catalog.spec(record.task_type),
        input,
        runs: 0,
      })
    }
  }

  /**
   * Drops a task that has not started: FAILED (cancelled) at once. One already running finishes;
   * false when the task is not queued here.
   */
  cancel(taskId: string, details = 'cancelled by its submitter'): boolean {
    const task = this.live.get(taskId)
    if (task == null) return false
    if (task.placed === true) this.placer?.withdraw(taskId)
    else if (!this.batcher.remove(task)) return false
    this.finish(task, TaskStatus.FAILED, { error_reason: 'cancelled', error_details: details })
    this.batcher.schedule()
    return true
  }

  /**
   * Runs one input here as a replica of a task (verification by agreement): it takes turns in
   * this node's queue like a task, but keeps no record; resolves with its outcome.
   */
  async runReplica(spec: ModelSpec, input: string, timeoutMs: number): Promise<RemoteOutcome> {
    return new Promise((resolve) => {
      this.batcher.add({
        origin: '',
        record: {
          task_id: uuid(),
          node_id: this.opts.nodeId,
          task_type: spec.task_type,
          status: TaskStatus.QUEUED,
          model: spec.model,
          input_preview: preview(input),
          timeout_seconds: timeoutMs / 1000,
          submitted_at: new Date().toISOString(),
        },
        spec,
        input,
        runs: 0,
        replica: resolve,
      })
    })
  }

  /** The model and precision this node runs a task type with, and its weights' hash once loaded. */
  modelFor(type: TaskType): ModelSpec & { hash?: string } {
    const spec = this.catalog.spec(type)
    return { ...spec, hash: this.catalog.hashOf(spec) }
  }

  /** Tasks of `peerId` waiting here (served for it), for a per-peer cap. */
  queuedFor(peerId: string): number {
    return this.batcher.queuedFor(peerId)
  }

  /**
   * How loaded the engine is: tasks queued, calls in flight, and how long a task submitted now
   * would wait to start, ms (the calls ahead of it times a typical call of the embedding model).
   */
  load(): { queued: number; inflight: number; est_wait_ms: number } {
    const { queued, inflight } = this.batcher
    const perCall = this.batcher.typicalCallMs(this.catalog.spec(PRIMARY_TASK)) ?? 0
    const callsAhead =
      Math.ceil(queued / this.opts.maxBatch) + (inflight >= this.opts.maxConcurrent ? 1 : 0)
    return { queued, inflight, est_wait_ms: Math.round(callsAhead * perCall) }
  }

  async status(taskId: string): Promise<TaskStatusReport | undefined> {
    const task = this.live.get(taskId)
    if (task != null) return this.report(task)
    const record = await this.result(taskId)
    return record == null
      ? undefined
      : { ...record, progress_percent: record.status === TaskStatus.COMPLETED ? 100 : 0 }
  }

  async result(taskId: string): Promise<TaskRecord | undefined> {
    const task = this.live.get(taskId)
    if (task != null) return { ...task.record }
    return this.records.get(taskId)
  }

  /** Writes the task records not yet stored now; resolves once they are. */
  async flush(): Promise<void> {
    await this.records.flush()
  }

  async trace(taskId: string): Promise<SpanRecord[] | undefined> {
    // a record written now ends the spans of its storing: a trace read after the task's end
    // is whole
    await this.records.flush()
    const spans = (await this.opts.tracer?.spans(taskId)) ?? []
    if (spans.length > 0) return spans
    return (await this.result(taskId)) == null ? undefined : []
  }

  async list(query: ResultsQuery = {}): Promise<TaskRecord[]> {
    return this.records.list(query)
  }

  async models(): Promise<ModelInfo[]> {
    return this.catalog.list()
  }

  private queuePart(): Startable {
    return {
      start: () => {
        this.batcher.start()
      },
      stop: () => {
        this.batcher.stop()
        // tasks in mesh compute's hands stay stored with their input: the next start resumes them
        for (const task of [...this.live.values()]) {
          if (!this.resumable(task)) continue
          if (task.placed === true) this.placer?.withdraw(task.record.task_id)
          else this.batcher.remove(task)
          this.live.delete(task.record.task_id)
        }
        for (const task of this.batcher.drainQueue())
          this.finish(task, TaskStatus.FAILED, {
            error_reason: 'node_shutting_down',
            error_details: 'the node stopped before the task ran',
          })
      },
    }
  }

  private complete(task: LiveTask, result: ItemResult | undefined, elapsed: number): void {
    if (result == null) {
      this.finish(task, TaskStatus.FAILED, {
        error_reason: 'engine_failed',
        error_details: 'no result for this input',
      })
    } else if (result.ok) {
      this.finish(task, TaskStatus.COMPLETED, {
        output_data: result.output,
        execution_time_ms: elapsed,
      })
    } else {
      this.opts.log.info('task failed', {
        task_id: task.record.task_id,
        reason: result.reason,
        input: task.record.input_preview,
      })
      this.finish(task, TaskStatus.FAILED, {
        error_reason: result.reason,
        error_details: result.details,
        execution_time_ms: elapsed,
      })
    }
  }

  /** A live task changed: write and report it. */
  private update(task: LiveTask, fields: Partial<TaskRecord>): void {
    task.record = { ...task.record, ...fields }
    if (task.replica != null) return
    this.records.write(task.record, this.resumable(task) ? task.input : undefined)
    this.emitUpdate(task)
  }

  private finish(
    task: LiveTask,
    status: TaskStatus,
    fields: FinalFields,
    executedBy?: string[],
  ): void {
    if (this.isFinal(task)) return
    if (task.replica != null) {
      task.record = { ...task.record, status }
      task.replica(
        status === TaskStatus.COMPLETED && fields.output_data != null
          ? {
              status,
              output: fields.output_data,
              executionMs: fields.execution_time_ms ?? 0,
              executedBy: [this.opts.nodeId],
            }
          : {
              status: status === TaskStatus.TIMEOUT ? status : TaskStatus.FAILED,
              reason: fields.error_reason ?? 'engine_failed',
              details: fields.error_details ?? '',
              executedBy: [this.opts.nodeId],
            },
      )
      return
    }
    this.live.delete(task.record.task_id)
    task.placed = false
    this.finishSpans(task, status, fields)
    if (status === TaskStatus.COMPLETED) this.counts.completed++
    else if (status === TaskStatus.FAILED) this.counts.failed++
    else if (status === TaskStatus.TIMEOUT) this.counts.timed_out++
    const r = task.record
    // the attempt that produced the outcome: another node's (executedBy), else this node's run
    const by = executedBy ?? (task.runningSince == null ? undefined : [this.opts.nodeId])
    const outcome: AttemptOutcome = status === TaskStatus.COMPLETED ? 'completed' : 'failed'
    this.update(task, {
      ...finalFields(task, status, fields, this.opts.resultExpiryHours),
      ...(r.attempts == null || by == null || by.length === 0
        ? {}
        : { attempts: endAttempt(r.attempts, by[0] ?? '', outcome), executed_by: by }),
    })
  }

  /** A task in the placer's hands, seen through what it may do with it. */
  private placedTask(task: LiveTask): PlacedTask {
    const r = (): TaskRecord => task.record
    const isFinal = (): boolean => this.isFinal(task)
    const tracer = this.opts.tracer
    return {
      taskId: r().task_id,
      taskType: r().task_type,
      input: task.input,
      spec: task.spec,
      timeoutMs: r().timeout_seconds * 1000,
      placement: r().placement ?? 'auto',
      replicas: r().replicas ?? 1,
      get traceparent() {
        return tracer?.traceparent(r().task_id, 'transfer') ?? r().traceparent ?? ''
      },
      get settled() {
        return isFinal()
      },
      get failedAttempts() {
        return (r().attempts ?? []).filter((a) => FAILED_ATTEMPTS.has(a.outcome)).length
      },
      get triedOn() {
        return (r().attempts ?? []).map((a) => a.node_id)
      },
      runLocally: () => {
        if (isFinal() || task.placed !== true) return
        task.placed = false
        if (r().status !== TaskStatus.QUEUED) this.update(task, { status: TaskStatus.QUEUED })
        this.endSpan(task, 'schedule', { attributes: { 'task.placed_on': this.opts.nodeId } })
        this.queueHere(task)
      },
      attemptStarted: (nodeId) => {
        if (isFinal()) return
        this.endSpan(task, 'schedule', { attributes: { 'task.placed_on': nodeId } })
        this.beginSpan(task, 'transfer', { attributes: { 'peer.node_id': nodeId } })
        this.update(task, {
          attempts: withAttempt(r().attempts, nodeId, new Date().toISOString()),
        })
      },
      running: (nodeId) => {
        if (isFinal() || task.placed !== true) return
        task.runningSince = Date.now()
        this.update(task, {
          status: TaskStatus.RUNNING,
          started_at: new Date(task.runningSince).toISOString(),
          // replicas: executed_by names the nodes that agreed, once they have
          executed_by: (r().replicas ?? 1) > 1 ? undefined : [nodeId],
        })
      },
      attemptEnded: (nodeId, outcome, options = {}) => {
        if (isFinal()) return
        const attempts = endAttempt(r().attempts ?? [], nodeId, outcome)
        this.endSpan(task, 'transfer', { error: outcome })
        if (options.requeue === false) {
          this.update(task, { attempts })
          return
        }
        this.beginSpan(task, 'schedule')
        task.runningSince = undefined
        this.update(task, {
          status: TaskStatus.QUEUED,
          started_at: undefined,
          executed_by: undefined,
          attempts,
        })
      },
      settle: (o: RemoteOutcome) => {
        if (isFinal() || task.placed !== true) return
        this.settleSpans(task, o)
        if (o.status === TaskStatus.COMPLETED)
          this.finish(
            task,
            o.status,
            { output_data: o.output, execution_time_ms: o.executionMs },
            o.executedBy,
          )
        else
          this.finish(
            task,
            o.status,
            { error_reason: o.reason, error_details: o.details, execution_time_ms: o.executionMs },
            o.executedBy,
          )
      },
    }
  }

  /** A task waits in this node's queue. */
  private queueHere(task: LiveTask): void {
    this.beginSpan(task, 'queue')
    this.batcher.add(task)
  }

  /** Opens a span of a task (a replica, which has no record of its own, has none). */
  private beginSpan(
    task: LiveTask,
    name: SpanName,
    options: { attributes?: Record<string, string>; startTime?: number } = {},
  ): void {
    if (task.replica != null) return
    this.opts.tracer?.begin(task.record.task_id, name, task.record.traceparent, {
      ...options,
      served: task.origin !== '',
    })
  }

  private endSpan(
    task: LiveTask,
    name: SpanName,
    options: { error?: string; attributes?: Record<string, string>; endTime?: number } = {},
  ): void {
    if (task.replica != null) return
    this.opts.tracer?.end(task.record.task_id, name, options)
  }

  /** A result came from another node: its transfer ends as it arrived, its spans join ours. */
  private settleSpans(task: LiveTask, o: RemoteOutcome): void {
    const tracer = this.opts.tracer
    if (tracer == null || o.trace == null) return
    const id = task.record.task_id
    const traceId = traceIdOf(tracer.traceparent(id, 'transfer') ?? task.record.traceparent ?? '')
    const sent = tracer.startOf(id, 'transfer')
    tracer.end(id, 'transfer', { endTime: o.trace.receivedAt })
    tracer.addRemote(
      id,
      traceId,
      o.executedBy[0] ?? '',
      o.trace.spans,
      sent == null ? undefined : { start: sent, end: o.trace.receivedAt },
    )
    this.beginSpan(task, 'result', { startTime: o.trace.receivedAt })
    this.endSpan(task, 'result')
  }

  /**
   * A task ended: its open spans end with it; a task of this node then has its record stored
   * (the store span, ended once the record is written, and the root with it).
   */
  private finishSpans(task: LiveTask, status: TaskStatus, fields: FinalFields): void {
    const error = status === TaskStatus.COMPLETED ? undefined : (fields.error_reason ?? status)
    for (const name of ['schedule', 'transfer', 'queue', 'inference'] as const)
      this.endSpan(task, name, { error })
    if (task.origin !== '') return
    this.beginSpan(task, 'store')
    this.opts.tracer?.mark(task.record.task_id, 'submit', {
      error,
      attributes: { 'task.status': status },
    })
  }

  /** Records were written: the store spans of those that ended, and their roots, end. */
  private stored(records: TaskRecord[], err?: unknown): void {
    const tracer = this.opts.tracer
    if (tracer == null) return
    for (const r of records) {
      if (!FINAL_STATUSES.includes(r.status) || !tracer.isOpen(r.task_id, 'store')) continue
      tracer.end(r.task_id, 'store', err == null ? {} : { error: (err as Error).message })
      tracer.end(r.task_id, 'submit')
    }
  }

  private isFinal(task: LiveTask): boolean {
    return FINAL_STATUSES.includes(task.record.status)
  }

  private report(task: LiveTask): TaskStatusReport {
    return statusReport(task, this.batcher.typicalCallMs(task.spec), () =>
      this.batcher.callsAhead(task),
    )
  }

  private emitUpdate(task: LiveTask): void {
    this.safeDispatchEvent('task:update', { detail: this.report(task) })
  }

  private warnIfMemoryTight(spec: ModelSpec): void {
    if (spec.task_type === PRIMARY_TASK) return
    const used = this.opts.memoryBytes?.()
    const max = this.opts.maxMemoryMb
    if (used == null || max == null || used < 0.8 * max * 1048576) return
    this.opts.log.warn('loading another model while memory is tight', {
      model: spec.model,
      used_mb: Math.round(used / 1048576),
      max_mb: max,
    })
  }
}

/** The attempts with one more, on `nodeId`, started at `at` and still running. */
function withAttempt(
  attempts: TaskAttempt[] | undefined,
  nodeId: string,
  at: string,
): TaskAttempt[] | undefined {
  if (attempts == null) return undefined
  const last = attempts.at(-1)
  // a run that goes back to the queue and starts again (a restarted worker) is the same attempt
  if (last?.node_id === nodeId && last.outcome === 'running') return attempts
  return [...attempts, { node_id: nodeId, started_at: at, outcome: 'running' }]
}

/** The attempts with the running one on `nodeId` ended now with `outcome`. */
function endAttempt(
  attempts: TaskAttempt[],
  nodeId: string,
  outcome: AttemptOutcome,
): TaskAttempt[] {
  const at = attempts.findLastIndex((a) => a.node_id === nodeId && a.outcome === 'running')
  if (at < 0) return attempts
  const ended = { ...attempts[at], ended_at: new Date().toISOString(), outcome } as TaskAttempt
  return attempts.map((a, i) => (i === at ? ended : a))
}
