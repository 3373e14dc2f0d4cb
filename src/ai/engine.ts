/**
 * The inference contract: what the task engine asks of a runtime that lives in a Web Worker (tab)
 * or a worker thread (Node). Plain data in and out, so it crosses comlink as it is.
 */
import type {
  ClassificationOutput,
  EngineCapabilities,
  ModelInfo,
  TaskOutput,
  TaskType,
} from '../core/tasks.js'
import { roundEmbeddingValue } from '../core/tasks.js'
import type { TaskErrorReason } from '../core/tasks.js'
import type { Startable } from '../core/startable.js'

/** Which model serves a task type, at which precision. */
export interface ModelSpec {
  task_type: TaskType
  /** e.g. "local/universal-sentence-encoder-lite" or "Xenova/all-MiniLM-L6-v2" */
  model: string
  /** transformers.js dtype: "q8", "fp32", … */
  dtype: string
}

/** Where model files come from. */
export interface ModelSource {
  /** a URL path ("/models/") in a tab, a directory on Node; undefined: none */
  localPath?: string
  /** allow fetching from the Hugging Face hub when not found locally */
  allowRemote: boolean
}

export interface RuntimeOptions {
  source: ModelSource
  /** try WebGPU first where the platform has it */
  preferWebGpu: boolean
  /** threads of one inference call (onnxruntime's intra-op pool); 0 or absent: its default */
  threads?: number
}

/** An input refused or failed; the others of its batch go on. */
export interface ItemFailure {
  ok: false
  reason: TaskErrorReason
  details: string
}

/** One input's outcome inside a batch, as the task engine sees it. */
export type ItemResult = { ok: true; output: TaskOutput } | ItemFailure

/**
 * One input's outcome as the runtime returns it. An embedding is its float32 values, a row of one
 * buffer per batch: that buffer leaves a worker by transfer, where 512 numbers per input cloned
 * one by one cost a tenth of the worker's time. toItemResult() makes it the task's output.
 */
export type RuntimeItem =
  { ok: true; vector: Float32Array } | { ok: true; output: ClassificationOutput } | ItemFailure

export function toItemResult(item: RuntimeItem): ItemResult {
  if (!item.ok || !('vector' in item)) return item
  const embedding = Array.from(item.vector, roundEmbeddingValue)
  return { ok: true, output: { embedding, dimensions: embedding.length } }
}

export interface LoadProgress {
  model: string
  progress_percent: number
}

/** Runs models. Implemented once (src/ai/runtime.ts), hosted in a worker. */
export interface InferenceRuntime {
  init(options: RuntimeOptions): Promise<EngineCapabilities>
  /** loads a model (downloading, verifying and caching its files); progress goes to `onProgress` */
  load(spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo>
  /** validates and runs a batch of inputs of one model */
  run(spec: ModelSpec, inputs: string[]): Promise<RuntimeItem[]>
  models(): Promise<ModelInfo[]>
  /** embeddings per second in batches, measured on the loaded embedding model */
  benchmark(spec: ModelSpec): Promise<number>
}

/**
 * The task engine's view: a runtime whose results are task outputs, and which it can restart
 * when a call hangs. stop() lets calls in flight end for a while (a worker terminated inside a
 * native call can abort the process), then releases the worker; a stopped engine takes no calls.
 */
export interface InferenceEngine extends Omit<InferenceRuntime, 'run'>, Startable {
  run(spec: ModelSpec, inputs: string[]): Promise<ItemResult[]>
  /** abandons everything the runtime is doing and starts a fresh one, with the same models */
  restart(): Promise<void>
}

/** What a relay answers at /models/manifest.json: every file of its models folder. */
export interface ModelManifest {
  files: Record<string, { size: number; sha256: string }>
}

/** One name per model and precision: loaded models, batches and timings are keyed by it. */
export function modelKey(spec: ModelSpec): string {
  return `${spec.model}:${spec.dtype}`
}
