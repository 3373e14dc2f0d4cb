/** A member of the demo's mesh: a tab or a headless node, numbered from 1, killed and healed. */

export type MemberKind = 'tab' | 'node'

/** One task of the workload: its key in the book, its text and its type. */
export interface DemoTask {
  key: string
  input: string
  task_type: 'text_embedding' | 'classification'
}

/** What a poll saw of a task. */
export interface TaskSeen {
  key: string
  status: string
  /** submit → final, from the task's own record */
  latencyMs?: number
  reason?: string
}

export interface Member {
  readonly number: number
  readonly kind: MemberKind
  /** started and not killed */
  readonly alive: boolean
  /** its libp2p peer id, once started */
  readonly peerId: string | undefined
  /** starts it, or starts it again after a kill (same identity and stored tasks) */
  start(): Promise<void>
  /** a crash: SIGKILL for a headless node, a closed page for a tab */
  kill(): Promise<void>
  /** submits the tasks (placement auto); rejects if it could not */
  submit(tasks: DemoTask[]): Promise<void>
  /** the state of the tasks it submitted, of those it can see now */
  poll(keys: string[]): Promise<TaskSeen[]>
  /** peer ids of its ALIVE direct neighbours */
  neighbours(): Promise<string[]>
  /** stops it for good and removes what it kept */
  dispose(): Promise<void>
}

/** Latency of a task from its record's own timestamps, ms. */
export function recordLatency(record: {
  submitted_at?: string
  timestamp_completed?: string
}): number | undefined {
  if (record.submitted_at == null || record.timestamp_completed == null) return undefined
  const ms = Date.parse(record.timestamp_completed) - Date.parse(record.submitted_at)
  return Number.isFinite(ms) ? ms : undefined
}
