/**
 * Queue and batching of the task engine. A call goes out when the engine is idle, or when a full
 * batch (max_batch_size) of one model is waiting; at most max_concurrent_tasks calls are in
 * flight. Tasks that arrive while the engine works ride together in the next call. Tasks of
 * several submitters (this node, and peers it serves) share calls round-robin: one flooding
 * submitter cannot push the others' tasks behind its whole flood.
 *
 * Timeouts count from the start of execution: each task in a call gets a deadline signal, and a
 * task whose deadline fires is TIMEOUT at once, with no partial result. If its call still runs a
 * while later (2 s, or 4 typical calls) the worker is stuck: it is restarted, which frees the
 * compute, and the call's other tasks go back to the queue once.
 */
import type { Deadline } from '../core/abort.js'
import { deadline } from '../core/abort.js'
import { taskErrorReason } from '../core/errors.js'
import type { Logger } from '../core/log.js'
import type { Startable } from '../core/startable.js'
import type { TaskRecord } from '../core/tasks.js'
import type { InferenceEngine, ItemResult, ModelSpec } from '../ai/engine.js'
import { modelKey } from '../ai/engine.js'
import type { ModelCatalog } from './model-catalog.js'
import type { RemoteOutcome } from './placement.js'

/** A task the engine holds: queued or in a call. */
export interface LiveTask {
  record: TaskRecord
  spec: ModelSpec
  input: string
  /** Date.now() when its current run started */
  runningSince?: number
  /** inference calls it was part of (a restarted worker puts it back once) */
  runs: number
  /** who submitted it, for fair turns: "" for this node, else the peer it is served for */
  origin: string
  /** held by mesh compute's placer (not in this queue) until it runs it here or settles it */
  placed?: boolean
  /** a replica run here for a task's agreement: its outcome goes here, and no record is kept */
  replica?: (outcome: RemoteOutcome) => void
}

/** What the batcher tells its owner, which keeps the records. */
export interface BatchOutcomes {
  /** the task is part of a call from `at` (ms since the epoch) */
  running(task: LiveTask, at: number): void
  /** the call returned this task's result (undefined: none) after `elapsedMs` */
  completed(task: LiveTask, result: ItemResult | undefined, elapsedMs: number): void
  timedOut(task: LiveTask): void
  /** the call failed, and the task will not run again */
  failed(task: LiveTask, error: Error): void
  /** the task went back to the queue after its worker was restarted */
  requeued(task: LiveTask): void
  /** whether the task already reached a final state (timed out meanwhile) */
  isFinal(task: LiveTask): boolean
  /** the engine went idle: nothing queued or in flight */
  idle(): void
}

export interface BatcherOptions {
  engine: InferenceEngine
  catalog: ModelCatalog
  maxConcurrent: number
  maxBatch: number
  outcomes: BatchOutcomes
  log: Logger
  /** least time a call may run past a task's timeout before its worker is restarted, ms. @default 2000 */
  stuckGraceMs?: number
  /** a model is about to be loaded on demand (not the primary one) */
  onDemandLoad?(spec: ModelSpec): void
  /** an inference call ended: the inputs it carried and its duration, ms */
  onCall?(inputs: number, ms: number): void
}

export class Batcher implements Startable {
  private readonly queue: LiveTask[] = []
  private readonly calls = new Set<Promise<void>>()
  private readonly msPerCall = new Map<string, number>()
  private running = false
  private scheduled = false
  /** the submitter served first in the last call: the next call starts after it */
  private lastOrigin?: string
  /** inference calls made, the inputs they carried, and the time they took (ms, summed) */
  readonly callStats = { calls: 0, inputs: 0, ms: 0 }

  constructor(private readonly opts: BatcherOptions) {}

  start(): void {
    this.running = true
  }

  /** Starts no new calls; calls in flight go on (see settled()), queued tasks stay (see drainQueue()). */
  stop(): void {
    this.running = false
  }

  /** Removes and returns every queued task. */
  drainQueue(): LiveTask[] {
    return this.queue.splice(0)
  }

  /** Removes a queued task (it will not run); false when it is not queued. */
  remove(task: LiveTask): boolean {
    const at = this.queue.indexOf(task)
    if (at < 0) return false
    this.queue.splice(at, 1)
    return true
  }

  /** Queued tasks of one submitter. */
  queuedFor(origin: string): number {
    return this.queue.reduce((n, t) => n + (t.origin === origin ? 1 : 0), 0)
  }

  get queued(): number {
    return this.queue.length
  }

  /** Resolves when every call in flight has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.calls])
  }

  get inflight(): number {
    return this.calls.size
  }

  add(task: LiveTask): void {
    this.queue.push(task)
    this.schedule()
  }

  /** How long a call of this model takes, ms (a moving average), if one ran. */
  typicalCallMs(spec: ModelSpec): number | undefined {
    return this.msPerCall.get(modelKey(spec))
  }

  /** How many calls are ahead of a queued task (including the ones in flight). */
  callsAhead(task: LiveTask): number {
    return Math.floor(this.queue.indexOf(task) / this.opts.maxBatch) + this.calls.size
  }

  /**
   * Dispatches after this turn (submissions made in the same turn join one call); an engine left
   * idle then says so, and its owner writes the records at once.
   */
  schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setTimeout(() => {
      this.scheduled = false
      this.dispatch()
      if (this.calls.size === 0 && this.queue.length === 0) this.opts.outcomes.idle()
    }, 0)
  }

  private dispatch(): void {
    while (this.running && this.calls.size < this.opts.maxConcurrent && this.queue.length > 0) {
      const origins = inTurn(this.queue, this.lastOrigin)
      const head = this.queue.find((t) => t.origin === origins[0]) as LiveTask
      const key = modelKey(head.spec)
      const same = this.queue.filter((t) => modelKey(t.spec) === key)
      if (this.calls.size > 0 && same.length < this.opts.maxBatch) return
      const batch = roundRobin(same, origins, this.opts.maxBatch)
      this.lastOrigin = head.origin
      for (const t of batch) this.queue.splice(this.queue.indexOf(t), 1)
      // counted in flight before it starts: its tasks' RUNNING updates see it
      let ended: () => void = () => {}
      const call = new Promise<void>((resolve) => (ended = resolve))
      this.calls.add(call)
      void this.runBatch(batch).finally(() => {
        this.calls.delete(call)
        ended()
        this.schedule()
      })
    }
  }

  private async runBatch(batch: LiveTask[]): Promise<void> {
    const { outcomes, catalog, engine } = this.opts
    const spec = (batch[0] as LiveTask).spec
    const key = modelKey(spec)
    if (!catalog.isReady(spec)) this.opts.onDemandLoad?.(spec)
    const started = Date.now()
    for (const t of batch) {
      t.runs++
      t.runningSince = started
      outcomes.running(t, started)
    }
    const grace = Math.max(this.opts.stuckGraceMs ?? 2000, 4 * (this.msPerCall.get(key) ?? 0))
    let stuck: Deadline | undefined
    const deadlines = batch.map((t) => {
      const d = deadline(t.record.timeout_seconds * 1000)
      d.signal.addEventListener('abort', () => {
        outcomes.timedOut(t)
        stuck ??= this.watchStuck(spec, grace)
      })
      return d
    })
    try {
      if (!catalog.isReady(spec)) await catalog.load(spec)
      const results = await engine.run(
        spec,
        batch.map((t) => t.input),
      )
      const elapsed = Date.now() - started
      this.callStats.calls++
      this.callStats.inputs += batch.length
      this.callStats.ms += elapsed
      this.opts.onCall?.(batch.length, elapsed)
      this.msPerCall.set(
        key,
        Math.round(0.7 * (this.msPerCall.get(key) ?? elapsed) + 0.3 * elapsed),
      )
      batch.forEach((t, i) => {
        if (!outcomes.isFinal(t)) outcomes.completed(t, results[i], elapsed)
      })
    } catch (err) {
      // the worker died or was restarted: tasks that still have time go round once more; a
      // model that cannot load (its reason is a task error reason) will not load on a retry
      const again = taskErrorReason(err) == null
      for (const t of batch) {
        if (outcomes.isFinal(t)) continue
        if (again && t.runs < 2 && this.running) {
          t.runningSince = undefined
          this.queue.unshift(t)
          outcomes.requeued(t)
        } else {
          outcomes.failed(t, err as Error)
        }
      }
    } finally {
      for (const d of deadlines) d.clear()
      stuck?.clear()
    }
  }

  /** A call that runs on well past a task's timeout is stuck (one input can hang the batch). */
  private watchStuck(spec: ModelSpec, graceMs: number): Deadline {
    const watch = deadline(graceMs)
    watch.signal.addEventListener('abort', () => {
      this.opts.log.warn(
        'inference call still running after a task timed out; restarting the worker',
        { model: spec.model, graceMs },
      )
      this.opts.engine.restart().catch((err: unknown) => {
        this.opts.log.error('worker restart failed', { error: err as Error })
      })
    })
    return watch
  }
}

/** The submitters with queued tasks, in turn: the one after `last` first, in order of arrival. */
function inTurn(queue: readonly LiveTask[], last: string | undefined): string[] {
  const origins = [...new Set(queue.map((t) => t.origin))]
  const at = last == null ? -1 : origins.indexOf(last)
  return at < 0 ? origins : [...origins.slice(at + 1), ...origins.slice(0, at + 1)]
}

/** Up to `max` tasks, one per submitter in turn, each submitter's in arrival order. */
function roundRobin(tasks: readonly LiveTask[], origins: string[], max: number): LiveTask[] {
  const lanes = origins.map((o) => tasks.filter((t) => t.origin === o))
  const out: LiveTask[] = []
  for (let i = 0; out.length < max; i++) {
    let took = false
    for (const lane of lanes) {
      const t = lane[i]
      if (t == null) continue
      took = true
      out.push(t)
      if (out.length === max) break
    }
    if (!took) break
  }
  return out
}
