/** Contracts of the AI task engine (FR14.1-FR14.4): tasks, their states, outputs and models. */

/** Loading models (in the inference worker). */
export const MODEL_ERROR_CODES = [
  'model_manifest_invalid',
  'insufficient_disk_space',
  'model_load_failed',
  'engine_closed',
  'worker_restarted',
] as const
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number]

/** Why a task ended FAILED or TIMEOUT: its record's `error_reason` (FR14.2-FR14.4). */
export const TASK_ERROR_REASONS = [
  'input_empty',
  'invalid_input_type',
  'input_exceeds_max_length',
  'inference_failed',
  'engine_failed',
  'timeout',
  'node_shutting_down',
  'interrupted',
  'insufficient_disk_space',
  'model_manifest_invalid',
  'model_load_failed',
  'cancelled',
  // mesh compute: sent elsewhere, and no node returned a result
  'attempts_exhausted',
  'no_capable_node',
  'no_agreement',
] as const
export type TaskErrorReason = (typeof TASK_ERROR_REASONS)[number]

/** What a node can be asked to compute. */
export const TaskType = {
  /** a 512-value unit-length sentence embedding */
  TEXT_EMBEDDING: 'text_embedding',
  /** a label with its confidence */
  CLASSIFICATION: 'classification',
} as const
export type TaskType = (typeof TaskType)[keyof typeof TaskType]
export const TASK_TYPES: readonly TaskType[] = Object.values(TaskType)

/** Short names accepted from people (`--type embedding`). */
export const TASK_TYPE_ALIASES: Readonly<Record<string, TaskType>> = {
  embedding: TaskType.TEXT_EMBEDDING,
  text_embedding: TaskType.TEXT_EMBEDDING,
  classification: TaskType.CLASSIFICATION,
  classify: TaskType.CLASSIFICATION,
  sentiment: TaskType.CLASSIFICATION,
}

/** Task states (FR14.4). */
export const TaskStatus = {
  /** waiting for the engine */
  QUEUED: 'QUEUED',
  /** in an inference call */
  RUNNING: 'RUNNING',
  /** output_data is set */
  COMPLETED: 'COMPLETED',
  /** error_reason says why */
  FAILED: 'FAILED',
  /** ran out of its timeout_seconds; no partial result */
  TIMEOUT: 'TIMEOUT',
} as const
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus]

export const FINAL_STATUSES: readonly TaskStatus[] = [
  TaskStatus.COMPLETED,
  TaskStatus.FAILED,
  TaskStatus.TIMEOUT,
]

/** A task as submitted. */
export interface TaskRequest {
  /** a UUID; generated when absent */
  task_id?: string
  task_type: TaskType | string
  input: unknown
  /** execution limit, seconds (may be fractional). @default 30 */
  timeout_seconds?: number
  /** where it runs: 'auto' (the default), 'local', or a node id (mesh compute) */
  placement?: Placement
  /** run on this many distinct nodes (1-5), and keep the result they agree on. @default 1 */
  replicas?: number
}

/**
 * Where a task runs (mesh compute): `auto` picks the node with the earliest estimated
 * completion (this one included), `remote` the same among the other nodes (here only when no
 * other node can take it), `local` keeps it here, a node id (32 hex) asks that node first.
 */
export type Placement = 'auto' | 'remote' | 'local' | (string & {})

/** How one try at running a task ended (mesh compute). */
export const ATTEMPT_OUTCOMES = [
  /** still under way */
  'running',
  /** a result came back and was accepted */
  'completed',
  /** the task itself failed or timed out there: a final outcome */
  'failed',
  /** the node had no room (BUSY) */
  'busy',
  /** the node refused it (not serving, another model or other weights) */
  'rejected',
  /** the stream or connection to the node closed */
  'disconnected',
  /** the mesh declared the node DEAD */
  'dead',
  /** no result before the attempt's deadline */
  'deadline',
  /** a result that failed verification (bad signature, wrong model, malformed) */
  'bad_result',
  /** the node could not run it (its engine failed or stopped) */
  'node_failed',
  /** this node stopped or its tab reloaded while the task was out; it resumed on restart */
  'interrupted',
  /** a replica whose result the majority of the others did not agree with */
  'disagreed',
] as const
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number]

/** One try at running a task, on this node or another. */
export interface TaskAttempt {
  node_id: string
  started_at: string
  ended_at?: string
  outcome: AttemptOutcome
}

export type EmbeddingOutput = { embedding: number[]; dimensions: number }

/**
 * Embedding values carry 6 decimals: the model computes in float32 (about 7 significant digits),
 * and 6 decimals keep results short in JSON and exactly recoverable from a Float32Array.
 */
export function roundEmbeddingValue(x: number): number {
  return Math.round(x * 1e6) / 1e6
}
export type ClassificationOutput = {
  label: string
  score: number
  scores: Array<{ label: string; score: number }>
}
export type TaskOutput = EmbeddingOutput | ClassificationOutput

/** A task and everything known about it: the status record (FR14.4) and the stored result (FR14.3). */
export interface TaskRecord {
  task_id: string
  node_id: string
  task_type: TaskType
  status: TaskStatus
  /** the model that ran (or will run) it */
  model: string
  /** first 100 characters of the input, for lists and debugging */
  input_preview: string
  timeout_seconds: number
  submitted_at: string
  started_at?: string
  /** when it reached COMPLETED, FAILED or TIMEOUT */
  timestamp_completed?: string
  expires_at?: string
  execution_time_ms?: number
  output_data?: TaskOutput
  result_size_bytes?: number
  /** first 100 characters of the output as text */
  result_preview?: string
  error_reason?: TaskErrorReason
  error_details?: string
  /** set on an executor: the peer id of the node this task was run for (mesh compute) */
  served_for?: string
  /** where it was asked to run (mesh compute); absent for a task served for another node */
  placement?: Placement
  /** how many distinct nodes were to run it (mesh compute; absent: 1) */
  replicas?: number
  /** the node that produced its result, or the replicas that agreed on it (mesh compute) */
  executed_by?: string[]
  /** every try at running it, in order (mesh compute) */
  attempts?: TaskAttempt[]
  /** W3C trace context of the submission: `00-<trace id>-<span id>-01` */
  traceparent?: string
}

/** A page of stored task records. */
export interface ResultsQuery {
  /** only this node's results; all when absent */
  nodeId?: string
  /** @default 20 */
  limit?: number
  /** @default 0 */
  offset?: number
}

/** FR14.4 status: the record plus what only a live task has. */
export interface TaskStatusReport extends TaskRecord {
  progress_percent: number
  estimated_completion_secs?: number
  execution_time_so_far_ms?: number
}

/** A model the engine knows (FR14.1). */
export interface ModelInfo {
  model_name: string
  model_type: 'embedding' | 'classification'
  task_type: TaskType
  dtype: string
  model_size_mb: number
  loaded_at?: string
  is_ready: boolean
  /** 0-100 while downloading/loading */
  progress_percent?: number
  /** why it failed to load, and the error's code (e.g. model_manifest_invalid) */
  error?: string
  error_code?: ModelErrorCode
  /** SHA-256 (hex) of the weights it runs, once loaded: replicas compare it (mesh compute) */
  model_hash?: string
}

/** What a node's task engine has done since it started (for status, metrics and benches). */
export interface TaskStats {
  /** tasks by final status */
  completed: number
  failed: number
  timed_out: number
  /** inference calls made, the inputs they carried, and the time they took (ms, summed) */
  inference_calls: number
  inference_inputs: number
  inference_ms: number
  /** tasks waiting for an inference call here now */
  queued: number
  /** inference calls running now */
  running: number
  /**
   * 95th percentile of how long recent tasks waited in the queue before they ran, ms (a recent
   * window, not since start); undefined when no task ran recently (no data, not zero).
   */
  queue_wait_p95_ms?: number
}

/** Where and how fast this node computes, advertised to the mesh. */
export interface EngineCapabilities {
  backend: 'webgpu' | 'wasm' | 'cpu'
  threads: number
  task_types: TaskType[]
  /** measured embeddings per second in batches, 0 until measured */
  embeddings_per_sec: number
  /** true while the speed is being measured, or waits to be (until the node has joined) */
  measuring?: boolean
}

/** How busy a node's engine is now, announced to the mesh (mesh compute). */
export interface EngineLoad {
  /** models ready here, with their weights' SHA-256 ("" when unknown) */
  models: Array<{ model: string; dtype: string; hash: string }>
  /** tasks waiting */
  queue_depth: number
  /** inference calls running */
  calls_in_flight: number
  /** until a task submitted now would start, ms */
  est_wait_ms: number
  /** other nodes' tasks run since start */
  tasks_served: number
  /** takes other nodes' tasks (serve_tasks) */
  serving: boolean
}
