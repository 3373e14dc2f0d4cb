/**
 * The task engine (FR14.2-FR14.4): tasks are queued at once, batched by model into inference
 * calls (at most max_concurrent_tasks calls in flight, max_batch_size tasks each), time-limited,
 * stored, and reported as they move QUEUED → RUNNING → COMPLETED / FAILED / TIMEOUT.
 *
 * Batching rule: a call goes out when the engine is idle, or when a full batch of one model is
 * waiting; so tasks that arrive while the engine works ride together in the next call.
 * Timeouts count from the start of execution. A task past its timeout is TIMEOUT at once, with no
 * partial result; if its call still has not returned a while later, the worker is restarted (the
 * compute is freed) and the call's other tasks go back to the queue.
 */
import { TypedEventEmitter } from 'main-event'
import type {
  EngineCapabilities,
  ModelInfo,
  TaskOutput,
  TaskRecord,
  TaskRequest,
  TaskStats,
  TaskStatusReport,
  TaskType,
} from '../core/tasks.js'
import { FINAL_STATUSES, TaskStatus } from '../core/tasks.js'
import type { InferenceEngine, ItemResult, ModelSpec, RuntimeOptions } from '../ai/engine.js'
import { modelKey } from '../ai/engine.js'
import type { ResultsStore } from '../store/results-store.js'
import { RecordWriter } from './record-writer.js'
import { checkRequest, preview } from './request.js'
import type { Logger } from '../core/log.js'
import type { ResultsQuery } from '../core/tasks.js'

export interface TaskServiceOptions {
  nodeId: string
  engine: InferenceEngine
  runtime: RuntimeOptions
  store: ResultsStore
  models: Record<TaskType, Omit<ModelSpec, 'task_type'>>
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
}

export interface TaskEvents {
  'task:update': CustomEvent<TaskStatusReport>
  'models:update': CustomEvent<ModelInfo[]>
  capabilities: CustomEvent<EngineCapabilities>
}

interface LiveTask {
  record: TaskRecord
  spec: ModelSpec
  input: string
  /** Date.now() when its current run started */
  runningSince?: number
  /** inference calls it was part of (a restarted worker puts it back once) */
  runs: number
}

const PRIMARY: TaskType = 'text_embedding'

export class TaskService extends TypedEventEmitter<TaskEvents> {
  private readonly live = new Map<string, LiveTask>()
  private readonly queue: LiveTask[] = []
  private readonly writer: RecordWriter
  private readonly msPerCall = new Map<string, number>()
  private readonly modelState = new Map<string, ModelInfo>()
  private inflight = 0
  private scheduled = false
  private running = false
  private maintenance?: ReturnType<typeof setInterval>
  private caps?: EngineCapabilities
  private readonly counts: TaskStats = {
    completed: 0,
    failed: 0,
    timed_out: 0,
    inference_calls: 0,
    inference_inputs: 0,
    inference_ms: 0,
  }

  constructor(private readonly opts: TaskServiceOptions) {
    super()
    this.writer = new RecordWriter(opts.store, {
      intervalMs: opts.writeIntervalMs ?? 1000,
      onError: (err, records) => {
        opts.log.error('could not store task records', {
          tasks: records.length,
          error: err as Error,
        })
      },
    })
  }

  /** Starts the engine and begins loading the primary (embedding) model; does not wait for it. */
  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    await this.recoverInterrupted()
    this.caps = await this.opts.engine.init(this.opts.runtime)
    this.maintenance = setInterval(() => {
      void this.maintain()
    }, this.opts.maintenanceMs ?? 60_000)
    void this.loadPrimary()
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    clearInterval(this.maintenance)
    for (const task of this.queue.splice(0))
      this.finish(task, TaskStatus.FAILED, {
        error_reason: 'node_shutting_down',
        error_details: 'the node stopped before the task ran',
      })
    await this.writer.flushed()
    await this.opts.engine.close()
  }

  /** Tasks queued or running (for a graceful stop to wait on). */
  get busy(): boolean {
    return this.live.size > 0
  }

  capabilities(): EngineCapabilities | undefined {
    return this.caps
  }

  /** Counters since this engine started. */
  stats(): TaskStats {
    return { ...this.counts }
  }

  /** FR14.2: queues a task and returns its record at once (QUEUED, or FAILED for an input no model can take). */
  submit(request: TaskRequest): TaskRecord {
    if (!this.running) throw new Error('the task engine is not running')
    const checked = checkRequest(request, (id) => this.live.has(id))
    const spec: ModelSpec = { task_type: checked.task_type, ...this.opts.models[checked.task_type] }
    const record: TaskRecord = {
      task_id: checked.task_id,
      node_id: this.opts.nodeId,
      task_type: checked.task_type,
      status: TaskStatus.QUEUED,
      model: spec.model,
      input_preview: preview(request.input),
      timeout_seconds: checked.timeout_seconds,
      submitted_at: new Date().toISOString(),
    }
    const task: LiveTask = { record, spec, input: checked.input ?? '', runs: 0 }
    if (checked.refusal != null) {
      this.opts.log.info('task input refused', {
        task_id: record.task_id,
        reason: checked.refusal.reason,
        input: record.input_preview,
      })
      this.finish(task, TaskStatus.FAILED, {
        error_reason: checked.refusal.reason,
        error_details: checked.refusal.details,
      })
      this.schedule()
      return { ...task.record }
    }
    this.live.set(record.task_id, task)
    this.queue.push(task)
    this.writer.write(task.record)
    this.emitUpdate(task)
    this.schedule()
    return { ...record }
  }

  /** FR14.4: the task's status with progress while it lives; undefined when unknown. */
  async status(taskId: string): Promise<TaskStatusReport | undefined> {
    const task = this.live.get(taskId)
    if (task != null) return this.report(task)
    const record = this.writer.latest(taskId) ?? (await this.opts.store.get(taskId))
    return record == null
      ? undefined
      : { ...record, progress_percent: record.status === TaskStatus.COMPLETED ? 100 : 0 }
  }

  /** FR14.3: the stored record (with output_data once COMPLETED). */
  async result(taskId: string): Promise<TaskRecord | undefined> {
    const task = this.live.get(taskId)
    if (task != null) return { ...task.record }
    return this.writer.latest(taskId) ?? this.opts.store.get(taskId)
  }

  /** Writes the task records not yet stored now; resolves once they are. */
  async flush(): Promise<void> {
    await this.writer.flushed()
  }

  /** This node's tasks, newest first. */
  async list(query: ResultsQuery = {}): Promise<TaskRecord[]> {
    await this.flush()
    return this.opts.store.list({ nodeId: this.opts.nodeId, ...query })
  }

  /** FR14.1: configured models, loaded or not. */
  async models(): Promise<ModelInfo[]> {
    const loaded = await this.opts.engine.models()
    const known = new Map(loaded.map((m) => [`${m.model_name}:${m.dtype}`, m]))
    for (const [type, m] of Object.entries(this.opts.models) as Array<
      [TaskType, { model: string; dtype: string }]
    >) {
      const key = `${m.model}:${m.dtype}`
      if (known.has(key)) continue
      known.set(
        key,
        this.modelState.get(key) ?? {
          model_name: m.model,
          model_type: type === 'text_embedding' ? 'embedding' : 'classification',
          task_type: type,
          dtype: m.dtype,
          model_size_mb: 0,
          is_ready: false,
        },
      )
    }
    return [...known.values()]
  }

  private async loadPrimary(): Promise<void> {
    const spec: ModelSpec = { task_type: PRIMARY, ...this.opts.models[PRIMARY] }
    try {
      await this.load(spec)
      const perSec = await this.opts.engine.benchmark(spec)
      if (this.caps != null) {
        this.caps = { ...this.caps, embeddings_per_sec: perSec }
        this.safeDispatchEvent('capabilities', { detail: this.caps })
      }
      this.opts.log.info('primary model ready', {
        model: spec.model,
        backend: this.caps?.backend,
        embeddings_per_sec: perSec,
      })
    } catch (err) {
      this.opts.log.error('primary model failed to load', {
        model: spec.model,
        error: err as Error,
      })
    }
  }

  private async load(spec: ModelSpec): Promise<ModelInfo> {
    const key = modelKey(spec)
    const onProgress = (p: { progress_percent: number }): void => {
      this.modelState.set(key, {
        ...(this.modelState.get(key) ?? this.placeholder(spec)),
        progress_percent: p.progress_percent,
      })
      this.announceModels()
    }
    try {
      const info = await this.opts.engine.load(spec, onProgress)
      this.modelState.set(key, info)
      return info
    } catch (err) {
      this.modelState.set(key, { ...this.placeholder(spec), error: (err as Error).message })
      throw err
    } finally {
      this.announceModels()
    }
  }

  /** Tells listeners the models' states; a call cut off by a stopping engine is no error. */
  private announceModels(): void {
    this.models().then(
      (m) => this.safeDispatchEvent('models:update', { detail: m }),
      (err: unknown) => {
        if (this.running) this.opts.log.warn('could not list models', { error: err as Error })
      },
    )
  }

  private placeholder(spec: ModelSpec): ModelInfo {
    return {
      model_name: spec.model,
      model_type: spec.task_type === 'text_embedding' ? 'embedding' : 'classification',
      task_type: spec.task_type,
      dtype: spec.dtype,
      model_size_mb: 0,
      is_ready: false,
    }
  }

  /**
   * Dispatches after this turn (submissions made in the same turn join one call). An engine left
   * idle then writes its records at once: group commit is for bursts, and a lone task is durable
   * as soon as it is seen done.
   */
  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setTimeout(() => {
      this.scheduled = false
      this.dispatch()
      if (this.inflight === 0 && this.queue.length === 0) void this.writer.flushed()
    }, 0)
  }

  private dispatch(): void {
    while (this.running && this.inflight < this.opts.maxConcurrent && this.queue.length > 0) {
      const key = modelKey((this.queue[0] as LiveTask).spec)
      const same = this.queue.filter((t) => modelKey(t.spec) === key)
      if (this.inflight > 0 && same.length < this.opts.maxBatch) return
      const batch = same.slice(0, this.opts.maxBatch)
      for (const t of batch) this.queue.splice(this.queue.indexOf(t), 1)
      void this.runBatch(batch)
    }
  }

  private async runBatch(batch: LiveTask[]): Promise<void> {
    this.inflight++
    const spec = (batch[0] as LiveTask).spec
    const key = modelKey(spec)
    if (!this.modelState.get(key)?.is_ready && spec.task_type !== PRIMARY)
      this.warnIfMemoryTight(spec)
    const started = Date.now()
    for (const t of batch) {
      t.runs++
      t.runningSince = started
      t.record = {
        ...t.record,
        status: TaskStatus.RUNNING,
        started_at: new Date(started).toISOString(),
      }
      this.writer.write(t.record)
      this.emitUpdate(t)
    }
    let settled = false
    let stuck: ReturnType<typeof setTimeout> | undefined
    // a call that runs on well past a task's timeout is stuck (one input can hang the batch):
    // restart the worker; the call's other tasks go back to the queue
    const grace = Math.max(this.opts.stuckGraceMs ?? 2000, 4 * (this.msPerCall.get(key) ?? 0))
    const timers = batch.map((t) =>
      setTimeout(() => {
        this.finish(t, TaskStatus.TIMEOUT, {
          error_reason: 'timeout',
          error_details: `execution exceeded ${t.record.timeout_seconds} s`,
        })
        stuck ??= setTimeout(() => {
          if (settled) return
          this.opts.log.warn(
            'inference call still running after a task timed out; restarting the worker',
            { model: spec.model, graceMs: grace },
          )
          void this.opts.engine
            .restart()
            .catch((err: unknown) =>
              this.opts.log.error('worker restart failed', { error: err as Error }),
            )
        }, grace)
      }, t.record.timeout_seconds * 1000),
    )
    try {
      if (!this.modelState.get(key)?.is_ready) await this.load(spec)
      const results = await this.opts.engine.run(
        spec,
        batch.map((t) => t.input),
      )
      const elapsed = Date.now() - started
      this.counts.inference_calls++
      this.counts.inference_inputs += batch.length
      this.counts.inference_ms += elapsed
      this.msPerCall.set(
        key,
        Math.round(0.7 * (this.msPerCall.get(key) ?? elapsed) + 0.3 * elapsed),
      )
      batch.forEach((t, i) => {
        this.complete(t, results[i], elapsed)
      })
    } catch (err) {
      // the worker died or was restarted: tasks that still have time go round once more
      for (const t of batch) {
        if (this.isFinal(t)) continue
        if (t.runs < 2 && this.running) {
          t.record = { ...t.record, status: TaskStatus.QUEUED, started_at: undefined }
          t.runningSince = undefined
          this.queue.unshift(t)
          this.emitUpdate(t)
        } else {
          this.finish(t, TaskStatus.FAILED, {
            error_reason: 'engine_failed',
            error_details: (err as Error).message,
          })
        }
      }
    } finally {
      settled = true
      for (const timer of timers) clearTimeout(timer)
      clearTimeout(stuck)
      this.inflight--
      this.schedule()
    }
  }

  private complete(task: LiveTask, result: ItemResult | undefined, elapsed: number): void {
    if (this.isFinal(task)) return // timed out meanwhile: no partial results
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

  private finish(
    task: LiveTask,
    status: TaskStatus,
    fields: {
      output_data?: TaskOutput
      execution_time_ms?: number
      error_reason?: string
      error_details?: string
    },
  ): void {
    if (this.isFinal(task)) return
    const now = Date.now()
    const output = fields.output_data
    const text = output == null ? undefined : JSON.stringify(output)
    task.record = {
      ...task.record,
      ...fields,
      status,
      timestamp_completed: new Date(now).toISOString(),
      expires_at: new Date(now + this.opts.resultExpiryHours * 3600_000).toISOString(),
      execution_time_ms:
        fields.execution_time_ms ??
        (task.runningSince == null ? undefined : now - task.runningSince),
      result_size_bytes: text == null ? undefined : new TextEncoder().encode(text).byteLength,
      result_preview: text == null ? undefined : preview(text),
    }
    this.live.delete(task.record.task_id)
    if (status === TaskStatus.COMPLETED) this.counts.completed++
    else if (status === TaskStatus.FAILED) this.counts.failed++
    else if (status === TaskStatus.TIMEOUT) this.counts.timed_out++
    this.writer.write(task.record)
    this.emitUpdate(task)
  }

  private isFinal(task: LiveTask): boolean {
    return FINAL_STATUSES.includes(task.record.status)
  }

  private report(task: LiveTask): TaskStatusReport {
    const r = task.record
    if (r.status === TaskStatus.COMPLETED) return { ...r, progress_percent: 100 }
    const expected = this.msPerCall.get(modelKey(task.spec)) ?? 1000
    if (r.status === TaskStatus.RUNNING && task.runningSince != null) {
      const soFar = Date.now() - task.runningSince
      return {
        ...r,
        progress_percent: Math.min(95, Math.round((soFar / expected) * 100)),
        execution_time_so_far_ms: soFar,
        estimated_completion_secs: Math.max(0, (expected - soFar) / 1000),
      }
    }
    if (r.status === TaskStatus.QUEUED) {
      const ahead = Math.floor(this.queue.indexOf(task) / this.opts.maxBatch) + this.inflight
      return {
        ...r,
        progress_percent: 0,
        estimated_completion_secs: ((ahead + 1) * expected) / 1000,
      }
    }
    return { ...r, progress_percent: 0 }
  }

  private emitUpdate(task: LiveTask): void {
    this.safeDispatchEvent('task:update', { detail: this.report(task) })
  }

  /** Tasks that were queued or running when the node last stopped cannot finish now. */
  private async recoverInterrupted(): Promise<void> {
    for (let offset = 0; ; offset += 200) {
      const page = await this.opts.store.list({ nodeId: this.opts.nodeId, limit: 200, offset })
      const now = Date.now()
      const interrupted = page
        .filter((record) => !FINAL_STATUSES.includes(record.status))
        .map((record) => ({
          ...record,
          status: TaskStatus.FAILED,
          error_reason: 'interrupted',
          error_details: 'the node stopped before the task finished',
          timestamp_completed: new Date(now).toISOString(),
          expires_at: new Date(now + this.opts.resultExpiryHours * 3600_000).toISOString(),
        }))
      await this.opts.store.putMany(interrupted)
      if (page.length < 200) return
    }
  }

  private async maintain(): Promise<void> {
    try {
      const expired = await this.opts.store.deleteExpired(Date.now())
      const trimmed = await this.opts.store.trim(this.opts.maxStoredResults)
      if (expired + trimmed > 0) this.opts.log.info('results cleaned up', { expired, trimmed })
    } catch (err) {
      this.opts.log.error('results clean-up failed', { error: err as Error })
    }
  }

  private warnIfMemoryTight(spec: ModelSpec): void {
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
