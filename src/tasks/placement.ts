/**
 * How the task engine hands tasks to mesh compute (src/compute): a TaskPlacer decides where each
 * new task of this node runs. It gets a PlacedTask, a handle through which it runs the task
 * here, or records its attempts elsewhere and settles it; the task engine keeps the record, so
 * a task is stored, listed and reported the same wherever it runs.
 */
import type { ModelSpec } from '../ai/engine.js'
import type { ReturnedSpan } from '../core/spans.js'
import type {
  AttemptOutcome,
  Placement,
  TaskErrorReason,
  TaskOutput,
  TaskStatus,
  TaskType,
} from '../core/tasks.js'

/** A task of this node waiting for a place to run, as its placer sees it. */
export interface PlacedTask {
  readonly taskId: string
  readonly taskType: TaskType
  readonly input: string
  readonly spec: ModelSpec
  /** its execution limit, ms */
  readonly timeoutMs: number
  readonly placement: Placement
  /** distinct nodes to run it on (verification by agreement); 1 for most */
  readonly replicas: number
  /** node ids it must not run on (the nodes its sibling replicas run on) */
  readonly avoid?: ReadonlySet<string>
  /** the placer chose `nodeId` for it (before its attempt starts there) */
  chosen?(nodeId: string): void
  /** the W3C trace context it travels with: its current transfer span's, else its own */
  readonly traceparent: string
  /** it reached a final state (or was cancelled): nothing more to do */
  readonly settled: boolean
  /** attempts that ended without a result (what `attempts_exhausted` counts) */
  readonly failedAttempts: number
  /** the nodes it was tried on, in order (this node as its node id) */
  readonly triedOn: readonly string[]
  /** runs it here: it joins this node's queue */
  runLocally(): void
  /** an attempt on another node starts now */
  attemptStarted(nodeId: string): void
  /** the attempt on `nodeId` started running there */
  running(nodeId: string): void
  /**
   * The current attempt on `nodeId` ended; without a result, the task goes back to QUEUED unless
   * `requeue` is false (a replica's end, while others still run).
   */
  attemptEnded(nodeId: string, outcome: AttemptOutcome, options?: { requeue?: boolean }): void
  /** a verified result from the nodes that produced it: the task ends with it */
  settle(outcome: RemoteOutcome): void
}

/** What another node returned for a task, with its spans of it when it sent them. */
export type RemoteOutcome = (
  | {
      status: typeof TaskStatus.COMPLETED
      output: TaskOutput
      executionMs: number
      executedBy: string[]
    }
  | {
      status: typeof TaskStatus.FAILED | typeof TaskStatus.TIMEOUT
      reason: TaskErrorReason
      details: string
      executionMs?: number
      executedBy: string[]
    }
) & { trace?: RemoteTrace }

/** The executor's spans of a task, and when its result arrived here (ms since the epoch). */
export interface RemoteTrace {
  receivedAt: number
  spans: ReturnedSpan[]
}

/** Runs one input on this node's engine outside any task (a replica of a task run here). */
export type RunReplica = (
  spec: ModelSpec,
  input: string,
  timeoutMs: number,
) => Promise<RemoteOutcome>

/** Decides where this node's tasks run (mesh compute's dispatcher). */
export interface TaskPlacer {
  /**
   * Takes a new task. Returns a refusal when its placement cannot be met at all (an unknown
   * node), and the task fails at once with that reason; otherwise the placer owns the task until
   * it calls runLocally() or settle().
   */
  place(task: PlacedTask): { reason: TaskErrorReason; details: string } | undefined
  /** the task is no longer wanted (cancelled, or the node stops): stop any attempt of it */
  withdraw(taskId: string): void
}
