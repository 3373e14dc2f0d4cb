/**
 * `debug stress` (FR23.1): `tasks` tasks of short generated sentences, at most `concurrency` in
 * flight, each timed from submission to its final status; the report has throughput, latency
 * p50/p99 and the failures by reason.
 */
import type { StressOptions, StressReport } from '../core/debug.js'
import { DebugError, TaskRequestError } from '../core/errors.js'
import type { NodeApi } from '../core/node-api.js'
import type { TaskStatusReport } from '../core/tasks.js'
import { FINAL_STATUSES, TASK_TYPE_ALIASES } from '../core/tasks.js'
import { perSecond, summarize } from './stats.js'

export type StressSource = Pick<NodeApi, 'tasks' | 'addEventListener' | 'removeEventListener'>

export const MAX_TASKS = 10_000
export const MAX_CONCURRENCY = 256
/** How often a task missed by events is looked up, ms. */
const POLL_MS = 1000

const SUBJECTS = ['the relay', 'a small node', 'every tab', 'the mesh', 'an agent', 'the model']
const VERBS = ['forwards', 'measures', 'embeds', 'remembers', 'announces', 'classifies']
const OBJECTS = ['a short message', 'seven peers', 'the morning news', 'its heartbeat', 'a task']

/** The `i`-th input: a short sentence, different for each i. */
export function sentence(i: number): string {
  const s = SUBJECTS[i % SUBJECTS.length] as string
  const v = VERBS[Math.floor(i / SUBJECTS.length) % VERBS.length] as string
  const o = OBJECTS[i % OBJECTS.length] as string
  return `${s} ${v} ${o} (${i})`
}

/** The options with their defaults, checked: DebugError invalid_debug_option naming the one at fault. */
export function stressOptions(options: StressOptions): Required<Omit<StressOptions, 'signal'>> {
  const whole = (v: unknown, min: number, max: number, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new DebugError(
        'invalid_debug_option',
        `${name} must be a whole number from ${min} to ${max}`,
        name,
      )
    return v
  }
  const requested = options.taskType ?? 'text_embedding'
  const taskType = TASK_TYPE_ALIASES[requested]
  if (taskType == null)
    throw new DebugError(
      'invalid_debug_option',
      `unknown task type ${JSON.stringify(requested)}: ${Object.keys(TASK_TYPE_ALIASES).join(', ')}`,
      'type',
    )
  const timeout = options.taskTimeoutSeconds ?? 60
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600)
    throw new DebugError(
      'invalid_debug_option',
      'the task timeout must be over 0 and at most 3600 seconds',
      'timeout',
    )
  return {
    tasks: whole(options.tasks, 1, MAX_TASKS, 'tasks'),
    concurrency: whole(options.concurrency, 1, MAX_CONCURRENCY, 'concurrency'),
    taskType,
    placement: options.placement ?? 'auto',
    taskTimeoutSeconds: timeout,
  }
}

export async function runStress(node: StressSource, options: StressOptions): Promise<StressReport> {
  const opts = stressOptions(options)
  const tasks = node.tasks
  if (tasks == null)
    throw new TaskRequestError('tasks_unavailable', 'this node runs no AI tasks (a relay does not)')
  const signal = options.signal
  // final reports by task id, from events (and a poll for anything an event did not bring)
  const waiting = new Map<
    string,
    (report: Pick<TaskStatusReport, 'status' | 'error_reason'>) => void
  >()
  const onUpdate = (evt: CustomEvent<TaskStatusReport>): void => {
    if (FINAL_STATUSES.includes(evt.detail.status)) waiting.get(evt.detail.task_id)?.(evt.detail)
  }
  node.addEventListener('task:update', onUpdate)
  const poll = setInterval(() => {
    for (const id of waiting.keys())
      void tasks.status(id).then(
        (s) => {
          if (s != null && FINAL_STATUSES.includes(s.status)) waiting.get(id)?.(s)
        },
        () => {},
      )
  }, POLL_MS)

  const latencies: number[] = []
  const failures: Record<string, number> = {}
  let completed = 0
  let failed = 0
  let timedOut = 0
  let next = 0
  const started = performance.now()
  const startedAt = new Date().toISOString()

  const runOne = async (i: number): Promise<void> => {
    const taskId = crypto.randomUUID()
    const t0 = performance.now()
    const final = new Promise<Pick<TaskStatusReport, 'status' | 'error_reason'>>((resolve) => {
      waiting.set(taskId, resolve)
    })
    try {
      const record = tasks.submit({
        task_id: taskId,
        task_type: opts.taskType,
        input: sentence(i),
        placement: opts.placement,
        timeout_seconds: opts.taskTimeoutSeconds,
      })
      const end = FINAL_STATUSES.includes(record.status) ? record : await abortable(final, signal)
      if (end.status === 'COMPLETED') {
        completed++
        latencies.push(performance.now() - t0)
        return
      }
      if (end.status === 'TIMEOUT') timedOut++
      else failed++
      const reason = end.error_reason ?? end.status.toLowerCase()
      failures[reason] = (failures[reason] ?? 0) + 1
    } catch (err) {
      if (signal?.aborted === true) throw err
      // refused before it became a task (e.g. the engine stopped): a failure of the run
      failed++
      const reason = (err as { code?: string }).code ?? 'submit_failed'
      failures[reason] = (failures[reason] ?? 0) + 1
    } finally {
      waiting.delete(taskId)
    }
  }
  const worker = async (): Promise<void> => {
    while (next < opts.tasks && signal?.aborted !== true) await runOne(next++)
  }
  try {
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency, opts.tasks) }, async () =>
        worker().catch(() => {}),
      ),
    )
  } finally {
    clearInterval(poll)
    node.removeEventListener('task:update', onUpdate)
  }
  const durationMs = performance.now() - started
  return {
    tasks: opts.tasks,
    concurrency: opts.concurrency,
    task_type: opts.taskType,
    completed,
    failed,
    timed_out: timedOut,
    unfinished: opts.tasks - completed - failed - timedOut,
    failures,
    latency: summarize(latencies),
    duration_ms: Math.round(durationMs * 10) / 10,
    tasks_per_sec: perSecond(completed, durationMs),
    started_at: startedAt,
  }
}

/** `promise`, or a rejection when `signal` aborts first. */
async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal == null) return promise
  signal.throwIfAborted()
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e as Error)
      },
    )
  })
}
